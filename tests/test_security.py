"""Hostile input: nothing is executed, everything is refused or bounded in time and memory."""

from __future__ import annotations

import builtins
import time
from pathlib import Path

import pytest
import sympy
import sympy.parsing.sympy_parser as sympy_parser

from symtutor import check
from symtutor.sandbox import Sandbox

CANARY = Path("/tmp/symtutor-security-canary")

HOSTILE = [
    # code injection
    f"__import__('os').system('touch {CANARY}')",
    f"__import__(\"os\").system(\"touch {CANARY}\")",
    "exec('import os')",
    "eval('1+1')",
    "lambda: 1",
    "lambda x: x",
    "import os",
    "os.system('ls')",
    "x; import os",
    "x\nimport os",
    "globals()",
    "locals()",
    "open('/etc/passwd').read()",
    "compile('1', 'f', 'eval')",
    "breakpoint()",
    "sympify('x')",
    "parse_expr('x')",
    "Symbol('x')",
    "Function('f')(x)",
    "Integral(x, x)",
    "S(1)",
    "x if 1 else 2",
    "[i for i in range(10)]",
    "{1: 2}",
    "x @ y",
    "x % 2",
    "x // 2",
    "x & y",
    "x | y",
    "~x",
    "x == x",
    "x < 1",
    "not x",
    "'; DROP TABLE attempts; --",
    "$(rm -rf /)",
    "`ls`",
    "${HOME}",
    # attribute and dunder access
    "x.__class__",
    "x.__dict__",
    "().__class__.__bases__[0].__subclasses__()",
    "__builtins__",
    "x.real",
    "getattr(x, '__class__')",
    "sin.__globals__",
    "x._args",
    # huge numbers
    "9^9^9^9",
    "x^(10^100)",
    "10^10^10",
    "2^2^2^2^2^2",
    "10^(10^6)",
    "1" * 101,
    "1e999",
    "x^1000000",
    "(x+1)^1001",
    "exp(exp(exp(exp(exp(exp(x))))))",
    "e^e^e^e^e^e^e^e^x",
    "x^x^x^x^x^x^x^x",
    "(x + y + 1)^1000",
    "sin(10^100 x)",
    # deep nesting
    "(" * 10_000 + "x" + ")" * 10_000,
    "(" * 150 + "x" + ")" * 150,
    "sin(" * 120 + "x" + ")" * 120,
    "-" * 5000 + "x",
    "x" + "^x" * 200,
    "[" * 500 + "x" + "]" * 500,
    # huge strings
    "x" * 1_000_000,
    "x+" * 500_000 + "x",
    "1" * 10_000,
    "a" * 10_000,
    " " * 1_000_000,
    # odd characters
    "x\x00",
    "\x00",
    "ｘ + 1",
    "х + 1",  # Cyrillic
    "x²",
    "∫x dx",
    "x\u202e1+",
    "\ud800",
    "\\frac{1}{x}",
]


@pytest.fixture(scope="module")
def watched_sandbox():
    """A worker forked while every text-executing entry point is booby-trapped."""
    saved = (builtins.eval, builtins.exec, sympy.sympify, sympy_parser.parse_expr)

    # SymPy itself compiles code it generates (the polys module does); what must
    # never happen is that text containing a learner's input reaches these functions.
    marks = [t.strip() for t in HOSTILE if len(t.strip()) >= 5]

    def trap(name, original):
        def guarded(arg, *args, **kwargs):
            if isinstance(arg, str) and any(m in arg for m in marks):
                raise AssertionError(f"{name} was called on the learner's text: {arg[:40]!r}")
            return original(arg, *args, **kwargs)

        return guarded

    builtins.eval = trap("eval", saved[0])
    builtins.exec = trap("exec", saved[1])
    sympy.sympify = trap("sympify", saved[2])
    sympy_parser.parse_expr = trap("parse_expr", saved[3])
    # the traps stay set while these tests run, so a worker restarted after a
    # timeout is forked with them too
    box = Sandbox(memory_mb=512)
    try:
        yield box
    finally:
        box.close()
        builtins.eval, builtins.exec, sympy.sympify, sympy_parser.parse_expr = saved


def test_there_are_at_least_fifty_hostile_inputs():
    assert len(HOSTILE) >= 50


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:30]) for t in HOSTILE])
def test_hostile_input_is_refused_or_bounded(text, watched_sandbox):
    CANARY.unlink(missing_ok=True)
    t0 = time.perf_counter()
    fb = check(text, "2 x cos(x^2)", variables="x y", mode="expand", timeout=1.0, sandbox=watched_sandbox)
    elapsed = time.perf_counter() - t0
    assert fb.status in ("invalid", "incorrect", "undecided")
    assert not fb.correct
    assert elapsed < 1.0 + 1.0, f"took {elapsed:.2f} s"  # the bound, and stopping the worker on a busy machine
    assert not CANARY.exists()


def test_memory_is_bounded():
    box = Sandbox(memory_mb=128)
    try:
        fb = check("(x + y + 1)^1000", "1", variables="x y", mode="expand", timeout=10, sandbox=box)
        assert fb.status in ("undecided", "incorrect")
    finally:
        box.close()


def test_sandbox_reports_memory_exhaustion():
    from symtutor.sandbox import SandboxMemoryError

    box = Sandbox(memory_mb=64)
    try:
        with pytest.raises(SandboxMemoryError):
            box.run(bytearray, 2**30, timeout=10)
        assert box.run(len, "abc", timeout=10) == 3  # and it recovers
    finally:
        box.close()


def _evaluate(text):
    return eval(text)  # noqa: S307 - the trap below must catch this


def test_the_traps_are_armed(watched_sandbox):
    with pytest.raises(AssertionError, match="learner's text"):
        watched_sandbox.run(_evaluate, "eval('1+1')", timeout=10)


# ---- the checker's own false accepts and raising inputs ---------------------------------

FALSE_ACCEPTS = [
    ("1.00e10*0", "1/6", dict(variables="", mode="numeric")),
    ("1.00e102*0 + 42", "pi", dict(variables="", mode="numeric")),
    ("(9., 9.)", "(6, 6)", {}),
    ("(3. x y, x^2)", "(2x y, x^2)", dict(variables="x y")),
    ("1. + 3 x", "2x + 1", {}),
    ("(0.3, -0.5)", "(1/5, -2/5)", {}),
    ("2.01x", "2x", {}),
    ("1.42", "sqrt(2)", {}),
    ("(0.804, 0.398)", "(4/5, 2/5)", {}),
    ("x + sin(100000 pi x)", "x", {}),
    ("x + abs(x-3) + x - 3", "x", {}),
    ("x + exp(1000000 (x - 2))", "x", {}),
    ("log(x)", "log(abs(x))", {}),
    ("2 log(x)", "log(x^2)", {}),
    ("abs(x)^(1/3)", "x^(1/3)", {}),
    ("x + 10^-35", "x", {}),
    ("(x, 1)", "(1, 1)", dict(variables="x", mode="numeric")),
    ("((x+1)^2, 1)", "(x^2 + 2x + 1, 1)", dict(mode="expand")),
    ("(x+1)^2.0", "x^2 + 2x + 1", dict(mode="expand")),
    ("abs(x+1)^2", "x^2 + 2x + 1", dict(mode="expand")),
    ("(x^2-1, 1)", "((x-1)(x+1), 1)", dict(mode="factor")),
    ("((x^2-1)/(x-1), 1)", "(x+1, 1)", dict(mode="simplify")),
]


@pytest.mark.parametrize("answer, expected, kwargs", FALSE_ACCEPTS, ids=[a for a, _, _ in FALSE_ACCEPTS])
def test_known_false_accepts_are_rejected(answer, expected, kwargs):
    fb = check(answer, expected, timeout=2, **kwargs)
    assert not fb.correct and fb.score < 1, fb.message


RAISED = ["log(0)", "sqrt(-1)", "tan(pi/2)", "0.0/0.0", "cosh(cosh(2.0e102))", "exp(exp(10^99))",
          "asin(sin(1e400))", "１.５", "١٫٥", "1/0", "0^0", "(-8)^(1/3)", "x^(1/0)", "exp(10^400)",
          "sin(exp(exp(9)))", "10^-400", "(x-1)^999/(x-1)^998"]


@pytest.mark.parametrize("text", RAISED)
@pytest.mark.parametrize("mode", ["numeric", "equivalent", "expand", "taylor"])
def test_inputs_that_raised_give_feedback_within_the_bound(text, mode):
    t0 = time.perf_counter()
    extra = dict(point=0, order=2) if mode == "taylor" else {}
    fb = check(text, "1/6" if mode == "numeric" else "x", variables="" if mode == "numeric" else "x",
               mode=mode, timeout=1.0, **extra)
    assert fb.status in ("invalid", "incorrect", "undecided", "correct")
    assert time.perf_counter() - t0 < 2.0
