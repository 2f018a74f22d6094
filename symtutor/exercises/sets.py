"""Exercise sets: titled lists of generated and hand-written exercises, built from YAML specs.

A spec is a mapping with a ``title`` and ``items``; each item either generates
(``topic``, ``difficulty``, ``count``, ``seed``) or is written out (``prompt``,
``answer``, ``variables``, ``mode`` and optionally ``prompt_latex``, ``hints``,
``solution``, ``tolerance``, ``point``, ``order``, ``function``, ``wrt``).
:mod:`symtutor.exercises.spec` reads and validates it (its docstring is the
schema); answers are read by symtutor's safe parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .._texsafe import typeset
from ..errors import SymtutorError
from ..parsing import to_text
from .core import Exercise, generate
from .spec import Generated, Written, read_spec_file, validate

__all__ = ["ExerciseSet", "load_spec", "from_spec"]


@dataclass(frozen=True, slots=True)
class ExerciseSet:
    """A titled, ordered collection of exercises.

    Examples:
        >>> s = from_spec({"title": "Warm-up", "items": [{"topic": "power_rule", "count": 2, "seed": 1}]})
        >>> s.title, len(s.items), s.items[0].id
        ('Warm-up', 2, 'power_rule-1-1')
    """

    title: str
    items: tuple[Exercise, ...]
    description: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "set"


def _written(w: Written, title: str) -> Exercise:
    solution = w.solution
    if not solution or not solution[-1].startswith("Answer:"):
        solution = (*solution, f"Answer: {to_text(w.answer)}")
    return Exercise(
        id=w.id or f"{_slug(title)}-{w.index + 1}",
        topic="written",
        difficulty=0,
        seed=None,
        prompt=w.prompt,
        prompt_latex=w.prompt_latex if w.prompt_latex is not None else typeset(w.prompt),
        variables=w.variables,
        answer=w.answer,
        mode=w.mode,
        hints=w.hints,
        solution=solution,
        options=w.options,
    )


VERIFY_TIMEOUT = 10.0
"""How long verifying one hand-written item may take (seconds)."""

def _written_problems(ex: Exercise) -> list[str]:
    """What is wrong with a hand-written exercise (runs inside the sandbox)."""
    from ..calculus import derivative
    from ..checking import Inline, check
    from .core import _problems

    out = _problems(ex)
    options = dict(ex.options)
    if not out and "function" in options and "wrt" in options and ex.mode == "equivalent":
        d = derivative(options["function"], options["wrt"])
        if not check(to_text(d), ex.answer, variables=ex.variables, sandbox=Inline(), diagnose=False).correct:
            out.append(f"is not the derivative of the function with respect to {options['wrt']} ({to_text(d)[:80]})")
    return out


_FIELD_OF_PROBLEM = (("its own answer", "answer"), ("solution", "solution"), ("perturbed", "tolerance"),
                     ("derivative", "answer"))


def _verified(ex: Exercise, w: Written, source: str) -> Exercise:
    """The exercise, once it verifies itself (its answer checks, its solution ends in it, a wrong answer fails)."""
    from ..sandbox import SandboxMemoryError, SandboxTimeout, default_sandbox
    from .spec import _Where

    where = _Where(source, w.index, " ".join(w.prompt.split()))
    try:
        problems = default_sandbox().run(_written_problems, ex, timeout=VERIFY_TIMEOUT)
    except (SandboxTimeout, SandboxMemoryError) as exc:
        raise where.error("answer", f"could not be verified ({exc})") from None
    except SymtutorError as exc:
        raise where.error("answer", f"could not be checked: {str(exc).splitlines()[0][:200]}") from None
    if problems:
        field = next((f for key, f in _FIELD_OF_PROBLEM if key in problems[0]), "answer")
        if field == "tolerance" and "tolerance" not in dict(ex.options):
            field = "answer"
        raise where.error(field, problems[0].splitlines()[0][:300])
    return ex


def from_spec(spec: Mapping, *, progress: Callable[[int, int], None] | None = None,
              source: str = "spec") -> ExerciseSet:
    """Build an ExerciseSet from a spec mapping (see :mod:`symtutor.exercises.spec`).

    The whole spec is validated first (:func:`~symtutor.exercises.spec.validate`)
    and every hand-written item verified (its answer checks, its solution ends
    in it, a perturbed answer fails), so a bad item is refused, with its file,
    number, title and field, before anything is generated.  ``progress(done, total)`` is called after each
    exercise, for a progress bar.

    Examples:
        >>> s = from_spec({"title": "Mixed", "items": [
        ...     {"topic": "hessian", "difficulty": 2, "count": 2, "seed": 5},
        ...     {"prompt": "Differentiate x^3.", "answer": "3x^2", "variables": ["x"]}]})
        >>> [ex.id for ex in s.items]
        ['hessian-2-5', 'hessian-2-6', 'mixed-2']
        >>> s.items[2].check("3 x x").correct
        True
        >>> s.items[2].prompt_latex
        'Differentiate $x^{3}$.'
    """
    title, description, plan = validate(spec, source=source)
    written = {p.index: _verified(_written(p, title), p, source) for p in plan if isinstance(p, Written)}
    total = sum(p.count if isinstance(p, Generated) else 1 for p in plan)
    items = []
    for p in plan:
        made = ([generate(p.topic, seed=p.seed + k, difficulty=p.difficulty) for k in range(p.count)]
                if isinstance(p, Generated) else [written[p.index]])
        for ex in made:
            items.append(ex)
            if progress is not None:
                progress(len(items), total)
    return ExerciseSet(title, tuple(items), description)


def load_spec(path, *, progress: Callable[[int, int], None] | None = None) -> ExerciseSet:
    """Read a YAML spec file (bounded, plain YAML only) and build its ExerciseSet.

    Errors are :class:`~symtutor.errors.SpecError`, one line naming the file.

    Examples:
        >>> from pathlib import Path
        >>> import symtutor
        >>> spec = Path(symtutor.__file__).parent / "data" / "exercises" / "week1.yaml"
        >>> load_spec(spec).title
        'Week 1: derivatives and their rules'
    """
    data, source = read_spec_file(path)
    return from_spec(data, progress=progress, source=source)
