"""Generators: every topic and difficulty generates, verifies itself and is deterministic."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
import sympy as sp

from symtutor import InvalidArgumentError
from symtutor.exercises import TOPICS, generate, topics
from symtutor.export import dump
from symtutor.exercises.sets import from_spec
from symtutor.parsing import parse, to_text
from symtutor.render import expr_typed

ALL = [(t, d) for t in topics() for d in (1, 2, 3)]


def test_every_week_and_topic_of_the_course_is_there():
    expected = {
        1: ["rise_over_run", "power_rule", "product_rule", "quotient_rule", "chain_rule", "mixed_rules"],
        2: ["partial_derivatives", "total_derivative", "gradient", "jacobian", "hessian"],
        3: ["multivariate_chain_rule", "neuron_forward", "network_derivative"],
        4: ["taylor_1d", "linearization", "taylor_2d"],
        5: ["newton_raphson", "gradient_descent_step", "newton_step", "lagrange_multipliers"],
        6: ["linear_regression", "least_squares_gradient"],
    }
    for week, ids in expected.items():
        assert [t.id for t in TOPICS.values() if t.week == week] == ids
    for t in TOPICS.values():
        assert t.description and len(t.levels) == 3 and all(t.levels)


@pytest.mark.parametrize("topic, difficulty", ALL)
def test_generates_and_verifies_itself_over_many_seeds(topic, difficulty):
    for seed in range(6):
        ex = generate(topic, seed=seed, difficulty=difficulty)
        assert ex.id == f"{topic}-{difficulty}-{seed}"
        assert ex.prompt and ex.prompt_latex and len(ex.hints) >= 2 and ex.solution
        ex.verify()
        assert ex.check(ex.answer_text).correct
        assert generate(topic, seed=seed, difficulty=difficulty) == ex


def test_answers_are_expressions_or_column_vectors():
    for topic, difficulty in ALL:
        ex = generate(topic, seed=11, difficulty=difficulty)
        if isinstance(ex.answer, sp.MatrixBase):
            assert ex.answer.cols == 1 or topic in ("jacobian", "hessian")
        else:
            assert isinstance(ex.answer, sp.Expr)


def test_seeds_give_different_exercises():
    prompts = {generate("chain_rule", seed=s, difficulty=2).prompt for s in range(20)}
    assert len(prompts) >= 8


_SCRIPT = """
import sys
from symtutor.exercises.sets import from_spec
from symtutor.export import dump
from symtutor.exercises import topics
spec = {"title": "all", "items": [{"topic": t, "difficulty": d, "seed": 5} for t in topics() for d in (1, 2, 3)]}
sys.stdout.write(dump(from_spec(spec)))
"""


def test_byte_identical_under_any_hash_seed():
    outputs = set()
    for hashseed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=hashseed)
        res = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, env=env, timeout=300)
        assert res.returncode == 0, res.stderr.decode()
        outputs.add(res.stdout)
    assert len(outputs) == 1
    here = dump(from_spec({"title": "all", "items": [{"topic": t, "difficulty": d, "seed": 5} for t, d in ALL]}))
    assert outputs == {here.encode()}


_SWEEP = """
import sys
import sympy as sp
from sympy.core.cache import clear_cache
from symtutor import parse
from symtutor.exercises import generate, topics
from symtutor.exercises.sets import from_spec
from symtutor.export import dump, to_latex, to_markdown, to_moodle, to_notebook
from symtutor.writing import to_text

if sys.argv[1] == "after":  # what a long-running process (a server, a notebook, a test run) may have done before
    for t in reversed(topics()):
        for d in (3, 2, 1):
            generate(t, seed=3, difficulty=d)
    clear_cache()  # symtutor and the modules keep the symbols they made; SymPy's caches start afresh
    for text in ["x^2 exp(x) + 2x exp(x) - (x^2 + 2*x)*exp(x)", "sin(x)^2 + cos(x)^2", "(x + 1)^3 - (x - 1)^3",
                 "tanh(b + w x)^2 - 1", "exp(x y)/(1 + exp(x y))", "log(x^2 y) - 2 log(x)", "(a - b)^2 (a + b)",
                 "2 (1 - tanh(b + w x)^2) (tanh(b + w x) - y)", "1/(1 + exp(-(w x + b)))"]:
        e = parse(text)
        sp.simplify(e), sp.expand(e), sp.factor(e), sp.trigsimp(e)
    for t in list(topics())[::2]:
        generate(t, seed=4, difficulty=2)
    for i in range(1500):  # SymPy keeps Symbol("x") in a bounded cache: evict every earlier one
        sp.Symbol(f"_evict{i}")
out = []
for t in topics():
    for d in (1, 2, 3):
        for seed in (0, 5):
            ex = generate(t, seed=seed, difficulty=d)
            out += [ex.id, ex.prompt, ex.prompt_latex, to_text(ex.answer), sp.srepr(ex.answer), *ex.hints,
                    *ex.solution, repr(ex.options)]
items = [{"topic": t, "difficulty": d, "seed": 5} for t in topics() for d in (1, 2, 3)]
s = from_spec({"title": "all", "items": items})
out += [dump(s), to_markdown(s), *to_latex(s), to_moodle(s), to_notebook(s)]
sys.stdout.write("\\n".join(out))
"""


def test_same_seed_same_bytes_whatever_ran_before():
    # every topic's answer (its very structure), prompts, hints and steps, and every export,
    # in a fresh process and in one that generated, simplified and cleared SymPy's caches first
    runs = {}
    for when in ("fresh", "after"):
        res = subprocess.run([sys.executable, "-c", _SWEEP, when], capture_output=True, timeout=300)
        assert res.returncode == 0, res.stderr.decode()[-3000:]
        runs[when] = res.stdout.decode().splitlines()
    fresh, after = runs["fresh"], runs["after"]
    assert len(fresh) > 1000
    first = next((i for i, (a, b) in enumerate(zip(fresh, after)) if a != b), None)
    assert first is None and len(fresh) == len(after), (first, fresh[first - 3:first + 1], after[first:first + 1])


def test_bad_arguments():
    with pytest.raises(InvalidArgumentError, match="Did you mean 'chain_rule'"):
        generate("chain_rul", seed=1)
    with pytest.raises(InvalidArgumentError, match="difficulty must be 1, 2 or 3"):
        generate("chain_rule", seed=1, difficulty=4)
    with pytest.raises(InvalidArgumentError, match="seed must be"):
        generate("chain_rule", seed=-1)


def test_hints_are_graded_towards_the_answer():
    ex = generate("product_rule", seed=2, difficulty=1)
    assert "product rule" in ex.hints[0]
    assert "f' g + f g'" in ex.hints[1]
    assert "d/dx" in ex.hints[2]


def test_exercise_checks_learner_answers_with_diagnosis():
    from symtutor.diagnosis import buggy_derivative
    from symtutor.parsing import to_text

    for seed in range(5):
        ex = generate("chain_rule", seed=seed, difficulty=2)
        f = dict(ex.options)["function"]
        wrong = buggy_derivative(f, sp.Symbol("x"), "chain_rule_inner_missing")
        fb = ex.check(to_text(wrong))
        assert fb.status == "incorrect"
        assert fb.diagnosis == "chain_rule_inner_missing", (f, fb.message)
    assert ex.check(ex.answer_text + " +").status == "invalid"


def test_the_topic_catalogue_in_docs_is_up_to_date():
    from pathlib import Path

    from symtutor.exercises.catalog import catalog_markdown

    doc = Path(__file__).resolve().parent.parent / "docs" / "topics.md"
    assert doc.read_text(encoding="utf-8") == catalog_markdown()


def test_newton_raphson_never_starts_at_a_root_or_a_flat_point():
    x = sp.Symbol("x")
    for difficulty, seeds in ((1, range(100)), (2, range(100)), (3, range(20))):
        for seed in seeds:
            ex = generate("newton_raphson", seed=seed, difficulty=difficulty)
            m = re.search(r"f\(x\) = (.+) from x0 = (-?\d+)\.", ex.prompt)
            f, x0 = parse(m.group(1), variables=["x"]), sp.Integer(m.group(2))
            assert f.subs(x, x0) != 0, ex.id
            assert sp.diff(f, x).subs(x, x0) != 0, ex.id


def test_taylor_exercises_never_ask_for_the_polynomial_of_a_polynomial():
    plan = [("taylor_1d", 2, range(100)), ("taylor_1d", 1, range(20)), ("taylor_1d", 3, range(20)),
            ("linearization", 1, range(20)), ("linearization", 2, range(60)), ("linearization", 3, range(20)),
            ("taylor_2d", 1, range(10)), ("taylor_2d", 2, range(10)), ("taylor_2d", 3, range(20))]
    for topic, difficulty, seeds in plan:
        for seed in seeds:
            ex = generate(topic, seed=seed, difficulty=difficulty)
            f = dict(ex.options)["function"]
            if len(ex.variables) == 1:
                assert not f.is_polynomial(sp.Symbol("x")), (ex.id, f)
            assert sp.expand(ex.answer - f) != 0, (ex.id, f)  # never the function itself


def test_rise_over_run_brackets_negative_numbers_and_fractions():
    for seed in range(100):
        ex = generate("rise_over_run", seed=seed, difficulty=2)
        line = ex.solution[1]
        assert not re.search(r"[-+*/] ?-\d", line), line
        assert not re.search(r"\)/\d+/\d", line), line
        assert parse(line.split("=", 1)[1]) == ex.answer  # the bracketed arithmetic reads back as the answer


def test_prompts_solutions_and_latex_over_every_topic():
    from symtutor._texsafe import safe_latex

    for topic, difficulty in ALL:
        for seed in range(5):
            ex = generate(topic, seed=seed, difficulty=difficulty)
            # prompts as typed, without stars
            assert not re.search(r"(?<!\d)\*|\*(?!\d)", ex.prompt), (ex.id, ex.prompt)
            for value in (ex.answer, dict(ex.options).get("function")):
                if value is not None:
                    assert parse(expr_typed(value)) == parse(to_text(value)), (ex.id, expr_typed(value))
            # steps never write "- -3" or "/1/2"
            for line in ex.solution:
                assert not re.search(r"[-+*/] -\d|/\d+/\d", line), (ex.id, line)
            safe_latex(ex.prompt_latex)
    assert expr_typed(4 * sp.Symbol("x") ** 2 * sp.Symbol("y")) == "4x^2 y"
