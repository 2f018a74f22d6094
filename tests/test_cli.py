"""The symtutor command, in-process and as an installed console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    res = subprocess.run(
        [sys.executable, "-m", "symtutor.cli", "derive", "x^3"], capture_output=True, text=True
    )
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
