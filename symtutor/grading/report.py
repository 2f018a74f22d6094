"""The class report: what the class got right and wrong, per item, per topic and per learner.

For each item: its facility (the share of learners right), its discrimination
(the correlation of the item's score with the learner's score on the rest of
the test), the share of each diagnosed mistake, and the wrong answers no
diagnosis explains, grouped by their values at the item's check points (so
``3x^2 cos(x^2)`` and ``cos(x^2) 3x^2`` are one misconception), most common
first.  Per topic, the class's mastery; per learner, a page of what to
practise.  The HTML is self-contained: the charts are inline SVG, there is no
script and nothing is fetched.  The figures come from the class's
:class:`~symtutor.grading.summary.ClassSummary` (what the grading workers
summed up, merged), or are summed up here from a list of Graded rows.
"""

from __future__ import annotations

import gc
import hashlib
import html
import math
import os
import multiprocessing as mp
import re
import shutil
import tempfile
import warnings
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..diagnosis import MESSAGES
from ..exercises.core import Exercise, topics
from .attempts import write_csv
from .summary import ClassSummary, WrongAnswer, summarize_graded

__all__ = ["ItemStats", "WrongAnswer", "item_stats", "wrong_answers", "topic_mastery", "write_report",
           "start_learner_pages", "discrimination"]

_LABELS = {
    "chain_rule_inner_missing": "dropped the chain rule's inner factor",
    "product_rule_as_product": "multiplied the derivatives (product rule)",
    "quotient_rule_sign": "swapped the quotient rule's numerator",
    "sign_error": "got the sign wrong",
    "term_sign_error": "got one term's sign wrong",
    "constant_factor": "are off by a constant factor",
    "extra_constant": "are off by an added constant",
    "wrong_variable": "differentiated with respect to the wrong variable",
    "original_function": "wrote the function itself",
    "transposed": "transposed the matrix",
    "row_for_column": "wrote a row for a column",
    "wrong_shape": "gave the wrong shape",
    "missing_mixed_partials": "left out the mixed partials",
    "taylor_missing_factorial": "left out the factorials",
    "taylor_wrong_point": "expanded about the wrong point",
    "taylor_wrong_degree": "kept the wrong degree",
    "term_missing": "left out a term",
    "term_extra": "added a term too many",
    "not_expanded": "did not expand",
    "not_factored": "did not factor fully",
    "not_simplified": "did not simplify",
    "not_a_number": "did not give a number",
    "too_few_digits": "gave too few digits",
    "not_a_polynomial": "did not give a polynomial",
}


def label(tag: str) -> str:
    """A short phrase for a diagnosis tag ("38% dropped the chain rule's inner factor").

    Examples:
        >>> label("chain_rule_inner_missing")
        "dropped the chain rule's inner factor"
    """
    if tag in _LABELS:
        return _LABELS[tag]
    text = MESSAGES.get(tag, tag.replace("_", " "))
    return re.sub(r"\{[^}]*\}", "…", text.split(". ")[0]).rstrip(".")


@dataclass(frozen=True, slots=True)
class ItemStats:
    """One item's figures: facility and discrimination are None where they cannot be computed."""

    item: str
    topic: str
    prompt: str
    expected: str
    learners: int
    attempts: int
    facility: float | None
    discrimination: float | None
    diagnoses: tuple[tuple[str, float], ...]
    wrong: tuple[WrongAnswer, ...]


def _summary(graded, order: Sequence[str] | None = None) -> ClassSummary:
    """The class's summary: given, or summed up from Graded rows."""
    return graded if isinstance(graded, ClassSummary) else summarize_graded(graded, order)


def discrimination(item_scores: Sequence[float], rest_scores: Sequence[float]) -> float | None:
    """The Pearson correlation of an item's scores with the rest of the test (None if either is constant).

    Examples:
        >>> discrimination([1, 1, 0, 0], [3, 2, 1, 0])
        0.8944
        >>> discrimination([1, 1], [3, 2]) is None
        True
    """
    x, y = np.asarray(item_scores, dtype=float), np.asarray(rest_scores, dtype=float)
    if len(x) < 2 or len(x) != len(y):
        return None
    dx, dy = x - x.mean(), y - y.mean()
    sxx, syy = float(dx @ dx), float(dy @ dy)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return round(float(dx @ dy) / math.sqrt(sxx * syy), 4)


def wrong_answers(graded, item: str | None = None) -> list[WrongAnswer]:
    """The wrong answers no diagnosis explains, grouped by their values at the check points, most learners first.

    Answers that could not be evaluated, or are undefined at every check point, are grouped by how they were read.
    ``graded`` is a list of Graded rows or their :class:`~symtutor.grading.summary.ClassSummary`.

    Examples:
        >>> from symtutor.grading.classgrade import Graded
        >>> g = [Graded(2, "a", "q", "2x", "incorrect", 0, None, "", "2*x", (2.0,)),
        ...      Graded(3, "b", "q", "x+x", "incorrect", 0, None, "", "2*x", (2.0,)),
        ...      Graded(4, "c", "q", "2x", "incorrect", 0, None, "", "2*x", (2.0,))]
        >>> w = wrong_answers(g)[0]
        >>> w.learners, w.answer, w.forms
        (3, '2x', (('2x', 2), ('x+x', 1)))
    """
    return [w for w in _summary(graded).wrong if item is None or w.item == item]


def item_stats(graded, exercises: dict[str, Exercise], order: Sequence[str]) -> list[ItemStats]:
    """Facility, discrimination, diagnosis shares and grouped wrong answers for each item in ``order``.

    ``graded`` is a list of Graded rows or their :class:`~symtutor.grading.summary.ClassSummary`.

    Examples:
        >>> from symtutor import generate
        >>> from symtutor.grading.classgrade import Graded
        >>> ex = {"p": generate("power_rule", seed=1)}
        >>> g = [Graded(2, "a", "p", "", "correct", 1.0, None, "", "", None),
        ...      Graded(3, "b", "p", "", "incorrect", 0.0, "sign_error", "", "", None)]
        >>> s = item_stats(g, ex, ["p"])[0]
        >>> s.facility, s.diagnoses
        (0.5, (('sign_error', 0.5),))
    """
    c = _summary(graded, order)
    column = {item: j for j, item in enumerate(c.items)}
    taken = ~np.isnan(c.best)
    totals = np.where(taken, c.best, 0.0).sum(axis=1)
    wrong_by_item: dict[str, list] = defaultdict(list)
    for w in c.wrong:
        wrong_by_item[w.item].append(w)
    stats = []
    for item in order:
        ex = exercises[item]
        j = column[item]
        scores = c.best[taken[:, j], j]
        rest = totals[taken[:, j]] - scores
        n = c.attempts[j]
        shares = tuple(sorted(((t, k / n) for t, k in c.diagnoses[j]), key=lambda kv: (-kv[1], kv[0])))
        stats.append(ItemStats(
            item, ex.topic, ex.prompt, ex.answer_text, len(scores), n,
            float(scores.mean()) if len(scores) else None, discrimination(scores, rest), shares,
            tuple(wrong_by_item.get(item, ())),
        ))
    return stats


def topic_mastery(graded, exercises: dict[str, Exercise]) -> dict[str, tuple[int, float]]:
    """Per topic: how many learners attempted it and their mean best score on its items.

    ``graded`` is a list of Graded rows or their :class:`~symtutor.grading.summary.ClassSummary`.

    Examples:
        >>> from symtutor import generate
        >>> from symtutor.grading.classgrade import Graded
        >>> ex = {"p": generate("power_rule", seed=1)}
        >>> g = [Graded(2, "a", "p", "", "correct", 1.0, None, "", "", None),
        ...      Graded(3, "b", "p", "", "incorrect", 0.0, None, "", "", None)]
        >>> topic_mastery(g, ex)
        {'power_rule': (2, 0.5)}
    """
    c = _summary(graded)
    columns: dict[str, list[int]] = defaultdict(list)
    for j, item in enumerate(c.items):
        columns[exercises[item].topic].append(j)
    out = {}
    for topic, cols in columns.items():
        sub = c.best[:, cols]
        count = (~np.isnan(sub)).sum(axis=1)
        took = count > 0
        if took.any():
            means = np.nansum(sub[took], axis=1) / count[took]
            out[topic] = (int(took.sum()), float(means.mean()))
    return dict(sorted(out.items(), key=lambda kv: kv[1][1]))


# ---------------------------------------------------------------------------
# HTML


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;
color:#222;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}h3{margin-bottom:.3rem}
table{border-collapse:collapse;margin:.6rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;
vertical-align:top}th{background:#f4f4f4}code{background:#f3f3f3;padding:0 .2rem;border-radius:3px}
.num{text-align:right}.callout{background:#fff6e0;border-left:4px solid #e0a000;padding:.5rem .8rem}
.item{margin:1.4rem 0;padding-top:.4rem;border-top:1px dashed #ccc}.small{color:#666;font-size:.9rem}
svg text{font-family:inherit;font-size:12px}
"""


@lru_cache(maxsize=65_536)
def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _e(text) -> str:
    return _escape(str(text))  # answers, messages and item names repeat across learners: escaped once each


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f}%"


def _bars(rows: Sequence[tuple[str, float]], *, title: str, width: int = 640) -> str:
    """A horizontal bar chart of values in [0, 1], as inline SVG."""
    bar_h, gap, left = 16, 4, 230
    h = len(rows) * (bar_h + gap) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{h}" '
             f'viewBox="0 0 {width} {h}"><title>{_e(title)}</title>']
    span = width - left - 50
    for i, (name, value) in enumerate(rows):
        y = 4 + i * (bar_h + gap)
        v = 0.0 if value is None or not math.isfinite(value) else max(0.0, min(1.0, value))
        shown = name if len(name) <= 34 else name[:33] + "…"
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{_e(shown)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{span}" height="{bar_h}" fill="#eee"/>')
        parts.append(f'<rect x="{left}" y="{y}" width="{span * v:.1f}" height="{bar_h}" fill="#3b7dd8"/>')
        parts.append(f'<text x="{left + span + 6}" y="{y + 12}">{_pct(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _histogram(values: Sequence[float], *, title: str, bins: int = 10, width: int = 640, height: int = 180) -> str:
    """A histogram of values in [0, 1] (the learners' totals as a share), as inline SVG."""
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v * bins)))] += 1
    top = max(counts) or 1
    bw = (width - 40) / bins
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height + 30}" '
             f'viewBox="0 0 {width} {height + 30}"><title>{_e(title)}</title>']
    for i, c in enumerate(counts):
        h = (height - 20) * c / top
        x = 20 + i * bw
        parts.append(f'<rect x="{x + 2:.1f}" y="{height - h:.1f}" width="{bw - 4:.1f}" height="{h:.1f}" '
                     'fill="#3b7dd8"/>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{height - h - 4:.1f}" text-anchor="middle">{c}</text>')
        parts.append(f'<text x="{x + bw / 2:.1f}" y="{height + 16}" text-anchor="middle">{100 * i // bins}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{_CSS}</style></head><body>\n{body}\n</body></html>\n")


def learner_file(learner: str) -> str:
    """The file name of a learner's page (safe on any file system, distinct for distinct learners).

    Examples:
        >>> learner_file("../ann smith")
        'ann_smith-77c1a15a.html'
    """
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", learner).strip("_")[:40] or "learner"
    return f"{slug}-{hashlib.sha256(learner.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}.html"


def _wrong_sentence(w: WrongAnswer) -> str:
    who = "learner" if w.learners == 1 else "learners"
    same = "wrote the same wrong thing" if w.learners > 1 else "wrote"
    more = ""
    if len(w.forms) > 1:
        more = f' <span class="small">(also written {", ".join(f"<code>{_e(f)}</code>" for f, _ in w.forms[1:4])}' \
               f'{" …" if len(w.forms) > 4 else ""})</span>'
    return f"{w.learners} {who} {same}: <code>{_e(w.answer)}</code>{more}"


def write_report(graded, exercises: dict[str, Exercise], out, *, order: Sequence[str], title: str = "Class report",
                 errors=(), learner_pages: bool = True, write_pages: bool = True) -> Path:
    """Write ``report.html``, ``items.csv``, ``wrong_answers.csv``, ``topics.csv`` and ``learners/*.html`` to ``out``.

    ``graded`` is a list of Graded rows or their :class:`~symtutor.grading.summary.ClassSummary`.  Returns the
    path of ``report.html``.

    Examples:
        >>> import tempfile
        >>> from symtutor import generate
        >>> from symtutor.grading.classgrade import Graded
        >>> ex = {"p": generate("power_rule", seed=1)}
        >>> g = [Graded(2, "ann", "p", "x", "incorrect", 0.0, None, "Not right.", "x", (1.0,))]
        >>> write_report(g, ex, tempfile.mkdtemp(), order=["p"]).name
        'report.html'
    """
    out = Path(out)
    c = _summary(graded, order)
    stats = item_stats(c, exercises, order)
    mastery = topic_mastery(c, exercises)
    wrong = c.wrong
    n_items = len(order) or 1
    descriptions = topics()

    write_csv(out / "items.csv",
              ["item", "topic", "learners", "attempts", "facility", "discrimination", "diagnoses",
               "top_undiagnosed_answer", "top_undiagnosed_learners"],
              ([s.item, s.topic, s.learners, s.attempts, "" if s.facility is None else f"{s.facility:.6f}",
                "" if s.discrimination is None else f"{s.discrimination:.4f}",
                "; ".join(f"{t}={share:.4f}" for t, share in s.diagnoses),
                s.wrong[0].answer if s.wrong else "", s.wrong[0].learners if s.wrong else 0] for s in stats))
    write_csv(out / "wrong_answers.csv", ["item", "learners", "attempts", "answer", "other_forms", "values"],
              ([w.item, w.learners, w.attempts, w.answer, " | ".join(f for f, _ in w.forms[1:]),
                "" if w.values is None else " ".join("nan" if v is None else repr(v) for v in w.values)]
               for w in wrong))
    write_csv(out / "topics.csv", ["topic", "learners", "mastery"],
              ([t, n, f"{m:.6f}"] for t, (n, m) in mastery.items()))

    body = [f"<h1>{_e(title)}</h1>",
            f"<p>{len(c.learners)} learners, {len(order)} items, {c.graded} attempts graded"
            + (f", {len(errors)} malformed row(s) (see errors.csv)" if errors else "") + ".</p>"]
    if wrong:
        body.append('<p class="callout" id="top-wrong"><strong>Most common wrong answer no diagnosis explains</strong> '
                    f'(item {_e(wrong[0].item)}): {_wrong_sentence(wrong[0])}</p>')
    body.append("<h2>Facility per item</h2>")
    body.append(_bars([(s.item, s.facility) for s in stats], title="Share of learners right, per item"))
    totals = (np.nansum(c.best, axis=1) / n_items).tolist()
    body.append("<h2>Learners' totals</h2>")
    body.append(_histogram(totals, title="Learners by share of the items right"))
    body.append("<h2>Mastery per topic</h2>")
    body.append(_bars([(t, m) for t, (n, m) in mastery.items()], title="Mean score per topic"))
    body.append("<table><tr><th>topic</th><th>what it is</th><th class=num>learners</th>"
                "<th class=num>mastery</th></tr>")
    for t, (n, m) in mastery.items():
        body.append(f"<tr><td>{_e(t)}</td><td>{_e(descriptions.get(t, ''))}</td><td class=num>{n}</td>"
                    f"<td class=num>{_pct(m)}</td></tr>")
    body.append("</table>")
    if wrong:
        body.append("<h2>Wrong answers no diagnosis explains, most common first</h2><table>"
                    "<tr><th>item</th><th class=num>learners</th><th>answer</th></tr>")
        for w in wrong[:20]:
            body.append(f"<tr><td>{_e(w.item)}</td><td class=num>{w.learners}</td><td>{_wrong_sentence(w)}</td></tr>")
        body.append("</table>")
    body.append("<h2>Items</h2>")
    body.append("<table><tr><th>item</th><th>topic</th><th class=num>learners</th><th class=num>facility</th>"
                "<th class=num>discrimination</th></tr>")
    for s in stats:
        d = "–" if s.discrimination is None else f"{s.discrimination:.2f}"
        body.append(f'<tr><td><a href="#item-{_e(s.item)}">{_e(s.item)}</a></td><td>{_e(s.topic)}</td>'
                    f"<td class=num>{s.learners}</td><td class=num>{_pct(s.facility)}</td><td class=num>{d}</td></tr>")
    body.append("</table>")
    for s in stats:
        d = "–" if s.discrimination is None else f"{s.discrimination:.2f}"
        body.append(f'<div class="item" id="item-{_e(s.item)}"><h3>{_e(s.item)}</h3>'
                    f"<p>{_e(s.prompt)}<br><span class=small>Expected: <code>{_e(s.expected)}</code></span></p>"
                    f"<p>Facility {_pct(s.facility)} of {s.learners} learners ({s.attempts} attempts); "
                    f"discrimination {d}.</p>")
        if s.diagnoses:
            body.append("<ul>" + "".join(f"<li>{_pct(share)} {_e(label(t))} <span class=small>({_e(t)})</span></li>"
                                          for t, share in s.diagnoses) + "</ul>")
        if s.wrong:
            body.append("<p>Wrong answers no diagnosis explains:</p><ul>"
                        + "".join(f"<li>{_wrong_sentence(w)}</li>" for w in s.wrong[:5]) + "</ul>")
        body.append("</div>")
    if learner_pages and c.learners:
        body.append("<h2>Learners</h2><p>")
        body.append(", ".join(f'<a href="learners/{_e(learner_file(learner))}">{_e(learner)}</a>'
                              for learner in c.learners))
        body.append("</p>")
    path = out / "report.html"
    _atomic_text(path, _page(title, "\n".join(body)))
    if learner_pages and write_pages:
        _learner_pages(c, exercises, out / "learners", order, descriptions)
    return path


def start_learner_pages(graded, exercises: dict[str, Exercise], out, *, order: Sequence[str],
                        processes: int = 1) -> Callable[[], None]:
    """Start writing the learners' pages (``out/learners/``) in ``processes`` forked processes, beside the caller's
    own work (``graded``: Graded rows or their :class:`~symtutor.grading.summary.ClassSummary`).

    Returns a function that waits for them; where no process could be forked, or one failed, that function
    writes its share itself.

    Examples:
        >>> import tempfile, pathlib
        >>> from symtutor import generate
        >>> from symtutor.grading.classgrade import Graded
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> g = [Graded(2, "ann", "p", "x", "incorrect", 0.0, None, "Not right.", "x", None)]
        >>> wait = start_learner_pages(g, {"p": generate("power_rule", seed=1)}, d, order=["p"])
        >>> wait(); [p.name for p in (d / "learners").iterdir()]
        ['ann-49915e0d.html']
    """
    c = _summary(graded, order)
    folder = Path(out) / "learners"
    descriptions = topics()
    shares = [(k, max(1, processes)) for k in range(max(1, processes))]
    started = []
    if "fork" in mp.get_all_start_methods():
        gc.freeze()  # the children's collections then leave the parent's objects alone (no copy of every page)
        for share in shares:
            try:
                with warnings.catch_warnings():
                    # the child only formats and writes files; it shares nothing with the parent's threads
                    warnings.simplefilter("ignore", DeprecationWarning)
                    proc = mp.get_context("fork").Process(target=_learner_pages, daemon=True,
                                                          args=(c, exercises, folder, order, descriptions, share))
                    proc.start()
            except (AssertionError, OSError):  # a daemonic caller, or no processes left: written in wait()
                break
            started.append((proc, share))
        gc.unfreeze()

    def wait() -> None:
        for share in shares[len(started):]:
            _learner_pages(c, exercises, folder, order, descriptions, share)
        for proc, share in started:
            proc.join()
            if proc.exitcode != 0:
                _learner_pages(c, exercises, folder, order, descriptions, share)

    return wait


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _learner_pages(c: ClassSummary, exercises, folder: Path, order, descriptions, share=(0, 1)) -> None:
    """Write the pages of the learners ``share[0]``, ``share[0] + share[1]``, ... of ``c.learners``."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = {}
    first, step = share
    column = {item: j for j, item in enumerate(c.items)}
    cols = [(item, exercises[item].topic, column[item]) for item in order if item in column]
    heads = {t: (f"<li><strong>{_e(t)}</strong> {_e(descriptions.get(t, ''))} (",
                 " right)." + (f" <code>symtutor practice --topic {_e(t)}</code>" if t in descriptions else "")
                 + "<ul>") for t in {topic for _, topic, _ in cols}}
    wrote: dict[int, str] = {}  # an attempt's line on the page, by its answer (each answer is one item's)

    def you_wrote(item: str, a: int) -> str:
        if a not in wrote:
            wrote[a] = f"<li>{_e(item)}: you wrote <code>{_e(c.answers[a])}</code>. {_e(c.messages[a])}</li>"
        return wrote[a]

    for learner, scores, at in zip(c.learners[first::step], c.best[first::step].tolist(),
                                   c.best_answer[first::step].tolist()):
        per_topic: dict[str, list] = {}
        total, right, missing = 0.0, [], []
        for item, topic, j in cols:  # each item's best attempt (the first of the best)
            if at[j] < 0:
                missing.append(item)
                continue
            score = scores[j]
            total += score
            if score >= 1:
                right.append(item)
            mine = per_topic.setdefault(topic, [0.0])
            mine[0] += score
            mine.append((item, score, at[j]))
        missing += [item for item in order if item not in column]
        body = [f"<h1>{_e(learner)}: what to practise</h1>",
                f"<p>{total:g} of {len(order)} items right ({_pct(total / (len(order) or 1))}).</p>"]
        weak = sorted((gs[0] / (len(gs) - 1), t, gs[1:]) for t, gs in per_topic.items())
        todo = [(m, t, gs) for m, t, gs in weak if m < 1]
        if todo:
            body.append("<h2>Practise next</h2><ol>")
            for m, t, gs in todo:
                head, tail = heads[t]
                body.append(f"{head}{_pct(m)}{tail}")
                body.extend(you_wrote(item, a) for item, score, a in gs if score < 1)
                body.append("</ul></li>")
            body.append("</ol>")
        else:
            body.append("<p>Everything right: well done.</p>")
        if right:
            body.append(f"<p>Right: {_e(', '.join(right))}.</p>")
        if missing:
            body.append(f"<p>Not attempted: {_e(', '.join(missing))}.</p>")
        body.append('<p><a href="../report.html">Class report</a></p>')
        pages[learner_file(learner)] = _page(f"{learner}: what to practise", "\n".join(body))
    # each process makes its files in a folder of its own, then moves them in: making a file (its inode) is slow
    # on some file systems and one folder makes one at a time, while moving a file in is quick
    staging = Path(tempfile.mkdtemp(prefix=".pages-", dir=folder))
    try:
        for name, text in pages.items():
            with open(staging / name, "wb") as fh:
                fh.write(text.encode("utf-8"))
        for name in pages:
            os.replace(staging / name, folder / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
