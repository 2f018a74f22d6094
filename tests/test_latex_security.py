"""LaTeX exports cannot be turned against the machine: hostile prompts are refused or typeset safely,
and every compile is bounded in time, log size and file access, and cleans up after itself."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from symtutor.errors import SpecError, SymtutorError
from symtutor.exercises import generate
from symtutor.exercises.sets import ExerciseSet, from_spec
from symtutor.export import latex_engine, load, dump, to_latex, to_markdown, to_pdf
from symtutor.export import text as T
from symtutor._texsafe import UnsafeLatex, safe_latex, typeset

HOSTILE = [
    r"\input{/etc/passwd}",
    r"\def\a{\a}\a",
    r"\def\a{\message{flood}\a}\a",
    r"\immediate\write18{touch /tmp/symtutor-pwned}",
    r"\newread\r\openin\r=/etc/passwd \read\r to\x \x",
    r"\catcode`\^^5c=12 \catcode`\!=0 !input{/etc/passwd}",
    r"^^5cinput{/etc/passwd}",
    r"\csname input\endcsname{/etc/passwd}",
    r"\begin{filecontents}{x}\end{filecontents}",
    r"\usepackage{shellesc}",
    r"% comment } \input{/etc/passwd}",
    r"\text{\input{/etc/passwd}}",
    r"\operatorname{\input{/etc/passwd}}",
    r"\begin{verbatim}\end{verbatim}",
    "{" * 200 + "x" + "}" * 200,
]


def _pdf_text(data: bytes) -> bytes:
    """The decompressed content streams of a PDF (enough to see whether a file's text got in)."""
    out = [data]
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            pass
    return b"".join(out)


def _need_latex():
    if latex_engine() is None:
        if os.environ.get("SYMTUTOR_REQUIRE_LATEX"):
            pytest.fail("SYMTUTOR_REQUIRE_LATEX is set but no LaTeX engine is installed")
        pytest.skip("no LaTeX engine here; CI installs one and sets SYMTUTOR_REQUIRE_LATEX")


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("symtutor-latex-*")}


@pytest.mark.parametrize("attack", HOSTILE)
def test_specs_with_hostile_latex_are_refused(attack):
    for text in (f"${attack}$", f"Find ${attack}$ now"):
        with pytest.raises(SpecError, match=r"field 'prompt_latex'"):
            from_spec({"title": "T", "items": [{"prompt": "p", "answer": "1", "prompt_latex": text}]},
                      source="evil.yaml")
        with pytest.raises(UnsafeLatex):
            safe_latex(text)
    # outside the maths it is only text
    assert r"\input" not in safe_latex(attack + " $x$") and r"\def" not in safe_latex(attack + " $x$")


def _hostile_set() -> ExerciseSet:
    """A set that never went through a spec (built in Python or read from a hand-edited JSON file)."""
    base = generate("power_rule", seed=1)
    items = [replace(base, id=f"evil-{k}", prompt=attack, prompt_latex=f"${attack}$", hints=(attack,))
             for k, attack in enumerate(HOSTILE)]
    return ExerciseSet(r"\input{/etc/passwd} \def\a{\a}\a", tuple(items), r"\write18{ls}")


def test_latex_from_hostile_items_has_no_live_command():
    sheet, key = to_latex(_hostile_set())
    for doc in (sheet, key):
        body = doc.split(r"\begin{document}", 1)[1]
        commands = set(re.findall(r"\\([A-Za-z]+)", body))
        assert commands <= {"section", "begin", "end", "item", "vspace", "textbackslash", "textbf", "displaystyle",
                            "small", "emph", "textless", "textgreater", "textbar"}, commands
        assert "^^" not in body.replace(r"\^{}\^{}", "")
        assert "%" not in body.replace(r"\%", "")


def test_hostile_json_is_refused_naming_item_and_field():
    data = dump(_hostile_set())
    with pytest.raises(SpecError, match=r"^w.json: item 1 \('evil-0'\), field 'prompt_latex': \\input is not allowed"):
        load(data, source="w.json")


def test_pathological_prompts_are_typeset_quickly():
    start = time.monotonic()
    for text in ("(" * 5000, "(x" * 2000, "sin(" * 200 + "x", "x^999^999 " * 100, "10^10^10^10", "9^999 " * 50):
        out = safe_latex(typeset(text))
        assert r"\input" not in out
    assert time.monotonic() - start < 5


def test_hostile_set_compiles_quickly_without_reading_files(tmp_path):
    _need_latex()
    before = _leftovers()
    start = time.monotonic()
    sheet, key = to_pdf(_hostile_set(), tmp_path / "w.pdf")
    assert time.monotonic() - start < 30
    passwd = Path("/etc/passwd").read_bytes().split(b"\n")[0] if Path("/etc/passwd").exists() else b"root:x:0:0"
    for pdf in (sheet, key):
        text = _pdf_text(pdf.read_bytes())
        assert passwd not in text and b"root:x:0" not in text
    assert not Path("/tmp/symtutor-pwned").exists()
    assert _leftovers() <= before


RAW = {
    "input": (r"\input{/etc/passwd}", "could not compile"),
    "dotdot": (r"\input{../../../../../../etc/passwd}", "could not compile"),
    "openin": (r"\newread\r\openin\r=/etc/passwd \read\r to\x \x", "could not compile"),
    "openout": (r"\newwrite\w\immediate\openout\w=/tmp/symtutor-out.tex \immediate\write\w{x}", "could not compile"),
    "loop": (r"\def\a{\a}\a", "took longer than"),
    "catcode": (r"\catcode`\!=0 !input{/etc/passwd}", "could not compile"),
    "write18": (r"\immediate\write18{cat /etc/passwd > leaked.tex}\input{leaked}", "could not compile"),
    "message": (r"\def\a{\message{flood flood flood flood flood flood flood flood}\a}\a", "log"),
}


@pytest.mark.parametrize("name", sorted(RAW))
def test_the_compiler_itself_is_bounded_even_on_raw_latex(name, tmp_path, monkeypatch):
    """Defence in depth: even LaTeX that bypassed every check cannot read, write, loop or flood."""
    _need_latex()
    monkeypatch.setattr(T, "MAX_LOG", 256 * 1024)
    attack, message = RAW[name]
    tex = r"\documentclass{article}\begin{document}" + attack + r" x\end{document}"
    before = _leftovers()
    start = time.monotonic()
    out = tmp_path / "x.pdf"
    try:
        T._compile(tex, out, latex_engine(), timeout=3)
        text = _pdf_text(out.read_bytes())
        assert b"root:x:0" not in text
    except SymtutorError as exc:
        assert message in str(exc) and "\n" not in str(exc)
    assert time.monotonic() - start < 10
    assert not Path("/tmp/symtutor-out.tex").exists()
    assert _leftovers() <= before


def test_shell_escape_is_off(tmp_path):
    _need_latex()
    tex = r"\documentclass{article}\begin{document}\immediate\write18{touch " + str(tmp_path / "pwned") + r"}x\end{document}"
    T._compile(tex, tmp_path / "x.pdf", latex_engine(), timeout=10)
    assert not (tmp_path / "pwned").exists()


_KILLED = """
import sys
from pathlib import Path
from symtutor.export import text as T
print("ready", flush=True)
T._compile(r"\\documentclass{article}\\begin{document}\\def\\a{\\a}\\a\\end{document}", Path(sys.argv[1]), T.latex_engine(), timeout=60)
"""


def _pdflatex_children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,pgid,comm"], capture_output=True, text=True).stdout
    return [int(p) for p, pp, g, comm in (line.split(None, 3) for line in out.splitlines()[1:])
            if comm.strip().endswith("latex") and (int(pp) == pid)]


def test_a_killed_export_removes_its_folder_and_its_compiler(tmp_path):
    _need_latex()
    procs = {sig: subprocess.Popen([sys.executable, "-c", _KILLED, str(tmp_path / f"{int(sig)}.pdf")],
                                   stdout=subprocess.PIPE, text=True)
             for sig in (signal.SIGTERM, signal.SIGINT)}
    children = {}
    try:
        for sig, proc in procs.items():
            assert proc.stdout.readline().strip() == "ready"
        for sig, proc in procs.items():
            deadline = time.monotonic() + 20
            while not _pdflatex_children(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert list(Path(tempfile.gettempdir()).glob(f"symtutor-latex-{proc.pid}-*"))
            children[sig] = _pdflatex_children(proc.pid)
            assert children[sig]
            proc.send_signal(sig)
        for proc in procs.values():
            proc.wait(timeout=10)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
    time.sleep(0.2)
    for sig, proc in procs.items():
        assert not list(Path(tempfile.gettempdir()).glob(f"symtutor-latex-{proc.pid}-*")), sig
        for child in children[sig]:
            assert not Path(f"/proc/{child}").exists() or Path(f"/proc/{child}/stat").read_text().split()[2] == "Z"


def test_folders_left_by_a_sigkilled_run_are_swept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = Path(tempfile.mkdtemp(prefix=f"symtutor-latex-{dead.pid}-"))
    (stale / "doc.tex").write_text("x")
    T._sweep()
    assert not stale.exists()


def test_hand_written_prompts_are_typeset():
    s = from_spec({"title": "T", "items": [
        {"prompt": "Differentiate f(x) = x^3 sin(theta) with respect to x.", "answer": "3x^2 sin(theta)",
         "variables": ["x", "theta"]}]})
    sheet, key = to_latex(s)
    assert r"x^{3}" in sheet and r"\theta" in sheet and "theta" not in sheet.replace(r"\theta", "")
    assert r"\^{}" not in sheet
    assert "x^{3}" in to_markdown(s)


def test_generated_prompts_keep_their_latex():
    for topic in ("chain_rule", "hessian", "taylor_2d", "newton_step", "gradient_descent_step"):
        ex = generate(topic, seed=2, difficulty=2)
        assert T._prompt_tex(ex) == safe_latex(ex.prompt_latex)


def test_typeset_never_lets_a_command_through():
    for attack in HOSTILE:
        out = safe_latex(typeset("Find " + attack + " for x^2"))
        assert not set(re.findall(r"\\([A-Za-z]+)", out)) - {"textbackslash", "left", "right", "cdot", "textless",
                                                              "textgreater", "textbar", "frac"}, out


@pytest.mark.parametrize("tex, message", [
    ("$x\x1fy$", "control character"), ("$x\x0cy$", "control character"), ("$x\u2028y$", "the character"),
    ("$a & b$", "belong inside an environment"), (r"$a \\ b$", "belong inside an environment"),
])
def test_latex_that_would_stop_the_compiler_is_refused_in_the_spec(tex, message):
    with pytest.raises(SpecError, match=message):
        from_spec({"title": "T", "items": [{"prompt": "p", "answer": "1", "prompt_latex": tex}]}, source="w.yaml")
    with pytest.raises(UnsafeLatex, match="the character|belong inside"):
        safe_latex(tex)  # also when the LaTeX comes from elsewhere (a JSON file, a generator)


def test_maths_across_lines_and_escaped_text_characters():
    assert safe_latex("$x\n\ny$") == "$x  y$"  # a blank line would end the maths in LaTeX
    assert safe_latex(r"50\% of \$5, \#1 and $\frac{1}{2}$") == r"50\% of \$5, \#1 and $\frac{1}{2}$"
    assert safe_latex(r"$\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}$").count("&") == 2


def test_typesetting_keeps_brackets_and_spaces():
    assert typeset("See equation (3).") == r"See equation $\left(3\right)$."
    assert typeset("x in [0, 1]") == r"$x$ in $\left[0, 1\right]$"
    assert typeset("Differentiate sin(x) (hint: chain rule).") == \
        r"Differentiate $\sin\left(x\right)$ (hint: chain rule)."


def test_a_pdf_that_cannot_be_written_whole_leaves_the_old_one(tmp_path, monkeypatch):
    import errno
    import shutil

    pdf, out = tmp_path / "doc.pdf", tmp_path / "sheet.pdf"
    pdf.write_bytes(b"%PDF new" * 1000)
    out.write_bytes(b"%PDF old")

    def half(src, dst):
        Path(dst).write_bytes(Path(src).read_bytes()[:100])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", half)
    with pytest.raises(SymtutorError, match="cannot write .*sheet.pdf: No space left on device"):
        T._place(pdf, out)
    assert out.read_bytes() == b"%PDF old" and sorted(p.name for p in tmp_path.iterdir()) == ["doc.pdf", "sheet.pdf"]


def test_fonts_made_on_the_fly_are_not_written_to_the_home_folder(tmp_path, monkeypatch):
    _need_latex()
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # where TeX would cache the fonts it makes (~/.texlive*/texmf-var)
    s = from_spec({"title": "Costs in $", "items": [{"prompt": "How many $ for 2 apples?", "answer": "1"}]})
    before = _leftovers()  # a \$ in a title and prompt needs a text-companion font that TeX may make as a bitmap
    (tmp_path / "out").mkdir()
    sheet, key = to_pdf(s, tmp_path / "out" / "w.pdf")
    assert sheet.is_file() and key.is_file()
    assert list(home.iterdir()) == [] and _leftovers() <= before
