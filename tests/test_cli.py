"""The symtutor command, in-process and as an installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from symtutor import cli
from symtutor.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_derive_with_steps(capsys):
    code, out, err = run(capsys, "derive", "x^2 sin(x)", "--wrt", "x", "--steps")
    assert code == 0 and not err
    assert "1. Product rule" in out
    assert "Answer: x^2*cos(x) + 2*x*sin(x)" in out


def test_derive_json(capsys):
    code, out, _ = run(capsys, "derive", "exp(2x)", "--json")
    data = json.loads(out)
    assert data["result"] == "2*exp(2*x)" and data["variable"] == "x"


def test_derive_needs_wrt_with_several_variables(capsys):
    code, _, err = run(capsys, "derive", "x y")
    assert code == 3
    assert err.strip() == "symtutor: error: the expression has variables x, y; choose one with --wrt"


def test_parse_errors_are_one_line(capsys):
    code, out, err = run(capsys, "derive", "x +* 2", "--wrt", "x")
    assert code == 3 and not out
    assert err.count("\n") == 1 and "(at character 4)" in err


def test_gradient_jacobian_hessian(capsys):
    assert run(capsys, "gradient", "x^2 y", "--json")[0] == 0
    code, out, _ = run(capsys, "jacobian", "(x^2 y, 5x + sin(y))", "--vars", "x,y", "--latex")
    assert code == 0 and out.strip() == r"\left[\begin{matrix}2 x y & x^{2}\\5 & \cos{\left(y \right)}\end{matrix}\right]"
    code, out, _ = run(capsys, "hessian", "x^3 + x y^2", "--steps")
    assert code == 0 and "by symmetry" in out


def test_taylor_and_remainder(capsys):
    code, out, _ = run(capsys, "taylor", "exp(x) cos(y)", "--at", "0,0", "--order", "2", "--json")
    assert json.loads(out)["result"] == "x^2/2 + x - y^2/2 + 1"
    code, out, _ = run(capsys, "taylor", "exp(x)", "--at", "0", "--order", "2", "--interval=-0.5,0.5")
    assert code == 0 and "0.0343484" in out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["taylor", "x"])
    assert info.value.code == 2
    assert main([]) == 2


def test_help_has_examples(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert 'symtutor derive "x^2 sin(x)" --wrt x --steps' in out


def test_console_script():
    script = Path(sys.executable).parent / "symtutor"
    assert script.exists(), "install the package (pip install .) so the symtutor command exists"
    res = subprocess.run([str(script), "derive", "sin(x)^2", "--wrt", "x"], capture_output=True, text=True)
    assert res.returncode == 0 and "sin(x)" in res.stdout


def test_module_entry_point():
    res = subprocess.run([sys.executable, "-m", "symtutor", "derive", "x^3"], capture_output=True, text=True)
    assert res.returncode == 0 and "3⋅x" in res.stdout


def test_check_command(capsys):
    code, out, _ = run(capsys, "check", "2x cos(x^2)", "--expected", "2 x cos(x^2)")
    assert code == 0
    assert out.splitlines() == ["CORRECT: Correct!", "understood as: 2*x*cos(x^2)"]
    code, out, _ = run(capsys, "check", "cos(x^2)", "--expected", "2x cos(x^2)", "--function", "sin(x^2)", "--wrt", "x")
    assert code == 1 and out.startswith("INCORRECT: Check the chain rule")
    code, out, _ = run(capsys, "check", "2x +", "--expected", "2x", "--json")
    data = json.loads(out)
    assert code == 1 and data["status"] == "invalid" and "nothing after it" in data["message"]
    code, out, _ = run(capsys, "check", "1 + x + x^2", "--expected", "1 + x + x^2/2", "--mode", "taylor",
                       "--at", "0", "--order", "2", "--json")
    assert json.loads(out)["diagnosis"] == "taylor_missing_factorial"


# ---- a user's mistakes: one line, an exit code, never a traceback ------------------------------------------


def usage_error(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def one_line_error(capsys, *argv):
    code, out, err = run(capsys, *argv)
    assert code == 3 and err.startswith("symtutor: error: ") and err.count("\n") == 1, (code, err)
    return err


def test_values_may_start_with_a_minus_sign(capsys):
    code, out, _ = run(capsys, "derive", "-x^2", "--wrt", "x")
    assert code == 0 and out.strip() == "-2⋅x"
    code, out, _ = run(capsys, "check", "-sin(x)", "--expected", "-sin(x)")
    assert code == 0 and out.startswith("CORRECT")
    code, out, _ = run(capsys, "taylor", "exp(x)", "--at", "-1", "--order", "1", "--interval", "-1.5,-0.5", "--json")
    assert code == 0 and json.loads(out)["point"] == ["-1"]
    code, out, _ = run(capsys, "check", "-hx", "--expected=-h", "--variables", "h,x")
    assert code == 1 and "understood as: -h*x" in out  # only "-h" itself is the help option
    err = usage_error(capsys, "derive", "-x^2", "--wrt", "x", "--bogus")
    assert "unrecognized arguments: --bogus" in err
    err = usage_error(capsys, "generate", "power_rule", "-n", "-2")
    assert "must be at least 1, not -2" in err


def test_exit_codes_tell_incorrect_from_an_error(capsys):
    assert run(capsys, "check", "2x", "--expected", "2x")[0] == 0
    assert run(capsys, "check", "3x", "--expected", "2x")[0] == 1  # incorrect
    assert run(capsys, "check", "2x +", "--expected", "2x")[0] == 1  # an unreadable answer is a verdict too
    assert "+' has nothing after it" in one_line_error(capsys, "check", "2x", "--expected", "2x +")  # an error
    assert "choose one with --wrt" in one_line_error(capsys, "derive", "x y")
    usage_error(capsys, "check", "2x")  # --expected is missing
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit codes:" in out and "130  interrupted" in out
    assert cli.EXIT_CODES[1].startswith("check: the answer is not correct")


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "1e9", "soon"])
def test_a_check_bound_must_be_a_positive_number_of_seconds(capsys, value):
    err = usage_error(capsys, "check", "x", "--expected", "x", "--timeout", value)
    assert "argument --timeout" in err


def test_output_paths_are_checked_before_any_work(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "sheet.md"
    assert "the folder" in one_line_error(capsys, "generate", "power_rule", "-o", str(missing))
    assert not (tmp_path / "no").exists()  # no folder is made
    assert "is a folder" in one_line_error(capsys, "generate", "power_rule", "-o", str(tmp_path))
    assert "is a folder" in one_line_error(capsys, "generate", "power_rule", "--format", "tex", "-o", str(tmp_path))
    assert "needs -o FILE.pdf" in one_line_error(capsys, "generate", "power_rule", "--format", "pdf")
    err = one_line_error(capsys, "progress", "--db", str(tmp_path / "p.sqlite3"), "--plot", str(tmp_path / "p.xyz"))
    assert ".png, .pdf or .svg" in err
    assert "the folder" in one_line_error(capsys, "heights", "--plot", str(missing.with_suffix(".png")))
    assert "/proc/sheet.md" in one_line_error(capsys, "generate", "power_rule", "-o", "/proc/sheet.md")  # an OSError
    out = tmp_path / "sheet.tex"
    assert run(capsys, "generate", "power_rule", "--format", "tex", "-o", str(out))[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sheet-key.tex", "sheet.tex"]


def test_plots_work_on_the_plain_install():
    from importlib.metadata import requires

    plain = [r for r in requires("symtutor") if "extra ==" not in r]
    assert any(r.startswith("matplotlib") for r in plain)  # --plot needs no extra


def test_a_spec_that_is_not_yaml_is_one_line(tmp_path, capsys):
    spec = tmp_path / "bad.yaml"
    spec.write_text("title: [unclosed\nitems:\n  - topic: power_rule\n", encoding="utf-8")
    err = one_line_error(capsys, "generate", str(spec))
    assert "<unicode string>" not in err


def test_a_derivation_is_bounded_in_time(capsys, monkeypatch):
    monkeypatch.setattr(cli, "COMPUTE_TIMEOUT", 0.5)
    err = one_line_error(capsys, "derive", "x^x^x^x^x^x", "--wrt", "x", "--order", "12")
    assert "longer than 0.5 s" in err


def test_a_bug_still_shows_its_traceback(monkeypatch):
    def broken(args):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(cli, "_topics", broken)
    with pytest.raises(ZeroDivisionError):
        main(["topics"])


def test_interrupted_is_exit_code_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_topics", interrupted)
    code, _, err = run(capsys, "topics")
    assert code == 130 and err.strip() == "symtutor: interrupted"


def test_a_descent_that_breaks_down_is_one_line(capsys):
    for argv in (("heights", "--sig", "1e-300", "--steps", "3"), ("heights", "--aggression", "1e308", "--steps", "3"),
                 ("backprop", "--iterations", "3", "--noise", "1e308")):
        err = one_line_error(capsys, *argv)
        assert "the descent broke down" in err and "RuntimeWarning" not in err


def test_a_taylor_point_must_be_finite_and_real(capsys):
    for at in ("log(0)", "sqrt(-1)"):
        assert "--at takes finite real coordinates" in one_line_error(capsys, "taylor", "exp(x)", "--at", at,
                                                                      "--order", "1")
        assert "--at takes finite real coordinates" in one_line_error(
            capsys, "check", "x", "--expected", "x", "--mode", "taylor", "--at", at, "--order", "1")


def test_practice_shows_worked_solutions_as_typed_and_says_unreadable_once(capsys, tmp_path, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("x +\nsteps\nskip\n"))
    code, out, _ = run(capsys, "practice", "--topic", "power_rule", "--difficulty", "1", "--count", "2", "--seed", "3",
                       "--db", str(tmp_path / "p.sqlite3"))
    assert code == 0
    assert "Could not read that: The '+' has nothing after it." in out and "I could not read" not in out
    assert "d/dx [2x^2] = 4x" in out and "The answer was 15x^4." in out and "*" not in out


@pytest.mark.parametrize("argv, message", [
    (("generate", "chain_rule", "-n", "100000000"), "argument -n/--count: must be at most 1,000"),
    (("generate", "chain_rule", "--format", "moodle", "--variants", "100000"), "argument --variants: must be at most"),
    (("generate", "chain_rule", "--seed", "-5"), "argument --seed: must be a whole number from 0"),
    (("practice", "--seed", "-5"), "argument --seed: must be a whole number from 0"),
    (("backprop", "--seed", "-1"), "argument --seed: must be a whole number from 0"),
])
def test_counts_seeds_and_variants_are_bounded_usage_errors(capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    out, err = capsys.readouterr()
    assert info.value.code == 2 and not out and message in err and err.count("\n") == 1


def test_moodle_variants_are_bounded_in_all(capsys, tmp_path):
    err = one_line_error(capsys, "generate", "chain_rule", "-n", "11", "--format", "moodle", "--variants", "100",
                         "-o", str(tmp_path / "q.xml"))
    assert "would make 1,100 questions" in err and not (tmp_path / "q.xml").exists()


def test_generate_from_a_folder_or_to_an_empty_name_is_one_line(capsys, tmp_path):
    assert "is a folder: give a YAML spec file" in one_line_error(capsys, "generate", str(tmp_path))
    assert "-o needs a file name" in one_line_error(capsys, "generate", "chain_rule", "-o", "")


def test_a_write_that_fails_leaves_no_half_written_file(tmp_path):
    import os
    import resource
    import signal

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    out = tmp_path / "sheet.md"
    out.write_text("the old worksheet\n")
    # not measured by coverage: its own data file could not be written under the limit either
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE")}
    res = subprocess.run([sys.executable, "-m", "symtutor", "generate", "chain_rule", "-n", "100", "-o", str(out)],
                         capture_output=True, text=True, timeout=300, preexec_fn=small_files,
                         env={**env, "PYTHONPATH": str(Path(cli.__file__).parent.parent)})
    assert res.returncode == 3 and res.stderr.startswith(f"symtutor: error: cannot write {out}: "), res.stderr
    assert res.stderr.count("\n") == 1
    assert out.read_text() == "the old worksheet\n" and [p.name for p in tmp_path.iterdir()] == ["sheet.md"]


def test_an_undefined_expected_answer_is_an_error_not_a_verdict(capsys):
    for expected in ("log(0)", "-log(0) + 1"):
        assert "is undefined or infinite" in one_line_error(capsys, "check", "log(0)", "--expected", expected)


def test_a_set_exported_as_json_can_be_exported_again(capsys, tmp_path):
    exported = tmp_path / "set.json"
    assert main(["generate", "chain_rule", "-n", "2", "--format", "json", "-o", str(exported)]) == 0
    code, out, _ = run(capsys, "generate", str(exported), "--format", "md")
    assert code == 0 and out.startswith("# Chain rule (difficulty 1)") and "2. " in out
    (tmp_path / "bad.json").write_text('{"schema_version": 1, "title": 5}')
    assert "bad.json: not a valid exercise set" in one_line_error(capsys, "generate", str(tmp_path / "bad.json"))


def test_practice_with_standard_input_closed_is_one_line(tmp_path):
    import os

    res = subprocess.run([sys.executable, "-m", "symtutor", "practice", "--db", str(tmp_path / "p.sqlite3")],
                         stdin=None, capture_output=True, text=True, timeout=120, close_fds=True,
                         preexec_fn=lambda: os.close(0),
                         env={**os.environ, "PYTHONPATH": str(Path(cli.__file__).parent.parent)})
    assert res.returncode == 3 and "standard input, which is closed" in res.stderr and "Traceback" not in res.stderr
    assert res.stderr.count("\n") == 1
