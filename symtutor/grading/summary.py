"""What a class's graded attempts add up to: summed up partition by partition, then merged.

The worker that grades a partition (an item's distinct answers, or a chunk
of them) also sums up the partition's attempts (:func:`summarize`): each
learner's best score on the item and which attempt it was, the diagnoses'
counts, and the wrong answers no diagnosis explains grouped by their values
at the item's check points.  The driver only merges the summaries
(:func:`merge`) into what needs the whole class: the learner-by-item table of
best scores, from which the gradebook, the discrimination, the mastery per
topic and the learners' pages come.  A list of :class:`Graded` rows is summed
up the same way (:func:`summarize_graded`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["PartSummary", "ClassSummary", "WrongAnswer", "summarize", "merge", "summarize_graded"]


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """A group of undiagnosed wrong answers to one item with the same values: who wrote it and how."""

    item: str
    learners: int
    attempts: int
    answer: str
    forms: tuple[tuple[str, int], ...]
    values: tuple | None


@dataclass(frozen=True, slots=True)
class PartSummary:
    """One partition's attempts summed up (made in the worker that graded it).

    ``learners`` are the partition's learners, each once; ``best`` their best score on the item, ``best_line``
    the line of their first attempt with that score and ``best_answer`` its index in ``answers``.  ``wrong``
    holds the undiagnosed wrong answers as ``(key, forms, learners)``: the key is ``("values", values)`` or
    ``("text", how it was read)``, the forms ``(answer, attempts)`` pairs.
    """

    item: str
    answers: tuple[str, ...]
    messages: tuple[str, ...]
    attempts: int
    learners: tuple[str, ...]
    best: np.ndarray
    best_line: np.ndarray
    best_answer: np.ndarray
    diagnoses: tuple[tuple[str, int], ...]
    wrong: tuple[tuple[tuple, tuple[tuple[str, int], ...], tuple[str, ...]], ...]


def _frozen(values, dtype) -> np.ndarray:
    a = np.asarray(values, dtype=dtype)
    a.setflags(write=False)
    return a


def summarize(item: str, answers: Sequence[str], verdicts: Sequence[Sequence], lines: Sequence[int],
              learners: Sequence[str], which: Sequence[int]) -> PartSummary:
    """Sum up a partition: ``answers`` with their ``verdicts`` (rows ``[status, score, diagnosis, message,
    understood, values]``), and per attempt its line, learner and the index of its answer.

    Examples:
        >>> v = [["correct", 1.0, None, "Right.", "2*x", None], ["incorrect", 0.0, None, "No.", "x", [1.0]]]
        >>> s = summarize("q", ["2x", "x"], v, [2, 3, 4], ["ann", "bob", "ann"], [1, 1, 0])
        >>> s.learners, s.best.tolist(), s.best_line.tolist(), s.wrong
        (('ann', 'bob'), [1.0, 0.0], [4, 3], ((('values', (1.0,)), (('x', 2),), ('ann', 'bob')),))
    """
    scores = [float(v[1]) for v in verdicts]
    groups: dict[tuple, dict] = {}
    group_of: list[tuple | None] = []
    for text, v in zip(answers, verdicts):
        key = None
        if v[0] == "incorrect" and v[2] is None:
            values = None if v[5] is None else tuple(v[5])
            # answers undefined at every check point have nothing in common but that: grouped by how they read
            defined = values is not None and any(x is not None for x in values)
            key = ("values", values) if defined else ("text", v[4] or text.strip())
            groups.setdefault(key, {})
        group_of.append(key)
    best: dict[str, tuple[float, int, int]] = {}
    members: dict[tuple, dict] = defaultdict(dict)  # learners in the order they first appear
    counts = [0] * len(answers)
    for line, learner, a in zip(lines, learners, which):
        counts[a] += 1
        s = scores[a]
        b = best.get(learner)
        if b is None or s > b[0] or (s == b[0] and line < b[1]):
            best[learner] = (s, line, a)
        if group_of[a] is not None:
            members[group_of[a]][learner] = None
    diagnoses: Counter = Counter()
    for a, v in enumerate(verdicts):
        if v[2] and counts[a]:
            diagnoses[v[2]] += counts[a]
        if group_of[a] is not None and counts[a]:
            forms = groups[group_of[a]]
            forms[answers[a]] = forms.get(answers[a], 0) + counts[a]
    names = tuple(best)
    return PartSummary(
        item, tuple(answers), tuple(v[3] for v in verdicts), len(lines), names,
        _frozen([best[n][0] for n in names], float), _frozen([best[n][1] for n in names], np.int64),
        _frozen([best[n][2] for n in names], np.int64), tuple(sorted(diagnoses.items())),
        tuple((key, tuple(forms.items()), tuple(members[key])) for key, forms in groups.items() if forms),
    )


@dataclass(frozen=True, slots=True)
class ClassSummary:
    """The class's summaries merged: ``best`` is learners x items (NaN where not attempted), ``best_answer``
    indexes ``answers`` and ``messages`` with each learner's first best attempt at each item (-1 where none)."""

    items: tuple[str, ...]
    learners: tuple[str, ...]
    best: np.ndarray
    best_answer: np.ndarray
    answers: tuple[str, ...]
    messages: tuple[str, ...]
    attempts: tuple[int, ...]
    diagnoses: tuple[tuple[tuple[str, int], ...], ...]
    wrong: tuple[WrongAnswer, ...]

    @property
    def graded(self) -> int:
        """How many attempts were graded."""
        return sum(self.attempts)


def merge(parts: Iterable[PartSummary], items: Sequence[str]) -> ClassSummary:
    """The partitions' summaries as one: the learners sorted, the items in the order of ``items``.

    Examples:
        >>> v = [["correct", 1.0, None, "Right.", "2*x", None], ["incorrect", 0.0, "sign_error", "No.", "x", None]]
        >>> a = summarize("q", ["2x"], v[:1], [2], ["bob"], [0])
        >>> b = summarize("q", ["-2x"], v[1:], [3, 4], ["ann", "bob"], [0, 0])
        >>> c = merge([a, b], ["q"])
        >>> c.learners, c.best.tolist(), c.diagnoses, c.graded
        (('ann', 'bob'), [[0.0], [1.0]], ((('sign_error', 2),),), 3)
    """
    parts = list(parts)
    column = {item: j for j, item in enumerate(items)}
    learners = tuple(sorted(set().union(*(p.learners for p in parts))))
    row = {name: i for i, name in enumerate(learners)}
    best = np.full((len(learners), len(items)), np.nan)
    line = np.zeros(best.shape, dtype=np.int64)
    at = np.full(best.shape, -1, dtype=np.int64)
    answers: list[str] = []
    messages: list[str] = []
    attempts = [0] * len(items)
    diagnoses: list[Counter] = [Counter() for _ in items]
    groups: dict[tuple, tuple[Counter, set]] = {}
    for p in parts:
        j = column[p.item]
        rows = np.fromiter(map(row.__getitem__, p.learners), dtype=np.intp, count=len(p.learners))
        cur, cur_line = best[rows, j], line[rows, j]
        # the best score; of equal scores, the earlier attempt (an item's chunks hold different answers)
        take = np.isnan(cur) | (p.best > cur) | ((p.best == cur) & (p.best_line < cur_line))
        rows = rows[take]
        best[rows, j] = p.best[take]
        line[rows, j] = p.best_line[take]
        at[rows, j] = p.best_answer[take] + len(answers)
        answers.extend(p.answers)
        messages.extend(p.messages)
        attempts[j] += p.attempts
        diagnoses[j].update(dict(p.diagnoses))
        for key, forms, who in p.wrong:
            counter, members = groups.setdefault((p.item, key), (Counter(), set()))
            counter.update(dict(forms))
            members.update(who)
    wrong = []
    for (item, key), (forms, members) in groups.items():
        ranked = tuple(sorted(forms.items(), key=lambda kv: (-kv[1], kv[0])))
        wrong.append(WrongAnswer(item, len(members), sum(forms.values()), ranked[0][0], ranked,
                                 key[1] if key[0] == "values" else None))
    wrong.sort(key=lambda w: (-w.learners, -w.attempts, w.item, w.answer))
    for a in (best, at):
        a.setflags(write=False)
    return ClassSummary(tuple(items), learners, best, at, tuple(answers), tuple(messages), tuple(attempts),
                        tuple(tuple(sorted(c.items())) for c in diagnoses), tuple(wrong))


def summarize_graded(graded, items: Sequence[str] | None = None) -> ClassSummary:
    """A list of :class:`~symtutor.grading.classgrade.Graded` rows summed up by :func:`summarize` and
    :func:`merge` (``items``: the order of the items; others follow in the order they first appear in).

    Examples:
        >>> from symtutor.grading.classgrade import Graded
        >>> g = [Graded(2, "ann", "p", "1", "correct", 1.0, None, "", "", None),
        ...      Graded(3, "bob", "p", "2", "incorrect", 0.0, "sign_error", "", "", None)]
        >>> summarize_graded(g).best.tolist()
        [[1.0], [0.0]]
    """
    by_item: dict[str, list] = defaultdict(list)
    for g in graded:
        by_item[g.item].append(g)
    items = list(dict.fromkeys([*(items or ()), *by_item]))
    parts = []
    for item, rows in by_item.items():
        index: dict[tuple, int] = {}  # each answer with its verdict once
        which = [index.setdefault((g.answer, g.status, g.score, g.diagnosis, g.message, g.understood, g.values),
                                  len(index)) for g in rows]
        verdicts = [[*key[1:6], None if key[6] is None else list(key[6])] for key in index]
        parts.append(summarize(item, [key[0] for key in index], verdicts, [g.line for g in rows],
                               [g.learner for g in rows], which))
    return merge(parts, items)
