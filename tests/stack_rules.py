"""Moodle XML held to the rules of STACK's importer and question form, and of Moodle's numerical type.

The rules are those of STACK's source (maths/moodle-qtype_stack): ``questiontype.php``
(``import_from_xml``, ``save_question_options``, ``validate_fromform``, ``validate_prt``,
``validate_prt_node``), ``stack/answertest/controller.class.php`` (the answer tests and
which need options), ``stack/options.class.php`` (insert-stars values), and Moodle's
``question/type/numerical/edit_numerical_form.php``.  :func:`problems` returns what
STACK or Moodle would reject or silently drop; an empty list is a question that imports
as written.  :func:`grade` walks a PRT the way STACK does, with SymPy as the answer
tests, so a question's grading can be checked without a STACK server.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import sympy as sp

# stack/answertest/controller.class.php: name -> (options required, options evaluated, simp, raw student input)
ANSWER_TESTS = {
    "AlgEquiv": (False, False, True, False), "AlgEquivNouns": (False, False, False, False),
    "EqualComAss": (False, False, False, False), "EqualComAssRules": (True, True, False, False),
    "CasEqual": (False, False, False, False), "SameType": (False, False, True, False),
    "SubstEquiv": ("optional", True, True, False), "SysEquiv": (False, False, True, False),
    "Sets": (False, False, False, False), "Expanded": (False, False, True, False),
    "FacForm": (True, True, False, False), "SingleFrac": (False, False, False, False),
    "PartFrac": (True, True, True, False), "CompSquare": (True, True, True, False),
    "PropLogic": (False, False, True, False), "Equiv": ("optional", True, False, False),
    "EquivFirst": ("optional", True, False, False), "GT": (False, False, True, False),
    "GTE": (False, False, True, False), "SigFigsStrict": (True, True, True, True),
    "NumAbsolute": (True, True, True, False), "NumRelative": (True, True, True, False),
    "NumSigFigs": (True, True, False, True), "NumDecPlaces": (True, True, False, True),
    "NumDecPlacesWrong": (True, True, False, False), "Units": (True, True, False, True),
    "UnitsStrict": (True, True, False, True), "UnitsAbsolute": (True, True, False, False),
    "UnitsStrictAbsolute": (True, True, False, False), "UnitsRelative": (True, True, False, False),
    "UnitsStrictRelative": (True, True, False, False), "LowestTerms": (False, False, False, False),
    "Diff": (True, True, False, False), "Int": (True, True, False, False), "String": (False, False, False, False),
    "StringSloppy": (False, False, False, False), "Levenshtein": (True, True, True, False),
    "SRegExp": (False, False, True, False), "Validator": (True, True, False, False),
}
INPUT_TYPES = {"algebraic", "boolean", "checkbox", "dropdown", "equiv", "matrix", "notes", "numerical", "radio",
               "singlechar", "string", "textarea", "units", "varmatrix", "json", "parsons"}
INSERT_STARS = {"0", "1", "2", "3", "4", "5"}  # stack_options::get_insert_star_options
VALID_NAME = re.compile(r"^([a-zA-Z]+|[a-zA-Z]+[0-9a-zA-Z_]*[0-9a-zA-Z]+)$")  # questiontype.php, input names
CAS_MAX = 255  # validate_cas_string: $maxlength
# teacher-side Maxima that STACK's security map refuses outright
FORBIDDEN = {"system", "eval_string", "parse_string", "load", "batch", "batchload", "kill", "save", "writefile",
             "with_stdout", "opena", "openr", "openw", "run_testsuite", "compile", "translate", "to_lisp", "lisp"}


# --------------------------------------------------------------------------
# a small Maxima-syntax checker


_TOKEN = re.compile(r"\s*(?:(?P<num>\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)"
                    r"|(?P<name>%?[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[-+*/^(),\[\]:;=<>#!]))")


class MaximaSyntaxError(ValueError):
    """Text that Maxima would not parse."""


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise MaximaSyntaxError(f"unexpected character {text[pos:pos + 1]!r} at {pos} in {text!r}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    """Expressions: numbers, names, calls, lists, + - * / ^, unary signs, parentheses."""

    def __init__(self, text: str):
        self.text = text
        self.toks = _tokens(text)
        self.i = 0
        self.names: set[str] = set()

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise MaximaSyntaxError(f"expected {value or 'more'} at token {self.i} in {self.text!r}")
        self.i += 1
        return tok

    def expression(self):
        self.unary()
        while self.peek()[1] in ("+", "-", "*", "/", "^"):
            self.take()
            self.unary()

    def unary(self):
        while self.peek()[1] in ("+", "-"):
            self.take()
        self.atom()

    def arguments(self, close: str):
        if self.peek()[1] == close:
            self.take(close)
            return
        self.expression()
        while self.peek()[1] == ",":
            self.take(",")
            self.expression()
        self.take(close)

    def atom(self):
        kind, value = self.take()
        if kind == "num":
            return
        if kind == "name":
            if value in FORBIDDEN:
                raise MaximaSyntaxError(f"{value} is forbidden in STACK")
            self.names.add(value)
            if self.peek()[1] == "(":
                self.take("(")
                self.arguments(")")
            return
        if value == "(":
            self.expression()
            self.take(")")
            return
        if value == "[":
            self.arguments("]")
            return
        raise MaximaSyntaxError(f"unexpected {value!r} in {self.text!r}")

    def done(self):
        if self.i != len(self.toks):
            raise MaximaSyntaxError(f"unexpected {self.toks[self.i][1]!r} after an expression in {self.text!r}")


def check_maxima(text: str) -> set[str]:
    """Raise MaximaSyntaxError unless ``text`` is one Maxima expression; return the names in it."""
    if not text.strip():
        raise MaximaSyntaxError("empty expression")
    p = _Parser(text)
    p.expression()
    p.done()
    return p.names


def check_keyval(text: str) -> list[tuple[str, str]]:
    """Question variables: ``name: expression;`` statements.  Returns (name, expression text) pairs."""
    out = []
    for statement in [s for s in text.split(";") if s.strip()]:
        name, sep, value = statement.partition(":")
        name = name.strip()
        if not sep or not VALID_NAME.match(name):
            raise MaximaSyntaxError(f"not an assignment: {statement.strip()!r}")
        check_maxima(value)
        out.append((name, value.strip()))
    return out


# --------------------------------------------------------------------------
# the rules


def _text(q, path: str) -> str:
    el = q.find(path)
    return "" if el is None or el.text is None else el.text


def _placeholders(text: str, kind: str) -> list[str]:
    return re.findall(r"\[\[" + kind + r":([^\]]*)\]\]", text)


def _castext_problems(where: str, text: str) -> list[str]:
    out = []
    if "$$" in text:
        out.append(f"{where}: $$ is forbidden in CAS text")
    for inner in re.findall(r"\{@(.*?)@\}", text, flags=re.S):
        try:
            check_maxima(inner)
        except MaximaSyntaxError as exc:
            out.append(f"{where}: {{@{inner}@}}: {exc}")
    rest = re.sub(r"\{@(.*?)@\}", "", text, flags=re.S)
    for bad in ("{@", "@}", "{#", "#}"):
        if bad in rest:
            out.append(f"{where}: stray {bad}")
    for tag in re.findall(r"\[\[\s*([a-z]+)\s*:", text):
        if tag not in ("input", "validation", "feedback"):
            out.append(f"{where}: unknown block [[{tag}:")
    if re.search(r"\[\[\s*(input|validation|feedback)\s*:\s+|\[\[\s+(input|validation|feedback)", text):
        out.append(f"{where}: whitespace inside a placeholder")
    if re.search(r"<\s*script", text, flags=re.I):
        out.append(f"{where}: a <script> element")
    return out


def _sigfig_options(opt: str) -> bool:
    m = re.fullmatch(r"\s*(\d+)\s*|\s*\[\s*(\d+)\s*,\s*(-?\d+)\s*\]\s*", opt)
    if not m:
        return False
    if m.group(1):
        return int(m.group(1)) > 0
    return int(m.group(2)) > 0 and int(m.group(3)) >= -1


def _node_problems(where: str, node, inputs: set[str], qvars: set[str]) -> list[str]:
    out = []
    test = _text(node, "answertest")
    if test not in ANSWER_TESTS:
        return [f"{where}: unknown answer test {test!r}"]
    required, _, _, raw = ANSWER_TESTS[test]
    for field in ("sans", "tans"):
        value = _text(node, field)
        if not value.strip():
            out.append(f"{where}: {field} is required")
            continue
        if len(value) > CAS_MAX:
            out.append(f"{where}: {field} is longer than {CAS_MAX} characters")
        try:
            names = check_maxima(value)
        except MaximaSyntaxError as exc:
            out.append(f"{where}: {field}: {exc}")
            continue
        if field == "sans" and not names & inputs:
            out.append(f"{where}: sans {value!r} uses no input")
    if raw and _text(node, "sans").strip() not in inputs:
        out.append(f"{where}: {test} needs the raw input as sans, not {_text(node, 'sans')!r}")
    opt = _text(node, "testoptions").strip()
    if required is True and not opt:
        out.append(f"{where}: {test} requires test options")
    if opt:
        if len(opt) > CAS_MAX:
            out.append(f"{where}: test options longer than {CAS_MAX}")
        if test in ("NumSigFigs", "SigFigsStrict", "NumDecPlaces") and not _sigfig_options(opt):
            out.append(f"{where}: {test} options must be n or [n,m], not {opt!r}")
        if test in ("NumRelative", "NumAbsolute"):
            try:
                if float(opt) <= 0:
                    raise ValueError
            except ValueError:
                if opt not in qvars:
                    out.append(f"{where}: {test} needs a positive tolerance, not {opt!r}")
        if test == "FacForm" and not VALID_NAME.match(opt):
            out.append(f"{where}: FacForm needs the variable as its option, not {opt!r}")
    for branch in ("true", "false"):
        score = _text(node, f"{branch}score")
        try:
            if not 0 <= float(score) <= 1:
                raise ValueError
        except ValueError:
            out.append(f"{where}: {branch} score must be a number from 0 to 1, not {score!r}")
        penalty = _text(node, f"{branch}penalty")
        if penalty:
            try:
                if not 0 <= float(penalty) <= 1:
                    raise ValueError
            except ValueError:
                out.append(f"{where}: {branch} penalty must be empty or from 0 to 1")
        if _text(node, f"{branch}scoremode") not in ("=", "+", "-"):
            out.append(f"{where}: {branch} score mode must be =, + or -")
        note = _text(node, f"{branch}answernote")
        if not note.strip():
            out.append(f"{where}: the {branch} answer note is required")
        elif any(c in note for c in "|;:"):
            out.append(f"{where}: the {branch} answer note may not hold | ; or :")
        out += _castext_problems(f"{where} {branch} feedback", _text(node, f"{branch}feedback/text"))
    return out


def _prt_problems(where: str, prt, inputs: set[str], qvars: set[str]) -> list[str]:
    out = []
    name = _text(prt, "name")
    if len(name) > 18:
        out.append(f"{where}: PRT name longer than 18")
    try:
        if float(_text(prt, "value")) < 0:
            out.append(f"{where}: PRT value must be positive")
    except ValueError:
        out.append(f"{where}: PRT value is not a number")
    fv = _text(prt, "feedbackvariables/text")
    if fv.strip():
        try:
            check_keyval(fv)
        except MaximaSyntaxError as exc:
            out.append(f"{where}: feedback variables: {exc}")
    nodes = prt.findall("node")
    if not nodes:
        return out + [f"{where}: a PRT needs a node"]
    names = []
    for node in nodes:
        try:
            names.append(int(_text(node, "name")))
        except ValueError:
            out.append(f"{where}: node name {_text(node, 'name')!r} is not a number")
    if len(set(names)) != len(names):
        out.append(f"{where}: node names repeat")
    edges = {}
    for node in nodes:
        try:
            k = int(_text(node, "name"))
        except ValueError:
            continue
        targets = []
        for branch in ("true", "false"):
            try:
                nxt = int(_text(node, f"{branch}nextnode"))
            except ValueError:
                out.append(f"{where}: node {k} {branch} next node is not a number")
                continue
            if nxt != -1 and nxt not in names:
                out.append(f"{where}: node {k} {branch} goes to node {nxt}, which does not exist")
            elif nxt != -1:
                targets.append(nxt)
        edges[k] = targets
        out += _node_problems(f"{where} node {k}", node, inputs, qvars)
    pointed = {t for ts in edges.values() for t in ts}
    roots = [k for k in names if k not in pointed]
    if len(roots) != 1:
        out.append(f"{where}: the PRT must have exactly one first node, not {roots}")
    else:  # every node reachable, no cycles (stack_abstract_graph: broken cycles)
        seen, stack, path = set(), [(roots[0], ())], None
        while stack:
            k, path = stack.pop()
            if k in path:
                out.append(f"{where}: a loop through node {k}")
                break
            seen.add(k)
            stack += [(t, path + (k,)) for t in edges.get(k, [])]
        if seen != set(names):
            out.append(f"{where}: nodes {sorted(set(names) - seen)} cannot be reached")
    notes = [_text(n, "trueanswernote") for n in nodes] + [_text(n, "falseanswernote") for n in nodes]
    if len(set(notes)) != len(notes):
        out.append(f"{where}: answer notes must be unique within the PRT")
    formats = {n.find(f"{b}feedback").get("format") for n in nodes for b in ("true", "false")
               if n.find(f"{b}feedback") is not None}
    if len(formats) > 1:
        out.append(f"{where}: all node feedback must use the same format")
    return out


def stack_problems(q) -> list[str]:
    """What STACK's importer would drop or its form reject in one ``<question type="stack">``."""
    where = _text(q, "name/text") or "a question"
    out = []
    if not where.strip():
        out.append("a question needs a name")
    version = _text(q, "stackversion/text")
    if not re.fullmatch(r"\d{10}", version.strip()):
        out.append(f"{where}: <stackversion> must hold a STACK version number, not {version!r}")
    qtext, sfb = _text(q, "questiontext/text"), _text(q, "specificfeedback/text")
    gfb, note = _text(q, "generalfeedback/text"), _text(q, "questionnote/text")
    for field, text in (("question text", qtext), ("specific feedback", sfb), ("general feedback", gfb),
                        ("question note", note)):
        out += _castext_problems(f"{where} {field}", text)
    if _placeholders(sfb, "input") or _placeholders(sfb, "validation"):
        out.append(f"{where}: the specific feedback may not hold input or validation placeholders")
    if any(_placeholders(gfb, k) for k in ("input", "validation", "feedback")):
        out.append(f"{where}: the general feedback may not hold placeholders")
    try:
        qvars = dict(check_keyval(_text(q, "questionvariables/text")))
    except MaximaSyntaxError as exc:
        out.append(f"{where}: question variables: {exc}")
        qvars = {}
    inputs = {_text(i, "name"): i for i in q.findall("input")}
    named = set(_placeholders(qtext, "input")) | set(_placeholders(qtext, "validation"))
    for name in named - set(inputs):
        out.append(f"{where}: [[input:{name}]] has no <input>")
    for name, inp in inputs.items():
        w = f"{where} input {name}"
        if name not in named:
            out.append(f"{w}: not in the question text, so the importer drops it")
        for kind in ("input", "validation"):
            n = _placeholders(qtext, kind).count(name)
            if n != 1:
                out.append(f"{w}: [[{kind}:{name}]] must appear exactly once in the question text, not {n} times")
        if len(name) > 18 or not VALID_NAME.match(name):
            out.append(f"{w}: not a valid input name")
        if _text(inp, "type") not in INPUT_TYPES:
            out.append(f"{w}: unknown input type {_text(inp, 'type')!r}")
        if _text(inp, "insertstars") not in INSERT_STARS:
            out.append(f"{w}: insertstars must be one of 0-5")
        if _text(inp, "mustverify") == "1" and _text(inp, "showvalidation") == "0":
            out.append(f"{w}: must-verify needs validation shown")
        tans = _text(inp, "tans")
        try:
            if len(tans) > CAS_MAX:
                raise MaximaSyntaxError("longer than 255")
            check_maxima(tans)
        except MaximaSyntaxError as exc:
            out.append(f"{w}: model answer: {exc}")
    prt_names = _placeholders(qtext + sfb, "feedback")
    prts = {_text(p, "name"): p for p in q.findall("prt")}
    for name in prts:
        if name not in prt_names:
            out.append(f"{where}: PRT {name} is not named by [[feedback:{name}]], so the importer drops it")
        elif prt_names.count(name) > 1:
            out.append(f"{where}: [[feedback:{name}]] appears more than once")
    for name in set(prt_names) - set(prts):
        out.append(f"{where}: [[feedback:{name}]] has no <prt>")
    if not inputs and prts:
        out.append(f"{where}: a question with PRTs needs inputs")
    for name, prt in prts.items():
        out += _prt_problems(f"{where} {name}", prt, set(inputs), set(qvars))
    for case in q.findall("qtest"):
        for ti in case.findall("testinput"):
            if _text(ti, "name") not in inputs:
                out.append(f"{where}: question test input {_text(ti, 'name')!r} is not an input")
            try:
                check_maxima(_text(ti, "value"))
            except MaximaSyntaxError as exc:
                out.append(f"{where}: question test value: {exc}")
        for exp in case.findall("expected"):
            if _text(exp, "name") not in prts:
                out.append(f"{where}: question test expects PRT {_text(exp, 'name')!r}, which does not exist")
    return out


def numerical_problems(q) -> list[str]:
    """What Moodle's numerical question form rejects (edit_numerical_form.php, validate_answers)."""
    where = _text(q, "name/text") or "a question"
    out = []
    answers = q.findall("answer")
    if not answers:
        return [f"{where}: a numerical question needs an answer"]
    if not any(float(a.get("fraction", "0")) == 100 for a in answers):
        out.append(f"{where}: one answer must have grade 100%")
    for a in answers:
        text = _text(a, "text").strip()
        if text != "*":
            try:
                float(text)
            except ValueError:
                out.append(f"{where}: answer {text!r} is not a number")
            tol = _text(a, "tolerance").strip()
            try:
                if float(tol) < 0:
                    raise ValueError
            except ValueError:
                out.append(f"{where}: tolerance {tol!r} must be a number >= 0")
    if _text(q, "showunits") not in ("", "3") and not q.findall("units/unit"):
        out.append(f"{where}: units are asked for but none are given")
    if re.search(r"<\s*script", _text(q, "questiontext/text"), flags=re.I):
        out.append(f"{where}: a <script> element")
    return out


def problems(xml_text: str) -> list[str]:
    """Every rule broken by a Moodle XML quiz (empty when it imports as written)."""
    root = ET.fromstring(xml_text)
    if root.tag != "quiz":
        return ["the root element must be <quiz>"]
    out = []
    for q in root.findall("question"):
        kind = q.get("type")
        if kind == "category":
            path = _text(q, "category/text")
            if not path.startswith(("$course$/", "$system$/", "$module$/")):
                out.append(f"category {path!r} must start with $course$/")
        elif kind == "stack":
            out += stack_problems(q)
        elif kind == "numerical":
            out += numerical_problems(q)
        else:
            out.append(f"unexpected question type {kind!r}")
    return out


# --------------------------------------------------------------------------
# grading a PRT as STACK does, with SymPy as the answer tests


@dataclass(frozen=True)
class Outcome:
    """The score, answer notes and feedback a PRT gives a response."""

    score: float
    notes: tuple[str, ...]
    feedback: tuple[str, ...]


_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _digits(text: str) -> int:
    t = text.strip().lstrip("+-")
    mantissa = re.split(r"[eE]", t)[0].replace(".", "").lstrip("0")
    return len(mantissa)


def _round_sig(v: float, n: int) -> float:
    return float(f"{v:.{n - 1}e}")


def _exact(e):
    """A float as the rational it is, as Maxima's ratsimp takes it (0.5 is 1/2, 0.7616 is not tanh(1))."""
    return e.xreplace({f: sp.Rational(str(f)) for f in e.atoms(sp.Float)})


def equivalent(a, b) -> bool:
    """Algebraic equivalence as AlgEquiv decides it: equal, or equal at random points to 1e-8.

    A decimal is the number it is: equal only to the same number (AlgEquiv marks ``0.7616``
    against ``tanh(1)`` false, and ``0.5`` against ``1/2`` true).
    """
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        return (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase) and a.shape == b.shape
                and all(equivalent(u, v) for u, v in zip(a, b)))
    if a == b:
        return True
    if a.has(sp.Float) or b.has(sp.Float):
        d = _exact(a) - _exact(b)
        symbols = sorted(d.free_symbols, key=str)
        rng = random.Random(len(symbols) * 7919 + 17)
        for _ in range(1 if not symbols else 4):
            point = {s: sp.Rational(rng.randint(300, 1700), 1000) for s in symbols}
            if abs(complex(d.evalf(60, subs=point))) > 1e-40:
                return False
        return True
    d = a - b
    symbols = sorted(a.free_symbols | b.free_symbols, key=str)
    rng = random.Random(len(symbols) * 7919 + 17)
    for _ in range(1 if not symbols else 4):
        point = {s: rng.uniform(0.3, 1.7) for s in symbols}
        v = complex(d.evalf(20, subs=point))
        scale = max(1.0, abs(complex(b.evalf(20, subs=point))))
        if abs(v) > 1e-8 * scale:
            return False
    return True


def _answer_test(test: str, sa, ta, opt: str, raw: str, variables) -> bool:
    if test == "AlgEquiv":
        return equivalent(sa, ta)
    if test == "Expanded":
        return sp.expand(sa) == sa
    if test == "FacForm":
        return equivalent(sa, ta) and sp.factor(sa) == sa
    if test == "NumSigFigs":
        if not _DECIMAL.fullmatch(raw.strip()):
            return False  # ATNumSigFigs_NotDecimal
        m = re.fullmatch(r"\[(\d+),(-?\d+)\]|(\d+)", opt.replace(" ", ""))
        n = int(m.group(1) or m.group(3))
        acc = int(m.group(2)) if m.group(2) else n
        if acc == -1:
            ok_digits, acc = _digits(raw) >= n, n
        else:
            ok_digits = _digits(raw) == n
        return ok_digits and _round_sig(float(sa), acc) == _round_sig(float(ta), acc)
    if test == "NumRelative":
        return abs(float(sa) - float(ta)) <= float(opt) * abs(float(ta))
    if test == "NumAbsolute":
        return abs(float(sa) - float(ta)) <= float(opt)
    raise NotImplementedError(test)


def question_values(q, variables: tuple[str, ...]) -> dict[str, object]:
    """The question variables of a STACK question, read back by symtutor's parser."""
    from symtutor import parse
    from symtutor.export.maxima import from_maxima

    values: dict[str, object] = {}
    for name, text in check_keyval(_text(q, "questionvariables/text")):
        value = parse(from_maxima(text), variables=variables or None)
        values[name] = sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else value
    return values


def grade(q, responses: dict[str, str], variables: tuple[str, ...]) -> Outcome:
    """Walk the PRT of question ``q`` for ``responses`` (Maxima text by input name, may name question variables)."""
    from symtutor import parse
    from symtutor.export.maxima import from_maxima

    values = question_values(q, variables)
    names = tuple(variables) + tuple(values)

    known: dict[str, object] = dict(values)

    def read(text: str):
        value = parse(from_maxima(text), variables=names + tuple(responses))
        swap = {s: known[s.name] for s in value.free_symbols if s.name in known}
        if isinstance(value, sp.MatrixBase):
            return sp.ImmutableMatrix(value.applyfunc(lambda e: e.xreplace(swap)))
        return value.xreplace(swap)

    answers = {name: read(text) for name, text in responses.items()}
    known.update(answers)  # a node's sans may combine inputs: matrix([ans1],[ans2])
    prt = q.find("prt")
    nodes = {int(_text(n, "name")): n for n in prt.findall("node")}
    pointed = {int(_text(n, f"{b}nextnode")) for n in nodes.values() for b in ("true", "false")}
    k = next(name for name in nodes if name not in pointed)
    score, notes, feedback = 0.0, [], []
    for _ in range(len(nodes) + 1):
        node = nodes[k]
        sans, tans = _text(node, "sans"), _text(node, "tans")
        sa = answers[sans] if sans in answers else read(sans)
        ta = values[tans] if tans in values else read(tans)
        branch = "true" if _answer_test(_text(node, "answertest"), sa, ta, _text(node, "testoptions"),
                                        responses.get(sans, ""), variables) else "false"
        mode, value = _text(node, f"{branch}scoremode"), float(_text(node, f"{branch}score"))
        score = value if mode == "=" else score + value if mode == "+" else score - value
        notes.append(_text(node, f"{branch}answernote"))
        text = _text(node, f"{branch}feedback/text")
        if text:
            feedback.append(text)
        k = int(_text(node, f"{branch}nextnode"))
        if k == -1:
            return Outcome(score, tuple(notes), tuple(feedback))
    raise AssertionError("the PRT did not stop")


# --------------------------------------------------------------------------
# what STACK makes of a learner's typing in an algebraic or matrix input


class StackInvalid(ValueError):
    """Typing that STACK's input validation refuses (the learner is asked to correct it, not marked)."""


# functions a learner may call (security-map.json, feature "function" valued "s"), ln as STACK's log
STACK_FUNCTIONS = frozenset({
    "sin", "cos", "tan", "sec", "csc", "cot", "asin", "acos", "atan", "asec", "acsc", "acot", "sinh", "cosh",
    "tanh", "sech", "csch", "coth", "asinh", "acosh", "atanh", "asech", "acsch", "acoth", "exp", "log", "ln",
    "sqrt", "abs"})
# names insert-stars never splits: security-map.json's variables and constants (those read there)
PROTECTED = frozenset({"pi", "e", "i", "alpha", "beta", "gamma", "epsilon", "eta", "theta", "mu", "nu",
                       "omicron", "sigma", "tau", "phi", "psi", "omega"})
_CONSTANTS = {"pi": "%pi", "e": "%e", "i": "%i"}
_TYPED = re.compile(r"(?P<space>\s*)(?:(?P<num>\d+\.?\d*|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>[-+*/^(),]))")


def _split_name(name: str, insertstars: int) -> list[str]:
    """410_single_char_vars (insert-stars 2 and 5): a protected prefix, else the first letter, then the rest."""
    if insertstars not in (2, 5) or len(name) == 1 or name in PROTECTED:
        return [name]
    for p in sorted(PROTECTED):
        if name.startswith(p) and name[len(p):][:1] != "_":
            return [p] + _split_name(name[len(p):], insertstars)
    return [name[0]] + _split_name(name[1:], insertstars)


def stack_reads(text: str, insertstars: int) -> str:
    """The Maxima STACK makes of ``text`` typed into an input with this insert-stars option.

    Follows STACK's input filters: 402 (``xsin(x)`` is ``x*sin(x)``), 403 (``2x``), 406 (a name
    used as a variable and called is a product), 410 (single letters, for options 2 and 5), 020
    (``arcsin`` is refused), 030/025 (a function without its bracket is refused), the implied
    ``*`` of options 1, 2, 4, 5 and the spaces of 3, 4, 5.  Raises :class:`StackInvalid` for
    typing STACK refuses.
    """
    toks, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TYPED.match(text, pos)
        if not m or m.end() == pos:
            raise StackInvalid(f"STACK does not read {text[pos:]!r}")
        kind = next(k for k in ("num", "name", "op") if m.group(k) is not None)
        toks.append((kind, m.group(kind), bool(m.group("space"))))
        pos = m.end()
    variables = {v for i, (k, v, _) in enumerate(toks) if k == "name"
                 and not (i + 1 < len(toks) and toks[i + 1][1] == "(" and not toks[i + 1][2])}
    out: list[tuple[str, str, bool]] = []  # (num | var | func | op, text, space before)
    for i, (kind, value, space) in enumerate(toks):
        if kind != "name":
            out.append((kind, value, space))
            continue
        call = i + 1 < len(toks) and toks[i + 1][1] == "(" and not toks[i + 1][2]
        if value in STACK_FUNCTIONS:
            if not call:
                raise StackInvalid(f"{value} needs its argument in brackets: {value}(...)")
            out.append(("func", "log" if value == "ln" else value, space))
            continue
        prefix, func = value, None
        if call:
            if value.startswith("arc") and value[3:] in STACK_FUNCTIONS:
                raise StackInvalid(f"STACK refuses {value}: type a{value[3:]}")
            func = max((f for f in STACK_FUNCTIONS if value.endswith(f)), key=len, default=None)
            if func is not None:
                prefix = value[: -len(func)]
            elif value not in variables:
                raise StackInvalid(f"{value}(...) is a call of an unknown function")
        for k, part in enumerate(_split_name(prefix, insertstars)):
            kind = "num" if part.isdigit() else "var"
            out.append((kind, _CONSTANTS.get(part, part), space and k == 0))
        if func is not None:
            out.append(("func", "log" if func == "ln" else func, False))
    stars, spaces = insertstars in (1, 2, 4, 5), insertstars in (3, 4, 5)
    maxima = []
    for k, (kind, value, space) in enumerate(out):
        if k and (out[k - 1][0] in ("num", "var") or out[k - 1][1] == ")") and (
                kind in ("num", "var", "func") or value == "("):
            if not (spaces if space else stars):
                raise StackInvalid(f"a * is missing in {text!r}")
            maxima.append("*")
        maxima.append(value)
    return "".join(maxima)


def read_typed(text: str, insertstars: int):
    """The value STACK gives ``text`` (see :func:`stack_reads`), read back by symtutor."""
    from symtutor import parse
    from symtutor.export.maxima import from_maxima

    return parse(from_maxima(stack_reads(text, insertstars)))
