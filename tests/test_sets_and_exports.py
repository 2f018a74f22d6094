"""Exercise sets from the shipped specs, and every export of them."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import nbformat
import pytest
import sympy as sp

from symtutor import InvalidArgumentError
from symtutor.cli import main
from symtutor.exercises.sets import from_spec, load_spec
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
    with pytest.raises(InvalidArgumentError, match="not a valid exercise set"):
        load(json.dumps(data))


def test_specs_are_validated():
    with pytest.raises(InvalidArgumentError, match="title"):
        from_spec({"items": []})
    with pytest.raises(InvalidArgumentError, match="unknown field"):
        from_spec({"title": "T", "items": [{"topic": "power_rule", "colour": 3}]})
    with pytest.raises(InvalidArgumentError, match="needs 'answer'"):
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
                assert float(q.find("answer/text").text) == pytest.approx(float(sp.N(ex.answer)))
            else:
                assert q.get("type") == "stack"
                assert q.find("questionvariables/text").text == f"ta: {to_maxima(ex.answer)};"
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
