"""The Moodle export: STACK questions that survive STACK's importer and grade as symtutor does."""

from __future__ import annotations

import copy
import html
import dataclasses
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp

from symtutor import InvalidArgumentError
from symtutor.cli import main
from symtutor.diagnosis import MESSAGES, buggy_derivative
from symtutor.exercises.core import generate, topics
from symtutor.exercises.sets import ExerciseSet, from_spec, load_spec
from symtutor.export.maxima import to_maxima
from symtutor.export.moodle import VARIANT_STRIDE, numerical_answer, to_moodle
from symtutor.export.stack import _GREEK, stack_plan
from symtutor.parsing import parse as parse_text, to_text
from symtutor.render import expr_typed

from . import stack_rules as rules

SPECS = sorted((Path(__file__).resolve().parent.parent / "symtutor" / "data" / "exercises").glob("week*.yaml"))


@pytest.fixture(scope="module")
def weeks():
    """(set, XML root) for each of the six weeks."""
    out = []
    for path in SPECS:
        s = load_spec(path)
        out.append((s, to_moodle(s)))
    return out


@pytest.fixture(scope="module")
def generated():
    """Every topic at difficulty 2, two verified variants each."""
    s = from_spec({"title": "All topics", "items": [{"topic": t, "difficulty": 2, "seed": 3} for t in topics()]})
    return s, to_moodle(s, variants=2)


def _questions(xml: str):
    return [q for q in ET.fromstring(xml) if q.get("type") != "category"]


def _pairs(s: ExerciseSet, xml: str):
    qs = _questions(xml)
    if len(qs) != len(s.items):  # variants: each question's exercise from its id, topic-difficulty-seed
        for q in qs:
            topic, difficulty, seed = q.find("name/text").text.split(". ", 1)[1].rsplit("-", 2)
            yield q, generate(topic, seed=int(seed), difficulty=int(difficulty))
        return
    assert len(qs) == len(s.items)
    for q, ex in zip(qs, s.items):
        assert q.find("name/text").text.endswith(ex.id)
        yield q, ex


def test_six_weeks_follow_stack_and_moodle_rules(weeks):
    kinds = []
    for _, xml in weeks:
        assert rules.problems(xml) == []
        kinds += [q.get("type") for q in _questions(xml)]
    assert kinds.count("stack") >= 30 and kinds.count("numerical") >= 6


def test_generated_variants_follow_the_rules(generated):
    _, xml = generated
    assert rules.problems(xml) == []


def test_the_rules_catch_what_the_importer_drops_or_the_form_rejects(weeks):
    _, xml = weeks[0]
    root = ET.fromstring(xml)
    q = next(q for q in root if q.get("type") == "stack")

    def broken(change) -> list[str]:
        quiz = ET.Element("quiz")
        c = copy.deepcopy(q)
        change(c)
        quiz.append(c)
        return rules.problems(ET.tostring(quiz, encoding="unicode"))

    def untag(c):
        c.find("specificfeedback/text").text = ""

    def note(c):
        c.find("prt/node/falseanswernote").text = ""

    def same_note(c):
        nodes = c.findall("prt/node")
        nodes[1].find("trueanswernote").text = nodes[0].find("trueanswernote").text

    def loop(c):
        c.findall("prt/node")[-1].find("falsenextnode").text = "0"

    def option(c):
        c.find("prt/node/answertest").text = "NumSigFigs"

    def two_inputs(c):
        c.find("questiontext/text").text += " [[input:ans1]]"

    def no_version(c):
        c.remove(c.find("stackversion"))

    def bad_maxima(c):
        c.find("questionvariables/text").text = "ta: (x+;"

    for change, words in ((untag, "drops it"), (note, "answer note is required"), (same_note, "unique"),
                          (loop, "first node"), (option, "requires test options"), (two_inputs, "exactly once"),
                          (no_version, "stackversion"), (bad_maxima, "question variables")):
        found = broken(change)
        assert any(words in p for p in found), (change.__name__, found)

    num = next(q for _, x in weeks for q in ET.fromstring(x) if q.get("type") == "numerical")
    num = copy.deepcopy(num)
    num.find("answer").set("fraction", "50")
    quiz = ET.Element("quiz")
    quiz.append(num)
    assert any("100%" in p for p in rules.problems(ET.tostring(quiz, encoding="unicode")))


def _responses(q, value):
    names = [i.find("name").text for i in q.findall("input")]
    return {n: value for n in names}


def test_model_answer_scores_1_perturbed_0_and_question_tests_agree(weeks, generated):
    checked = 0
    for s, xml in [*weeks, generated]:
        every = xml is not generated[1]  # the variants: the model answer and the perturbed one
        for q, ex in _pairs(s, xml):
            if q.get("type") != "stack":
                continue
            for case in q.findall("qtest")[: None if every else 2]:
                responses = {ti.find("name").text: ti.find("value").text for ti in case.findall("testinput")}
                got = rules.grade(q, responses, ex.variables)
                assert got.score == pytest.approx(float(case.find("expected/expectedscore").text)), (ex.id, responses)
                assert got.notes[-1] == case.find("expected/expectedanswernote").text, (ex.id, responses, got)
            model = {ti.find("name").text: ti.find("value").text for ti in q.find("qtest").findall("testinput")}
            assert rules.grade(q, model, ex.variables).score == 1, ex.id
            typed = {name: to_maxima(value) for name, _, _, value in stack_plan(ex).inputs}
            assert rules.grade(q, typed, ex.variables).score == 1, ex.id
            first = q.find("input/name").text
            perturbed = dict(model, **{first: f"({model[first]})+1"})
            assert rules.grade(q, perturbed, ex.variables).score == 0, ex.id
            checked += 1
    assert checked > 60


def test_each_telling_wrong_answer_scores_0_with_symtutors_message(weeks):
    tags = set()
    for s, xml in weeks:
        for q, ex in _pairs(s, xml):
            if q.get("type") != "stack":
                continue
            plan = stack_plan(ex)
            for k, w in enumerate(plan.wrong, 1):
                if len(plan.inputs) == 1:
                    responses = {"ans1": f"w{k}"}
                else:  # a number per input: the wrong answer's entries
                    responses = {name: to_maxima(sp.sympify(e)) for (name, *_), e in zip(plan.inputs, w.value)}
                got = rules.grade(q, responses, ex.variables)
                assert got.score == 0
                assert got.notes[-1].endswith(f"-T {w.tag}")
                assert got.feedback[-1] == f"<p>{html.escape(w.message, quote=False)}</p>"
                assert len(got.feedback) == (1 if len(plan.inputs) == 1 else 2)  # and "Entry i is not right."
                assert not ex.check(to_text(w.value), diagnose=False).correct, (ex.id, w.tag)
                tags.add(w.tag)
    assert {"chain_rule_inner_missing", "product_rule_as_product", "quotient_rule_sign", "transposed",
            "missing_mixed_partials", "taylor_missing_factorial", "sign_error", "wrong_variable",
            "original_function", "components_swapped"} <= tags


def test_wrong_answers_are_the_mistakes_themselves():
    ex = generate("product_rule", seed=1)
    f, x = dict(ex.options)["function"], sp.Symbol("x")
    wrong = {w.tag: w for w in stack_plan(ex).wrong}
    assert sp.simplify(wrong["product_rule_as_product"].value - sp.diff(x**2, x) * sp.diff(sp.exp(x), x)) == 0
    assert wrong["product_rule_as_product"].value == buggy_derivative(f, x, "product_rule_as_product")
    assert wrong["product_rule_as_product"].message == MESSAGES["product_rule_as_product"]
    assert wrong["sign_error"].value == -ex.answer
    jac = generate("jacobian", seed=2)
    assert {w.tag: w.value for w in stack_plan(jac).wrong}["transposed"] == jac.answer.T
    taylor = generate("taylor_1d", seed=4)
    t = {w.tag: w.value for w in stack_plan(taylor).wrong}["taylor_missing_factorial"]
    xs = sp.Symbol("x")
    assert sp.expand(t - (1 - xs + xs**2 - xs**3 + xs**4)) == 0  # e^(-x) without the 1/n!


def test_no_wrong_answer_repeats_or_equals_the_right_one(weeks):
    for s, _ in weeks:
        for ex in s.items:
            values = [ex.answer] + [w.value for w in stack_plan(ex).wrong]
            for i, a in enumerate(values):
                for b in values[:i]:
                    assert not rules.equivalent(a, b), (ex.id, a, b)


def test_wrong_answers_that_differ_by_a_number_are_told_apart():
    # x (x^2 + 4): leaving out a coefficient gives 2x^2 + 4, the second term alone 2x^2;
    # their difference has no variable left, and the export stopped on it
    ex = generate("product_rule", seed=5, difficulty=2)
    wrong = {w.tag: w.value for w in stack_plan(ex).wrong}
    x = sp.Symbol("x")
    assert wrong["power_rule_coefficient_missing"] == 2 * x**2 + 4
    assert wrong["product_rule_second_term"] == 2 * x**2
    assert rules.problems(to_moodle(ExerciseSet("T", (ex,)))) == []


def test_sig_fig_items_are_marked_by_significant_figures(weeks):
    s, xml = weeks[4]
    q, ex = next((q, ex) for q, ex in _pairs(s, xml) if "(x1, x2)" in ex.prompt)
    nodes = [n for n in q.findall("prt/node") if n.find("sans").text.startswith("ans")]  # then the mistakes
    # no tolerance: the decimal policy, a decimal of k >= 4 figures is the value rounded to k
    assert {n.find("answertest").text for n in nodes} == {"NumSigFigs"}
    assert [n.find("testoptions").text for n in nodes][:13] == [str(k) for k in range(4, 16)] + ["[16,-1]"]
    assert all(n.find("quiet").text == "1" for n in nodes)  # no "wrong number of figures" on the way
    grade = lambda a, b: rules.grade(q, {"ans1": a, "ans2": b}, ex.variables).score  # noqa: E731
    for right in (("2.5206", "3.2298"), ("2.521", "3.230"), ("2.52062", "3.22981"), ("2.520620", "3.2298100000")):
        assert grade(*right) == 1 and ex.check(f"({right[0]}, {right[1]})").correct, right
    for wrong in (("2.5", "3.2"), ("2.5216", "3.2298"), ("2.5206", "-3.2298"), ("2.5207", "3.2298"),
                  ("2.52063", "3.22981")):  # 2.5207 is right to 4 figures, wrong in the 5th it gives
        assert grade(*wrong) == 0 and not ex.check(f"({wrong[0]}, {wrong[1]})").correct, wrong


def test_a_decimal_answer_needs_its_figures_even_typed_exactly():
    ex = dataclasses.replace(load_spec(SPECS[4]).items[-2], answer=sp.ImmutableMatrix([sp.Float("2.5"), 3]))
    q = _questions(to_moodle(ExerciseSet("T", (ex,))))[0]
    assert q.find("qtest/testinput/value").text == "2.500"  # the model answer to 4 figures
    assert rules.grade(q, {"ans1": "2.500", "ans2": "3.000"}, ()).score == 1 and ex.check("(2.500, 3.000)").correct
    assert rules.grade(q, {"ans1": "2.5", "ans2": "3.000"}, ()).score == 0 and not ex.check("(2.5, 3.000)").correct
    assert rules.grade(q, {"ans1": "2.600", "ans2": "3.000"}, ()).score == 0


def test_a_vector_is_marked_by_the_decimal_policy_whatever_its_tolerance():
    ex = load_spec(SPECS[4]).items[-2]
    tolerant = dataclasses.replace(ex, options=(("tolerance", {"sig": 4}),))
    assert stack_plan(tolerant) == stack_plan(ex)  # symtutor holds only a single number to a tolerance
    assert not tolerant.check("(2.5207, 3.2298)").correct
    one = dataclasses.replace(generate("newton_raphson", seed=5), mode="numeric", options=(("tolerance", {"sig": 3}),))
    assert [(n.test, n.options) for n in stack_plan(one).nodes] == [("NumSigFigs", "[3,-1]")]
    exact = dataclasses.replace(one, options=())
    assert [(n.test, n.options) for n in stack_plan(exact).nodes] == [("NumRelative", "1e-09")]


def test_exact_constants_accept_the_exact_value_or_its_rounding():
    ex = load_spec(SPECS[2]).items[5]  # a = tanh(W x + b) = (tanh(1), -tanh(1))
    assert ex.answer.free_symbols == set() and not ex.answer.has(sp.Float)
    xml = to_moodle(ExerciseSet("T", (ex,)))
    assert rules.problems(xml) == []
    q = _questions(xml)[0]
    assert "exactly, or as a decimal to at least 3 significant figures" in q.find("questiontext/text").text
    assert [n.find("answertest").text for n in q.findall("prt/node")][:3] == ["AlgEquiv", "NumSigFigs", "NumSigFigs"]
    grade = lambda a, b: rules.grade(q, {"ans1": a, "ans2": b}, ex.variables).score  # noqa: E731
    for right in (("tanh(1)", "-tanh(1)"), ("0.7616", "-0.7616"), ("0.762", "-0.76159"), ("0.76159416", "-0.762")):
        assert grade(*right) == 1 and ex.check(f"({right[0]}, {right[1]})").correct, right
    for wrong in (("0.76", "-0.76"), ("0.7617", "-0.7616"), ("0.7616", "0.7616"), ("tanh(2)", "-tanh(1)")):
        assert grade(*wrong) == 0 and not ex.check(f"({wrong[0]}, {wrong[1]})").correct, wrong
    asked = generate("neuron_forward", seed=3, difficulty=3)  # "to 4 significant figures"
    q = _questions(to_moodle(ExerciseSet("T", (asked,))))[0]
    assert q.findall("prt/node")[1].find("testoptions").text == "4"
    assert rules.grade(q, {"ans1": "0.3799", "ans2": "0.8367"}, ()).score == 1
    assert rules.grade(q, {"ans1": "0.3799", "ans2": "0.8368"}, ()).score == 0


def test_numerical_questions_accept_what_symtutor_accepts(weeks):
    seen = 0
    for s, xml in weeks:
        for q, ex in _pairs(s, xml):
            if q.get("type") != "numerical":
                continue
            answer, tol = float(q.find("answer/text").text), float(q.find("answer/tolerance").text)
            exact = float(sp.N(ex.answer, 30))
            assert abs(answer - exact) <= tol + 1e-15
            assert ex.check(q.find("answer/text").text).correct, ex.id
            if tol:
                assert not ex.check(repr(exact + 3 * tol)).correct, ex.id
            seen += 1
    assert seen >= 6
    ex = dataclasses.replace(generate("newton_raphson", seed=5), options=(("tolerance", {"sig": 3}),))
    assert numerical_answer(ex)[:2] == ("-1.33", "0.005")


def test_text_is_escaped_and_maths_only_where_symtutor_put_it():
    ex = dataclasses.replace(
        generate("chain_rule", seed=1),
        prompt_latex="<script>alert(1)</script> a<b & c [[input:ans1]] {@x@} {#y#} $$ and $x^2$, 5$",
        solution=("[[feedback:prt1]] {@evil@}", "Answer: 1"),
    )
    xml = to_moodle(ExerciseSet("T <b>", (ex,)))
    assert rules.problems(xml) == []
    q = _questions(xml)[0]
    text = q.find("questiontext/text").text
    assert "<script" not in text and "&lt;script&gt;" in text and "a&lt;b &amp; c" in text
    assert text.count("[[input:ans1]]") == 1 and "{@" not in text and "{#" not in text
    assert r"\(x^2\), 5&#36;" in text and "$" not in text
    feedback = q.find("generalfeedback/text").text
    assert re.findall(r"\{@.*?@\}", feedback) == ["{@ta@}"] and "[[feedback" not in feedback
    assert q.find("specificfeedback/text").text == "[[feedback:prt1]]"


def test_inputs_read_symtutors_syntax():
    for topic, stars in (("partial_derivatives", "5"), ("jacobian", "5")):
        q = _questions(to_moodle(from_spec({"title": "T", "items": [{"topic": topic, "seed": 1}]})))[0]
        inp = q.find("input")
        assert inp.find("insertstars").text == stars  # implied multiplication, spaces, single-letter names
        assert "diff" in inp.find("forbidwords").text.split(",")
    assert q.find("input/type").text == "matrix"
    gauss = load_spec(SPECS[5]).items[-1]
    assert "mu" in gauss.variables and stack_plan(gauss).insertstars == 5  # Greek names are kept whole
    assert _GREEK <= rules.PROTECTED  # only names STACK's single-letter splitting leaves alone
    kappa = dataclasses.replace(generate("partial_derivatives", seed=1), variables=("x", "kappa"))
    assert stack_plan(kappa).insertstars == 4


def test_variants_are_categories_of_verified_seeds(generated):
    s, xml = generated
    root = ET.fromstring(xml)
    paths = [q.find("category/text").text for q in root if q.get("type") == "category"]
    assert paths == [f"$course$/symtutor/All topics/{ex.id}" for ex in s.items]
    groups, current = {}, None
    for q in root:
        if q.get("type") == "category":
            current = q.find("category/text").text.rsplit("/", 1)[1]
            groups[current] = []
        else:
            groups[current].append(q.find("name/text").text.split(". ", 1)[1])
    for ex in s.items:
        ids = groups[ex.id]
        assert len(ids) == 2 and ids[0] == ex.id and len(set(ids)) == 2
        seed = int(ids[1].rsplit("-", 1)[1])
        assert (seed - ex.seed) % VARIANT_STRIDE == 0
        generate(ex.topic, seed=seed, difficulty=ex.difficulty).verify()
    small = ExerciseSet(s.title, s.items[:3])
    once = to_moodle(small, variants=2)
    assert once == to_moodle(small, variants=2)  # same seeds, same bytes
    assert once[: once.rindex("</question>")] in xml  # and the same as in the whole set


def test_variants_must_be_a_positive_whole_number():
    s = from_spec({"title": "T", "items": [{"topic": "chain_rule", "seed": 1}]})
    for bad in (0, -1, 1.5, True):
        with pytest.raises(InvalidArgumentError):
            to_moodle(s, variants=bad)


def test_cli_exports_variants(tmp_path):
    out = tmp_path / "q.xml"
    assert main(["generate", "chain_rule", "-n", "2", "--format", "moodle", "--variants", "3", "-o", str(out)]) == 0
    xml = out.read_text(encoding="utf-8")
    assert rules.problems(xml) == []
    assert len(_questions(xml)) == 6


def test_expand_and_factor_items_test_the_form_after_the_value():
    s = from_spec({"title": "Forms", "items": [
        {"prompt": "Expand (x + 1)^2.", "answer": "x^2 + 2x + 1", "variables": ["x"], "mode": "expand"},
        {"prompt": "Factor x^2 - x - 2.", "answer": "(x + 1)(x - 2)", "variables": ["x"], "mode": "factor"}]})
    xml = to_moodle(s)
    assert rules.problems(xml) == []
    (expand, ex1), (factor, ex2) = _pairs(s, xml)
    assert [n.find("answertest").text for n in expand.findall("prt/node")][:2] == ["AlgEquiv", "Expanded"]
    assert [n.find("answertest").text for n in factor.findall("prt/node")][:2] == ["AlgEquiv", "FacForm"]
    assert factor.findall("prt/node")[1].find("testoptions").text == "x"
    assert rules.grade(expand, {"ans1": "x^2+2*x+1"}, ex1.variables).score == 1
    half = rules.grade(expand, {"ans1": "(x+1)^2"}, ex1.variables)
    assert half.score == 0.5 and half.notes[-1] == "prt1-2-F not_expanded"
    assert MESSAGES["not_expanded"] in half.feedback[-1]
    assert rules.grade(factor, {"ans1": "(x-2)*(x+1)"}, ex2.variables).score == 1
    assert rules.grade(factor, {"ans1": "x^2-x-2"}, ex2.variables).score == 0.5
    assert rules.grade(factor, {"ans1": "x^2-x+2"}, ex2.variables).score == 0


@pytest.mark.parametrize("typed, stars, means", [
    ("6x y", 5, "6*x*y"), ("6xy", 5, "6*x*y"), ("2x sin(x^2)", 5, "2*x*sin(x^2)"), ("e^(x y)", 5, "exp(x*y)"),
    ("ln(x)", 5, "log(x)"), ("xsin(x)", 5, "x*sin(x)"), ("x^2 exp(x) + 2x exp(x)", 5, "(x^2 + 2*x)*exp(x)"),
    ("2sigma^2 mu", 5, "2*sigma^2*mu"), ("r cos(theta)", 5, "r*cos(theta)"), ("2(x + 1)(x - 1)", 4, "2*x^2 - 2"),
    ("x(x + 1)", 5, "x^2 + x"), ("2pi x", 4, "2*pi*x"), ("-x y/2", 4, "-x*y/2"), ("xy", 4, "xy"),
])
def test_stack_reads_a_learners_typing_with_the_inputs_insert_stars(typed, stars, means):
    assert sp.simplify(rules.read_typed(typed, stars) - parse_text(means)) == 0


@pytest.mark.parametrize("typed", ["sin x", "sin^2(x)", "arcsin(x)", "x(y + 1)"])
def test_what_stack_refuses_that_symtutor_reads(typed):
    with pytest.raises(rules.StackInvalid):
        rules.stack_reads(typed, 5)


def _typed_response(q, plan, values, compact=False) -> dict[str, str]:
    """Each input's value as a learner types it in symtutor's syntax, as STACK reads it."""
    out = {}
    if len(plan.inputs) > 1 and len(values) == 1:  # a number per input: the entries of one answer
        values = list(values[0])
    for (name, kind, _, _), value in zip(plan.inputs, values):
        stars = int(next(i for i in q.findall("input") if i.find("name").text == name).find("insertstars").text)

        def read(v):
            text = expr_typed(v)
            if compact:  # 6x y typed 6xy: one-letter names run together
                text = re.sub(r"(?<=\b[a-z]) (?=[a-z]\b)", "", text)
            return rules.stack_reads(text, stars)

        if kind == "matrix":
            out[name] = "matrix(" + ",".join("[" + ",".join(read(v) for v in row) + "]"
                                             for row in value.tolist()) + ")"
        else:
            out[name] = read(value)
    return out


def test_answers_typed_in_symtutors_syntax_are_marked_by_stack_as_by_symtutor(weeks, generated):
    checked = 0
    for s, xml in [*weeks, generated]:
        for q, ex in _pairs(s, xml):
            if q.get("type") != "stack":
                continue
            plan = stack_plan(ex)
            values = [value for _, _, _, value in plan.inputs]
            for compact in (False, True):
                got = rules.grade(q, _typed_response(q, plan, values, compact), ex.variables)
                assert got.score == 1, (ex.id, compact, _typed_response(q, plan, values, compact))
            checked += 1
            if xml is generated[1]:
                continue  # the variants: the right answer
            for k, w in enumerate(plan.wrong, 1):
                got = rules.grade(q, _typed_response(q, plan, [w.value]), ex.variables)
                assert got.score == 0 and got.notes[-1].endswith(f"-T {w.tag}"), (ex.id, w.tag)
    assert checked >= 35 + 40


def test_fractions_whose_roundings_symtutor_accepts_are_marked_by_figures_with_the_mistakes_kept():
    s = from_spec({"title": "T", "items": [
        {"prompt": "Where is the minimum?", "answer": "(1/3, -2/3)", "variables": []},
        {"prompt": "Where is the maximum?", "answer": "(1/2, -5/2)", "variables": []}]})
    xml = to_moodle(s)
    assert rules.problems(xml) == []
    (thirds, ex), (halves, _) = _pairs(s, xml)
    assert [i.find("name").text for i in thirds.findall("input")] == ["ans1", "ans2"]
    assert halves.find("input/type").text == "matrix"  # 0.5 and -2.5 are the values themselves: AlgEquiv
    grade = lambda a, b: rules.grade(thirds, {"ans1": a, "ans2": b}, ())  # noqa: E731
    for right in (("1/3", "-2/3"), ("0.333", "-0.667"), ("0.3333", "-2/3")):
        assert grade(*right).score == 1 and ex.check(f"({right[0]}, {right[1]})").correct, right
    for wrong in (("0.33", "-0.67"), ("0.334", "-0.667")):
        assert grade(*wrong).score == 0 and not ex.check(f"({wrong[0]}, {wrong[1]})").correct, wrong
    swapped = grade("-2/3", "1/3")
    assert swapped.score == 0 and swapped.notes[-1].endswith("-T components_swapped")
    assert "wrong order" in swapped.feedback[-1]


@pytest.mark.parametrize("name", ["e", "i", "pi", "lambda", "diff"])
def test_a_variable_stack_reads_as_something_else_is_a_one_line_error(name):
    answer = f"2{name} x" if name != "diff" else "2 diff x"
    s = from_spec({"title": "T", "items": [{"prompt": "Differentiate.", "answer": answer, "variables": ["x", name]}]})
    with pytest.raises(InvalidArgumentError, match=f"STACK reads the variable {name} as"):
        to_moodle(s)
