"""Exercise sets from the shipped specs, and every export of them."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import nbformat
import pytest
import sympy as sp

from symtutor import InvalidArgumentError
from symtutor.cli import main
from symtutor.exercises.sets import from_spec, load_spec
from symtutor.parsing import to_text
from symtutor.export import (
    Worksheet,
    dump,
    latex_engine,
    load,
    schema,
    to_latex,
    to_markdown,
    to_maxima,
    to_moodle,
    to_notebook,
    to_pdf,
)

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "exercises").glob("week*.yaml"))


@pytest.fixture(scope="module")
def sets():
    return [load_spec(p) for p in SPECS]


def test_one_spec_per_week(sets):
    assert [p.name for p in SPECS] == [f"week{w}.yaml" for w in range(1, 7)]
    for w, s in enumerate(sets, 1):
        assert s.title.startswith(f"Week {w}:")
        assert any(ex.topic == "written" for ex in s.items)
        assert any(ex.topic != "written" for ex in s.items)


def test_every_item_verifies(sets):
    for s in sets:
        for ex in s.items:
            ex.verify()


def test_the_course_practice_problems_are_there(sets):
    week3, week5 = sets[2], sets[4]
    layer = next(ex for ex in week3.items if "W = [[-2, 4, -1], [6, 0, -3]]" in ex.prompt)
    assert layer.answer == sp.Matrix([sp.tanh(1), -sp.tanh(1)])
    assert layer.check("(0.7616, -0.7616)").correct
    newton = [ex for ex in week5.items if "x^6/6 - 3x^4 - 2x^3/3 + 27x^2/2 + 18x - 30" in ex.prompt]
    assert len(newton) >= 1
    assert newton[0].check("1.0631").correct
    later = [ex for ex in week5.items if "x0 = 3.1" in ex.prompt]
    assert later and later[0].check("(2.521, 3.230)").correct
    lagrange = next(ex for ex in week5.items if "x^2 + 3(y + 1)^2 = 1" in ex.prompt)
    assert lagrange.check("(-0.09584, -0.4253)").correct
    # the oracle: the Lagrange conditions hold at the answer
    x, y, lam = sp.symbols("x y lambda")
    f = sp.exp(-(2 * x**2 + y**2 - x * y) / 2)
    g = x**2 + 3 * (y + 1) ** 2 - 1
    px, py = (float(v) for v in lagrange.answer)
    gf = [float(sp.diff(f, v).subs({x: px, y: py})) for v in (x, y)]
    gg = [float(sp.diff(g, v).subs({x: px, y: py})) for v in (x, y)]
    assert abs(gf[0] * gg[1] - gf[1] * gg[0]) < 1e-9
    assert abs(float(g.subs({x: px, y: py}))) < 1e-12


def test_json_round_trip_and_schema(sets):
    for s in sets:
        text = dump(s)
        data = json.loads(text)
        assert data["schema_version"] == 1
        jsonschema.validate(data, schema())
        assert load(text) == s
        assert dump(load(text)) == text


def test_json_refuses_other_versions_and_bad_files():
    s = from_spec({"title": "T", "items": [{"topic": "power_rule", "seed": 1}]})
    data = json.loads(dump(s))
    data["schema_version"] = 2
    with pytest.raises(InvalidArgumentError, match="schema_version 2"):
        load(json.dumps(data))
    data["schema_version"] = 1
    del data["items"][0]["answer"]
    with pytest.raises(InvalidArgumentError, match=r"item 1 \('power_rule-1-1'\), field 'answer': is missing"):
        load(json.dumps(data))


def test_specs_are_validated():
    with pytest.raises(InvalidArgumentError, match="title"):
        from_spec({"items": []})
    with pytest.raises(InvalidArgumentError, match="unknown field"):
        from_spec({"title": "T", "items": [{"topic": "power_rule", "colour": 3}]})
    with pytest.raises(InvalidArgumentError, match="item 1 \\('p'\\), field 'answer': is missing"):
        from_spec({"title": "T", "items": [{"prompt": "p"}]})


def test_markdown(sets):
    md = to_markdown(sets[0])
    assert md.startswith("# Week 1: derivatives and their rules")
    assert "## Answers" in md
    assert md.count("\n1. ") == 2


def test_moodle_xml_carries_every_question(sets):
    for s in sets:
        root = ET.fromstring(to_moodle(s))
        questions = [q for q in root if q.get("type") != "category"]
        assert len(questions) == len(s.items)
        for q, ex in zip(questions, s.items):
            assert q.find("name/text").text.endswith(ex.id)
            if q.get("type") == "numerical":
                error = abs(float(q.find("answer/text").text) - float(sp.N(ex.answer)))
                assert error <= float(q.find("answer/tolerance").text) + 1e-12
            else:
                assert q.get("type") == "stack"
                qvars = q.find("questionvariables/text").text
                assert qvars.startswith(f"ta: {to_maxima(ex.answer)};") or qvars.startswith("ta1: ")
                assert "[[input:ans1]]" in q.find("questiontext/text").text


def test_maxima_syntax():
    x = sp.Symbol("x")
    assert to_maxima(sp.E ** x * sp.pi) == "%pi*exp(x)"
    assert to_maxima(x ** sp.Rational(1, 2) + sp.Abs(x)) == "sqrt(x) + abs(x)"
    assert to_maxima(sp.Matrix([[1, x], [x**2, 0]])) == "matrix([1,x],[x^2,0])"


def test_notebook_is_valid_and_its_cells_check_answers(sets):
    text = to_notebook(sets[0])
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    setup = nb.cells[1].source
    namespace: dict = {}
    exec(compile(setup, "worksheet", "exec"), namespace)  # the notebook's own set-up cell
    ws = namespace["ws"]
    assert isinstance(ws, Worksheet)
    first = sets[0].items[0]
    assert ws.check(1, first.answer_text).correct
    assert not ws.check(1, "0").correct
    assert "ws.check(1, answer)" in nb.cells[3].source


def test_latex_documents(sets):
    sheet, key = to_latex(sets[1])
    assert sheet.count(r"\item") == len(sets[1].items)
    assert "Answer key" in key and key.count(r"\textbf{Answer:}") == len(sets[1].items)
    assert "\\begin{document}" in sheet and sheet.rstrip().endswith("\\end{document}")


def test_latex_compiles_to_pdf(tmp_path, sets):
    engine = latex_engine()
    if engine is None:
        if os.environ.get("SYMTUTOR_REQUIRE_LATEX"):
            pytest.fail("SYMTUTOR_REQUIRE_LATEX is set but no LaTeX engine is installed")
        pytest.skip("no LaTeX engine here; CI installs one and sets SYMTUTOR_REQUIRE_LATEX")
    for s in sets:
        sheet, key = to_pdf(s, tmp_path / "w.pdf")
        assert sheet.read_bytes().startswith(b"%PDF") and key.read_bytes().startswith(b"%PDF")


def test_cli_generate_formats(tmp_path, capsys):
    assert main(["generate", "chain_rule", "--seed", "7", "--difficulty", "2", "-n", "3", "--format", "json",
                 "-o", str(tmp_path / "c.json")]) == 0
    s = load((tmp_path / "c.json").read_text())
    assert [ex.id for ex in s.items] == ["chain_rule-2-7", "chain_rule-2-8", "chain_rule-2-9"]
    assert main(["generate", str(SPECS[1]), "--format", "tex", "-o", str(tmp_path / "w2.tex")]) == 0
    assert (tmp_path / "w2-key.tex").exists()
    assert main(["generate", "hessian", "--format", "ipynb", "-o", str(tmp_path / "h.ipynb")]) == 0
    nbformat.validate(nbformat.read(str(tmp_path / "h.ipynb"), as_version=4))
    capsys.readouterr()
    assert main(["generate", "power_rule", "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# Power rule (difficulty 1)")
    assert main(["generate", "nope"]) == 3
    assert main(["topics"]) == 0
    assert "newton_raphson" in capsys.readouterr().out


def _setup_worksheet(text):
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    namespace: dict = {}
    exec(compile(nb.cells[1].source, "worksheet", "exec"), namespace)  # the notebook's own set-up cell
    return nb, namespace["ws"]


def test_the_learner_notebook_holds_no_answer_key(sets):
    for s in sets:
        text = to_notebook(s)
        prompts = "".join(ex.prompt + ex.prompt_latex for ex in s.items)
        for ex in s.items:
            secrets = {ex.answer_text, sp.latex(ex.answer), *ex.solution}
            for secret in secrets:
                if len(secret) >= 5 and secret not in prompts:
                    assert secret not in text, (ex.id, secret)
                    assert json.dumps(secret)[1:-1] not in text, (ex.id, secret)
        assert "Answer:" not in text and "solution" not in text


def test_the_learner_notebook_checks_every_answer(sets):
    for s in sets:
        nb, ws = _setup_worksheet(to_notebook(s))
        assert len(ws) == len(s.items)
        for n, ex in enumerate(s.items, 1):
            assert ws.check(n, ex.answer_text).correct, ex.id
            wrong = to_text(ex.answer + 1) if not isinstance(ex.answer, sp.MatrixBase) else "0"
            assert not ws.check(n, wrong).correct, ex.id
            assert f"ws.check({n}, answer)" in nb.cells[2 * n + 1].source
        assert ws.check(len(s.items), "").status == "invalid"


def test_a_written_item_in_the_notebook_accepts_equivalent_forms_only():
    s = from_spec({"title": "T", "items": [
        {"prompt": "Expand (x + 1)^2 y.", "answer": "x^2 y + 2x y + y", "variables": ["x", "y"], "hints": ["Square first.", "x^2 y + 2x y + y"]},
        {"prompt": "sqrt(2) to 4 figures", "answer": "1.41421356", "mode": "numeric", "tolerance": {"sig": 4}},
        {"prompt": "A vector", "answer": "(x, 2x)", "variables": ["x"]}]})
    _, ws = _setup_worksheet(to_notebook(s))
    assert ws.check(1, "(x + 1)^2 y").correct and ws.check(1, "y(x^2 + 2x + 1)").correct
    assert not ws.check(1, "(x + 1)^2").correct and not ws.check(1, "x^2 y + 2x y").correct
    assert ws.check(2, "1.414").correct and ws.check(2, "sqrt(2)").correct and not ws.check(2, "1.413").correct
    assert ws.check(3, "(x, x + x)").correct and not ws.check(3, "x").correct and not ws.check(3, "(x, 3x)").correct
    assert ws.hint(1, 1) == "Square first." and ws.hint(1, 2) == "Square first."
    assert ws.check(1, "x +").status == "invalid"


def test_the_teachers_notebook_carries_the_set(sets):
    _, ws = _setup_worksheet(to_notebook(sets[0], answers=True))
    assert ws.check(1, sets[0].items[0].answer_text).correct


def test_markdown_answers_read_back(sets):
    from symtutor.parsing import parse

    for s in sets:
        md = to_markdown(s)
        typed = re.findall(r"\(typed: `([^`]*)`\)", md)
        assert len(typed) == len(s.items)
        for t, ex in zip(typed, s.items):
            value = parse(t, variables=ex.variables or None)
            assert sp.simplify(sp.Matrix(value) - sp.Matrix(ex.answer)) == sp.zeros(*sp.Matrix(ex.answer).shape) \
                if isinstance(ex.answer, sp.MatrixBase) else sp.simplify(value - ex.answer) == 0


def test_every_generated_exercise_round_trips_through_json_exactly():
    from symtutor.exercises import topics

    s = from_spec({"title": "all", "items": [{"topic": t, "difficulty": d, "seed": 3, "count": 2}
                                             for t in topics() for d in (1, 2, 3)]})
    text = dump(s)
    assert load(text) == s and dump(load(text)) == text
    jsonschema.validate(json.loads(text), schema())
    # a tampered generated item is no longer the generator's: it is checked field by field
    data = json.loads(text)
    data["items"][0]["prompt_latex"] = r"$\input{/etc/passwd}$"
    with pytest.raises(InvalidArgumentError, match=r"item 1 .*field 'prompt_latex'"):
        load(json.dumps(data))


def test_markdown_and_notebook_carry_no_html_from_a_spec():
    import json as _json

    from symtutor.export import to_markdown, to_notebook

    s = from_spec({"title": "T <script>alert(1)</script>\n# two", "description": "<img src=x onerror=alert(1)>",
                   "items": [{"prompt": "Is x < 3 & <b>bold</b>?", "answer": "1", "variables": ["x"]}]})
    md = to_markdown(s)
    nb = "".join(c["source"] for c in _json.loads(to_notebook(s))["cells"] if c["cell_type"] == "markdown")
    for text in (md, nb):
        assert "<script" not in text and "<img" not in text and "<b>" not in text and "&lt;img" in text
        assert text.startswith("# T &lt;script&gt;alert(1)&lt;/script&gt; # two\n")
    assert "$x < 3$" in md  # the maths is left as it is


def test_a_json_set_is_bounded_and_its_version_is_a_number():
    from symtutor.errors import InvalidArgumentError, SpecError
    from symtutor.export import load
    from symtutor.export.jsonfile import MAX_ITEMS

    with pytest.raises(InvalidArgumentError, match="schema_version True"):
        load('{"schema_version": true, "title": "T", "description": "", "items": []}')
    many = {"schema_version": 1, "title": "T", "description": "", "items": [{}] * (MAX_ITEMS + 1)}
    with pytest.raises(SpecError, match=f"at most {MAX_ITEMS} items"):
        load(json.dumps(many))


def test_a_json_set_gives_each_id_one_exercise():
    from symtutor.errors import SpecError
    from symtutor.export import dump, load

    data = json.loads(dump(from_spec({"title": "T", "items": [{"prompt": "p", "answer": "1", "id": "a"},
                                                               {"prompt": "q", "answer": "2", "id": "b"}]})))
    data["items"][1]["id"] = "a"
    with pytest.raises(SpecError, match="item 2, field 'id': 'a' is also the id of item 1"):
        load(json.dumps(data))
    data["items"][1] = data["items"][0]  # the same exercise twice is still one exercise
    assert len(load(json.dumps(data)).items) == 2


def test_a_json_set_refuses_control_characters_in_text():
    from symtutor.errors import SpecError
    from symtutor.export import dump, load

    data = json.loads(dump(from_spec({"title": "T", "items": [{"prompt": "p", "answer": "1"}]})))
    data["items"][0]["prompt"] = "p\x00"
    with pytest.raises(SpecError, match="field 'prompt': has the control character"):
        load(json.dumps(data))
