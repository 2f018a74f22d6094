"""Markdown and LaTeX renderings of exercise sets (a worksheet and a separate answer key), and PDFs.

LaTeX is built so that a spec or an exported file cannot turn it against the
machine that compiles it:

* prompts: a generator's or teacher's ``prompt_latex`` is used only when it
  passes :func:`symtutor._texsafe.safe_latex` (maths commands from a fixed
  list, no comment, parameter or ``^^`` characters); otherwise the plain
  ``prompt`` is typeset by :func:`symtutor._texsafe.typeset`, which reads each
  run of maths with symtutor's parser and writes it from the parse tree, the
  rest escaped.  Titles, descriptions and hints are escaped text; answers are
  LaTeX printed from their SymPy values and checked the same way.
* compiling: ``pdflatex -no-shell-escape -interaction=nonstopmode
  -halt-on-error`` with ``openin_any=p`` and ``openout_any=p`` (no file read or
  written outside its folder), ``TEXMFOUTPUT`` and TeX's caches (fonts made
  on the fly) set to a private temporary folder, a wall-clock bound, a bound on the log and every file written
  (the run is killed when its log passes :data:`MAX_LOG` bytes), CPU, memory and
  file-size limits the kernel enforces even if this process dies, and the
  temporary folder removed on every exit (also on SIGTERM or Ctrl-C; folders
  left by a SIGKILLed run are swept by the next one).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import sympy as sp

from .._texsafe import UnsafeLatex, escape_text, safe_latex, typeset
from ..errors import InvalidArgumentError, SymtutorError
from ..exercises.sets import ExerciseSet
from ..parsing import to_text

__all__ = ["to_markdown", "to_latex", "to_pdf", "latex_engine", "MAX_LOG", "LATEX_TIMEOUT"]

MAX_LOG = 4 * 2**20
"""The largest log (or other output) a LaTeX run may write, in bytes, before it is killed."""
LATEX_TIMEOUT = 60.0
"""The default wall-clock bound on compiling one document, in seconds."""
_MAX_FILE = 64 * 2**20
_TMP_PREFIX = "symtutor-latex-"


def _escape(text: str) -> str:
    """Plain text for LaTeX: special characters escaped, maths symbols typeset."""
    return escape_text(text)


def _prompt_tex(ex) -> str:
    """The prompt as safe LaTeX: its checked ``prompt_latex``, or the plain prompt typeset through the parser."""
    candidates = [ex.prompt_latex] if ex.prompt_latex and ex.prompt_latex != ex.prompt else []
    for tex in (*candidates, typeset(ex.prompt)):
        try:
            return safe_latex(tex)
        except UnsafeLatex:
            continue
    return escape_text(ex.prompt)


def _markdown_text(text: str, *, line: bool = False) -> str:
    """Text for Markdown: no HTML (``<``, ``>`` and ``&`` as entities) outside the ``$...$`` maths.

    With ``line``, line breaks become spaces (a title stays one heading).
    """
    if line:
        text = " ".join(text.split())
    parts = re.split(r"((?<!\\)\$[^$]*(?<!\\)\$)", text)
    return "".join(p if k % 2 else html.escape(p, quote=False) for k, p in enumerate(parts))


def _prompt_markdown(ex) -> str:
    """The prompt for Markdown: ``prompt_latex`` when it is in the safe subset, else the plain prompt typeset."""
    for tex in (ex.prompt_latex, typeset(ex.prompt)):
        try:
            safe_latex(tex)
            return _markdown_text(tex)
        except UnsafeLatex:
            continue
    return _markdown_text(ex.prompt)


def _answer_tex(ex) -> str:
    """The answer as display maths, or as escaped typed text if its LaTeX is outside the safe subset."""
    tex = sp.latex(ex.answer)
    try:
        safe_latex(f"${tex}$")
        return rf"$\displaystyle {tex}$"
    except UnsafeLatex:
        return r"\texttt{" + escape_text(to_text(ex.answer)) + "}"


def to_markdown(s: ExerciseSet, *, answers: bool = True) -> str:
    """A Markdown worksheet (maths as LaTeX between dollars), with the answers at the end.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> md = to_markdown(from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 1}]}))
        >>> md.splitlines()[0]
        '# T'
    """
    lines = [f"# {_markdown_text(s.title, line=True)}", ""]
    if s.description:
        lines += [_markdown_text(s.description), ""]
    for n, ex in enumerate(s.items, 1):
        lines.append(f"{n}. {_prompt_markdown(ex)}")
    if answers:
        lines += ["", "## Answers", ""]
        for n, ex in enumerate(s.items, 1):
            lines.append(f"{n}. ${sp.latex(ex.answer)}$ (typed: `{to_text(ex.answer)}`)")
    return "\n".join(lines) + "\n"


_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb}
\setlength{\parindent}{0pt}
\begin{document}
"""


def to_latex(s: ExerciseSet) -> tuple[str, str]:
    """(worksheet, answer key) as LaTeX documents.

    Examples:
        >>> from symtutor.exercises.sets import from_spec
        >>> sheet, key = to_latex(from_spec({"title": "T", "items": [{"topic": "chain_rule", "seed": 2}]}))
        >>> sheet.startswith("\\\\documentclass") and "Answer key" in key
        True
    """
    title = _escape(s.title)
    sheet = [_PREAMBLE, rf"\section*{{{title}}}", _escape(s.description), "", r"\begin{enumerate}"]
    for ex in s.items:
        sheet += [rf"\item {_prompt_tex(ex)}", r"\vspace{4.5em}", ""]
    sheet += [r"\end{enumerate}", r"\end{document}", ""]
    key = [_PREAMBLE, rf"\section*{{{title} --- Answer key}}", r"\begin{enumerate}"]
    for ex in s.items:
        key.append(rf"\item {_prompt_tex(ex)}\\[0.4em]")
        key.append(rf"\textbf{{Answer:}} {_answer_tex(ex)}")
        if ex.hints:
            key.append(r"\\[0.3em] {\small \emph{Hint:} " + _escape(ex.hints[0]) + "}")
        key.append("")
    key += [r"\end{enumerate}", r"\end{document}", ""]
    return "\n".join(sheet), "\n".join(key)


def latex_engine() -> str | None:
    """The LaTeX engine found on this machine (pdflatex or xelatex, which honour the file-access limits), or None."""
    for name in ("pdflatex", "xelatex"):
        if shutil.which(name):
            return name
    return None


def _limit(pid: int, timeout: float) -> None:
    """Kernel limits on the LaTeX process (CPU, file size, memory), which hold even if this process dies."""
    try:
        import resource

        prlimit = resource.prlimit
    except (ImportError, AttributeError):  # pragma: no cover - not Linux
        return
    cpu = int(timeout) + 5
    for what, value in ((resource.RLIMIT_CPU, cpu), (resource.RLIMIT_FSIZE, _MAX_FILE),
                        (resource.RLIMIT_AS, 2 * 2**30), (resource.RLIMIT_CORE, 0)):
        try:
            prlimit(pid, what, (value, value))
        except (ValueError, OSError):
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _sweep() -> None:
    """Remove temporary folders left by LaTeX runs whose process is gone (killed with SIGKILL)."""
    root = Path(tempfile.gettempdir())
    try:
        entries = list(root.glob(_TMP_PREFIX + "*"))
    except OSError:
        return
    for d in entries:
        m = re.match(re.escape(_TMP_PREFIX) + r"(\d+)-", d.name)
        if m and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)


class _Terminated(BaseException):
    """SIGTERM arrived while compiling: unwind (removing the temporary folder), then exit."""


def _on_sigterm(signum, frame):
    raise _Terminated()


def _kill(proc) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


def _first_error(log: str) -> str:
    for line in log.splitlines():
        m = re.match(r"(?:!|\S+\.tex:\d+:|\*\*\*|\S+: Not (?:reading|writing))\s*(.*)", line)
        if m:
            return (m.group(1) or line).strip()[:200]
    return "it stopped without a PDF"


def _run(engine: str, tmp: Path, timeout: float) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("TEXINPUTS", "TEXMFOUTPUT", "openin_any", "openout_any", "shell_escape", "shell_escape_commands")}
    env.update(openin_any="p", openout_any="p", shell_escape="f", TEXMFOUTPUT=str(tmp), TEXINPUTS=".:",
               max_print_line="200")
    # fonts made on the fly (mktexpk) and other caches go to the private folder too, not to ~/.texlive*
    env.update(TEXMFVAR=str(tmp / "texmf-var"), TEXMFCACHE=str(tmp / "texmf-var"), VARTEXFONTS=str(tmp / "fonts"))
    cmd = [engine, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", "doc.tex"]
    out_path = tmp / "stdout.txt"
    with open(out_path, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            _limit(proc.pid, timeout)
            deadline = time.monotonic() + timeout
            while proc.poll() is None:
                if time.monotonic() > deadline:
                    _kill(proc)
                    raise SymtutorError(f"{engine} took longer than {timeout:g} s on the worksheet, so it was stopped")
                if _written(tmp) > MAX_LOG + _pdf_size(tmp):
                    _kill(proc)
                    raise SymtutorError(f"{engine} wrote more than {MAX_LOG // 2**20} MB of log, so it was stopped")
                time.sleep(0.02)
        finally:
            if proc.poll() is None:
                _kill(proc)
    if proc.returncode != 0 or not (tmp / "doc.pdf").is_file():
        log = ""
        for name in ("doc.log", "stdout.txt"):
            try:
                with open(tmp / name, encoding="utf-8", errors="replace") as fh:
                    log = fh.read(MAX_LOG)
                break
            except OSError:
                continue
        raise SymtutorError(f"{engine} could not compile the worksheet: {_first_error(log)}")


def _written(tmp: Path) -> int:
    total = 0
    for p in tmp.iterdir():
        try:
            total += p.stat().st_size
        except OSError:
            continue
    return total


def _pdf_size(tmp: Path) -> int:
    try:
        return (tmp / "doc.pdf").stat().st_size
    except OSError:
        return 0


def _place(pdf: Path, out: Path) -> None:
    """Copy the PDF to ``out`` whole or not at all (a regular file is written beside itself and renamed over)."""
    direct = out.is_symlink() or (out.exists() and not out.is_file())
    target = out if direct else out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(pdf, target)
        if not direct:
            os.replace(target, out)
    except OSError as exc:
        raise SymtutorError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if not direct and target.exists():
            target.unlink()


def _compile(tex: str, out: Path, engine: str, *, timeout: float = LATEX_TIMEOUT) -> None:
    """Compile ``tex`` in a private temporary folder (always removed) and copy the PDF to ``out``."""
    _sweep()
    main = threading.current_thread() is threading.main_thread()
    old = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    tmp = Path(tempfile.mkdtemp(prefix=f"{_TMP_PREFIX}{os.getpid()}-"))
    try:
        (tmp / "doc.tex").write_text(tex, encoding="utf-8")
        _run(engine, tmp, timeout)
        _place(tmp / "doc.pdf", Path(out))
    except _Terminated:
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if main:
            signal.signal(signal.SIGTERM, old if old is not None else signal.SIG_DFL)


def to_pdf(s: ExerciseSet, path, *, timeout: float = LATEX_TIMEOUT) -> tuple[Path, Path]:
    """Compile the worksheet to ``path`` and the answer key beside it (``*-key.pdf``).

    Each document gets at most ``timeout`` seconds; see the module docstring for the other bounds.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= 3600:
        raise InvalidArgumentError(f"timeout must be a number of seconds above 0 and at most 3600, not {timeout!r}")
    engine = latex_engine()
    if engine is None:
        raise SymtutorError(
            "no LaTeX engine found: install one (Debian: apt-get install texlive-latex-recommended) "
            "or export with --format tex"
        )
    path = Path(path)
    if path.is_dir():
        raise SymtutorError(f"{path} is a folder; give a file name such as {path / 'worksheet.pdf'}")
    if not path.parent.is_dir():
        raise SymtutorError(f"the folder {path.parent} does not exist")
    key_path = path.with_name(path.stem + "-key.pdf")
    sheet, key = to_latex(s)
    _compile(sheet, path, engine, timeout=timeout)
    _compile(key, key_path, engine, timeout=timeout)
    return path, key_path
