"""Exercise-set specs are read with bounds and validated, item by item and field by field, before generating."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from symtutor import InvalidArgumentError, SymtutorError
from symtutor.errors import SpecError
from symtutor.exercises.sets import from_spec, load_spec
from symtutor.exercises.spec import MAX_BYTES, read_yaml, validate
from symtutor.export import dump, load

BILLION_LAUGHS = """title: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
items: [{topic: power_rule, count: 1}]
"""


def _write(tmp_path, text, name="week2.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_billion_laughs_is_refused_at_once_in_little_memory(tmp_path):
    p = _write(tmp_path, BILLION_LAUGHS)
    start = time.perf_counter()
    with pytest.raises(SpecError, match=r"^week2.yaml: line 1, column 8: anchors"):
        load_spec(p)
    assert time.perf_counter() - start < 1.0
    tracemalloc.start()
    try:
        with pytest.raises(SpecError):
            load_spec(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20


def test_aliases_without_anchors_and_merge_keys_are_refused():
    with pytest.raises(SpecError, match="aliases|anchors"):
        read_yaml("a: *x")
    with pytest.raises(SpecError, match="anchors"):
        read_yaml("base: &b {topic: gradient}\nitems: [{<<: *b, count: 2}]")


@pytest.mark.parametrize("tag", ["!!python/object:os.system", "!!python/object/apply:os.system", "!!binary",
                                 "!custom", "!!set", "!!timestamp"])
def test_tags_are_refused_in_one_line(tag):
    with pytest.raises(SpecError) as info:
        read_yaml(f"title: {tag} 'x'\nitems: []", source="w.yaml")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("w.yaml: line 1") and "tags" in msg


def test_syntax_errors_name_the_file_and_line(tmp_path):
    p = _write(tmp_path, "title: T\nitems: [\n  {topic: x\n")
    with pytest.raises(SpecError) as info:
        load_spec(p)
    assert str(info.value).startswith("week2.yaml: line ")
    assert "\n" not in str(info.value) and "unicode string" not in str(info.value)


def test_file_size_depth_duplicates_and_encoding_are_bounded(tmp_path):
    big = _write(tmp_path, "title: T\ndescription: '" + "x" * (MAX_BYTES + 10) + "'\nitems: []\n")
    with pytest.raises(SpecError, match="larger than"):
        load_spec(big)
    with pytest.raises(SpecError, match="nested more than"):
        read_yaml("a: " + "[" * 5000 + "]" * 5000)
    with pytest.raises(SpecError, match="appears twice"):
        read_yaml("title: A\ntitle: B\nitems: []")
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"title: \xff\n")
    with pytest.raises(SpecError, match="not UTF-8"):
        load_spec(bad)
    with pytest.raises(SpecError, match="no such spec file"):
        load_spec(tmp_path / "missing.yaml")
    with pytest.raises(SpecError, match="folder"):
        load_spec(tmp_path)


def _spec(*items, title="T"):
    return {"title": title, "items": list(items)}


def test_the_message_names_file_item_title_and_field():
    with pytest.raises(SpecError) as info:
        validate(_spec({"topic": "gradient"}, {"topic": "hessian"},
                       {"title": "Gradient of a quadratic", "topic": "gradient", "count": "many"}),
                 source="week2.yaml")
    assert str(info.value) == ("week2.yaml: item 3 ('Gradient of a quadratic'), field 'count': "
                               "must be an integer from 1 to 1000, not 'many'")


BAD_ITEMS = [
    ({"topic": "gradient", "count": 100000000}, "count", "from 1 to 1000"),
    ({"topic": "gradient", "count": True}, "count", "integer"),
    ({"topic": "gradient", "count": 0}, "count", "from 1 to 1000"),
    ({"topic": "gradient", "difficulty": 4}, "difficulty", "from 1 to 3"),
    ({"topic": "gradient", "seed": -1}, "seed", "integer"),
    ({"topic": "gradient", "seed": 1.5}, "seed", "integer"),
    ({"topic": "gradeint"}, "topic", "did you mean 'gradient'"),
    ({"topic": ["gradient"]}, "topic", "is not a topic"),
    ({"topic": "gradient", "colour": 3}, "colour", "unknown field"),
    ({"prompt": "p"}, "answer", "is missing"),
    ({"answer": "1"}, "prompt", "is missing"),
    ({"prompt": "p", "answer": "log(0)"}, "answer", "undefined"),
    ({"prompt": "p", "answer": "1/0"}, "answer", "undefined|zero"),
    ({"prompt": "p", "answer": "(1, log(0))"}, "answer", "undefined"),
    ({"prompt": "p", "answer": "1+"}, "answer", "cannot be read"),
    ({"prompt": "p", "answer": ["x"]}, "answer", "typed as text"),
    ({"prompt": "p", "answer": "x", "variables": ["1x"]}, "variables", "not a variable name"),
    ({"prompt": "p", "answer": "z", "variables": ["x"]}, "answer", "cannot be read"),
    ({"prompt": "p", "answer": "2x", "variables": ["x"], "function": "x^2", "wrt": "1+"}, "wrt", "variable name"),
    ({"prompt": "p", "answer": "2x", "variables": ["x"], "function": "x^2", "wrt": "y"}, "wrt", "one of the variables"),
    ({"prompt": "p", "answer": "1", "mode": "numeric", "tolerance": "lots"}, "tolerance", "positive number"),
    ({"prompt": "p", "answer": "1", "mode": "numeric", "tolerance": {"sig": 0}}, "tolerance", "from 1 to 15"),
    ({"prompt": "p", "answer": "1", "mode": "numeric", "tolerance": {"rel": -1}}, "tolerance", "positive"),
    ({"prompt": "p", "answer": "1", "mode": "numeric", "tolerance": {"abs": 1, "rel": 1}}, "tolerance", "must be"),
    ({"prompt": "p", "answer": "x", "variables": ["x"], "mode": "numeric"}, "answer", "must be a number"),
    ({"prompt": "p", "answer": "1 + x", "variables": ["x"], "mode": "taylor", "order": 1}, "point", "needs a 'point'"),
    ({"prompt": "p", "answer": "1 + x", "variables": ["x"], "mode": "taylor", "point": 0}, "order", "needs a 'point'"),
    ({"prompt": "p", "answer": "1 + x", "variables": ["x"], "mode": "taylor", "point": 0, "order": "two"},
     "order", "integer"),
    ({"prompt": "p", "answer": "1 + x", "variables": ["x"], "mode": "taylor", "point": "log(0)", "order": 1},
     "point", "undefined"),
    ({"prompt": "p", "answer": "1 + x", "variables": ["x"], "mode": "taylor", "point": [0, 1], "order": 1},
     "point", "one value for each variable"),
    ({"prompt": "p", "answer": "1", "mode": "guess"}, "mode", "must be one of"),
    ({"prompt": "p" * 3000, "answer": "1"}, "prompt", "1 to 2000 characters"),
    ({"prompt": "p", "answer": "1", "hints": ["h"] * 11}, "hints", "at most 10"),
    ({"prompt": "p", "answer": "1", "hints": [{"a": 1}]}, "hints", "entry 1"),
    ({"prompt": "p", "answer": "1", "prompt_latex": r"$\input{/etc/passwd}$"}, "prompt_latex", r"\\input"),
    ({"prompt": "p", "answer": "1", "prompt_latex": r"$\def\a{\a}\a$"}, "prompt_latex", r"\\def"),
    ({"prompt": "p", "answer": "1", "prompt_latex": r"$x^^5cinput$"}, "prompt_latex", r"\^\^"),
    ({"prompt": "p", "answer": "1", "prompt_latex": r"$\catcode`\~=0$"}, "prompt_latex", "not allowed"),
    ({"prompt": "p", "answer": "1", "id": "../../etc"}, "id", "letters, digits"),
]


@pytest.mark.parametrize("item, field, message", BAD_ITEMS)
def test_bad_items_are_refused_naming_item_and_field(item, field, message):
    with pytest.raises(SpecError, match=message) as info:
        from_spec(_spec({"topic": "power_rule"}, item), source="w.yaml")
    text = str(info.value)
    assert text.startswith("w.yaml: item 2") and f"field '{field}'" in text and "\n" not in text
    assert isinstance(info.value, InvalidArgumentError) and isinstance(info.value, SymtutorError)


@pytest.mark.parametrize("spec, message", [
    ([], "a spec is a mapping"),
    ({"items": []}, "field 'title': is missing"),
    ({"title": "T"}, "field 'items': is missing"),
    ({"title": "T", "items": 5}, "must be a list of 1 to 500 items, not 5"),
    ({"title": "T", "items": []}, "must be a list of 1 to 500 items"),
    ({"title": "T", "items": [5]}, "item 1: must be a mapping"),
    ({"title": "T" * 300, "items": [{"topic": "gradient"}]}, "field 'title'"),
    ({"title": "T", "colour": 1, "items": [{"topic": "gradient"}]}, "field 'colour'"),
    ({"title": "T", "items": [{"topic": "gradient", "count": 600}, {"topic": "hessian", "count": 600}]},
     "more than 1000 exercises"),
])
def test_bad_specs_are_refused(spec, message):
    with pytest.raises(SpecError, match=message):
        from_spec(spec)


def test_a_huge_count_is_refused_before_generating():
    start = time.perf_counter()
    with pytest.raises(SpecError, match="count"):
        from_spec(_spec({"topic": "gradient", "count": 100000000}))
    assert time.perf_counter() - start < 1.0


def test_an_invalid_item_later_in_the_spec_stops_generation_early():
    calls = []
    with pytest.raises(SpecError, match="item 2"):
        from_spec(_spec({"topic": "gradient", "count": 50}, {"prompt": "p", "answer": "log(0)"}),
                  progress=lambda done, total: calls.append(done))
    assert calls == []


def test_valid_specs_round_trip_through_json(tmp_path):
    p = _write(tmp_path, """
title: "Week 4 extras"
items:
  - {topic: taylor_1d, difficulty: 2, count: 2, seed: 9, title: "Taylor"}
  - prompt: "Find the Taylor polynomial of f(x) = e^x about x = 0 up to x^3."
    answer: "1 + x + x^2/2 + x^3/6"
    variables: x
    mode: taylor
    point: 0
    order: 3
    function: "e^x"
  - prompt: "Give sqrt(2) to 4 figures."
    answer: 1.41421356
    mode: numeric
    tolerance: {sig: 4}
  - prompt: "Differentiate x^2 y with respect to x."
    answer: "2x y"
    variables: [x, y]
    function: "x^2 y"
    wrt: x
""")
    s = load_spec(p)
    assert len(s.items) == 5
    assert load(dump(s)) == s
    for ex in s.items:
        ex.verify()


@pytest.mark.parametrize("text, expected", [
    ("title: T\nitems: [\n", "bad.yaml: line "),
    ("title: T\nitems: 5\n", "bad.yaml: field 'items': must be a list"),
    ("title: T\nitems: [{topic: gradient, count: many}]\n", "bad.yaml: item 1 ('gradient'), field 'count'"),
    ("title: !!python/object/apply:os.system ['echo hi']\nitems: []\n", "bad.yaml: line 1, column 8: tags"),
    (BILLION_LAUGHS, "bad.yaml: line 1, column 8: anchors"),
])
def test_the_cli_prints_one_line_for_a_bad_spec(tmp_path, capsys, text, expected):
    from symtutor.cli import main

    p = _write(tmp_path, text, name="bad.yaml")
    assert main(["generate", str(p), "--format", "json"]) != 0
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err and "Traceback" not in err


def test_written_items_must_verify_before_anything_is_generated():
    with pytest.raises(SpecError, match=r"item 2 \('Differentiate x\^3.'\), field 'solution': the solution does not end"):
        from_spec(_spec({"topic": "gradient"}, {"prompt": "Differentiate x^3.", "answer": "3x^2", "variables": ["x"],
                                                "solution": ["Power rule.", "Answer: 3x"]}), source="w.yaml")
    with pytest.raises(SpecError, match=r"field 'answer'"):
        from_spec(_spec({"prompt": "Differentiate x^3.", "answer": "3x", "variables": ["x"], "function": "x^3",
                         "wrt": "x"}))


def test_the_shipped_spec_schema_agrees_with_the_validator():
    import json
    from pathlib import Path

    import jsonschema

    from symtutor.exercises.spec import SCHEMA_PATH, read_spec_file

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    root = Path(__file__).resolve().parent.parent / "exercises"
    for p in sorted(root.glob("week*.yaml")):
        jsonschema.validate(read_spec_file(p)[0], schema)
    schema_expressible = [item for item, field, _ in BAD_ITEMS
                          if field in ("count", "difficulty", "seed", "colour", "mode", "hints", "id", "order")
                          or (field in ("prompt", "answer") and ("prompt" not in item or "answer" not in item))]
    assert len(schema_expressible) >= 10
    for item in schema_expressible:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(_spec(item), schema)


def test_a_written_item_must_name_the_variables_its_answer_uses():
    for answer in ("3x^2", "x y"):
        with pytest.raises(SpecError, match=r"item 1 \('Differentiate.'\), field 'variables': is missing: "
                                            r"the answer uses x"):
            validate(_spec({"prompt": "Differentiate.", "answer": answer}))
    _, _, (item,) = validate(_spec({"prompt": "What is 2 + 2?", "answer": "4"}))  # a number needs none
    assert item.variables == ()


def test_a_pipe_or_device_is_not_read_as_a_spec(tmp_path):
    import os

    fifo = tmp_path / "week2.yaml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer for ever
    with pytest.raises(SpecError, match="week2.yaml: is not a regular file"):
        load_spec(fifo)
    with pytest.raises(SpecError, match="is not a regular file"):
        load_spec("/dev/zero")


def test_a_control_character_in_the_yaml_names_the_file(tmp_path):
    with pytest.raises(SpecError, match=r"^week2.yaml: character 10: the character #x0000 is not allowed"):
        load_spec(_write(tmp_path, 'title: "a\x00b"\nitems:\n - {topic: gradient}\n'))


def test_an_exported_set_given_as_a_spec_says_what_it_is(tmp_path):
    exported = tmp_path / "set.json"
    exported.write_text(dump(from_spec(_spec({"topic": "gradient"}))))
    with pytest.raises(SpecError, match="set.json: this is an exported exercise set .JSON., not a spec"):
        load_spec(exported)


@pytest.mark.parametrize("item, field", [({"prompt": "p\x00q", "answer": "1"}, "prompt"),
                                         ({"prompt": "p", "answer": "1", "hints": ["ok", "a\x1bb"]}, "hints"),
                                         ({"title": "t\x07", "topic": "gradient"}, "title")])
def test_control_characters_in_text_are_refused(item, field):
    with pytest.raises(SpecError, match=f"field '{field}': .*control character"):
        validate(_spec(item))
    with pytest.raises(SpecError, match="field 'title': has the control character"):
        validate({"title": "T\x00", "items": [{"topic": "gradient"}]})


def test_written_ids_name_one_exercise():
    with pytest.raises(SpecError, match=r"item 2 \('q'\), field 'id': 'a' is also the id of item 1"):
        validate(_spec({"prompt": "p", "answer": "1", "id": "a"}, {"prompt": "q", "answer": "2", "id": "a"}))
    with pytest.raises(SpecError, match="field 'id': 'gradient-1-0' is how a generated exercise is named"):
        validate(_spec({"topic": "gradient"}, {"prompt": "q", "answer": "2", "id": "gradient-1-0"}))
    validate(_spec({"prompt": "p", "answer": "1", "id": "week2-1"}, {"prompt": "q", "answer": "2", "id": "week2-2"}))
