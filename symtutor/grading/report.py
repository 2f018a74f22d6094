"""The class report: what the class got right and wrong, per item, per topic and per learner.

For each item: its facility (the share of learners right), its discrimination
(the correlation of the item's score with the learner's score on the rest of
the test), the share of each diagnosed mistake, and the wrong answers no
diagnosis explains, grouped by their values at the item's check points (so
``3x^2 cos(x^2)`` and ``cos(x^2) 3x^2`` are one misconception), most common
first.  Per topic, the class's mastery; per learner, a page of what to
practise.  The HTML is self-contained: the charts are inline SVG, there is no
script and nothing is fetched.
"""

from __future__ import annotations

import hashlib
import html
import math
import multiprocessing as mp
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..diagnosis import MESSAGES
from ..exercises.core import Exercise, topics
from .attempts import write_csv

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
class WrongAnswer:
    """A group of undiagnosed wrong answers to one item with the same values: who wrote it and how."""

    item: str
    learners: int
    attempts: int
    answer: str
    forms: tuple[tuple[str, int], ...]
    values: tuple | None


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


def _best(graded) -> dict[str, dict[str, float]]:
    best: dict[str, dict[str, float]] = defaultdict(dict)
    for g in graded:
        mine = best[g.learner]
        mine[g.item] = max(mine.get(g.item, 0.0), g.score)
    return best


def discrimination(item_scores: Sequence[float], rest_scores: Sequence[float]) -> float | None:
    """The Pearson correlation of an item's scores with the rest of the test (None if either is constant).

    Examples:
        >>> discrimination([1, 1, 0, 0], [3, 2, 1, 0])
        0.8944
        >>> discrimination([1, 1], [3, 2]) is None
        True
    """
    n = len(item_scores)
    if n < 2 or n != len(rest_scores):
        return None
    mx, my = sum(item_scores) / n, sum(rest_scores) / n
    sxx = sum((x - mx) ** 2 for x in item_scores)
    syy = sum((y - my) ** 2 for y in rest_scores)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    sxy = sum((x - mx) * (y - my) for x, y in zip(item_scores, rest_scores))
    return round(sxy / math.sqrt(sxx * syy), 4)


def wrong_answers(graded, item: str | None = None) -> list[WrongAnswer]:
    """The wrong answers no diagnosis explains, grouped by their values at the check points, most learners first.

    Answers that could not be evaluated, or are undefined at every check point, are grouped by how they were read.

    Examples:
        >>> from symtutor.grading.classgrade import Graded
        >>> g = [Graded(2, "a", "q", "2x", "incorrect", 0, None, "", "2*x", (2.0,)),
        ...      Graded(3, "b", "q", "x+x", "incorrect", 0, None, "", "2*x", (2.0,)),
        ...      Graded(4, "c", "q", "2x", "incorrect", 0, None, "", "2*x", (2.0,))]
        >>> w = wrong_answers(g)[0]
        >>> w.learners, w.answer, w.forms
        (3, '2x', (('2x', 2), ('x+x', 1)))
    """
    groups: dict[tuple, list] = defaultdict(list)
    defined: dict[tuple, bool] = {}
    for g in graded:
        if g.status != "incorrect" or g.diagnosis is not None or (item is not None and g.item != item):
            continue
        # answers undefined at every check point have nothing in common but that: they are grouped by how they read
        valued = g.values is not None and defined.setdefault(g.values, any(v is not None for v in g.values))
        key = ("values", g.values) if valued else ("text", g.understood or g.answer.strip())
        groups[(g.item, key)].append(g)
    out = []
    for (it, key), members in groups.items():
        forms = Counter(m.answer for m in members)
        ranked = tuple(sorted(forms.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(WrongAnswer(it, len({m.learner for m in members}), len(members), ranked[0][0], ranked,
                               key[1] if key[0] == "values" else None))
    out.sort(key=lambda w: (-w.learners, -w.attempts, w.item, w.answer))
    return out


def item_stats(graded, exercises: dict[str, Exercise], order: Sequence[str], *, best=None) -> list[ItemStats]:
    """Facility, discrimination, diagnosis shares and grouped wrong answers for each item in ``order``.

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
    best = _best(graded) if best is None else best
    totals = {learner: sum(s.values()) for learner, s in best.items()}
    by_item: dict[str, list] = defaultdict(list)
    for g in graded:
        by_item[g.item].append(g)
    takers: dict[str, list] = defaultdict(list)
    for learner, mine in best.items():
        for item in mine:
            takers[item].append(learner)
    wrong_by_item: dict[str, list] = defaultdict(list)
    for w in wrong_answers(graded):
        wrong_by_item[w.item].append(w)
    stats = []
    for item in order:
        rows = by_item.get(item, [])
        ex = exercises[item]
        learners = takers.get(item, [])
        scores = [best[learner][item] for learner in learners]
        rest = [totals[learner] - best[learner][item] for learner in learners]
        tags = Counter(g.diagnosis for g in rows if g.diagnosis)
        shares = tuple(sorted(((t, c / len(rows)) for t, c in tags.items()), key=lambda kv: (-kv[1], kv[0])))
        stats.append(ItemStats(
            item, ex.topic, ex.prompt, ex.answer_text, len(learners), len(rows),
            sum(scores) / len(scores) if scores else None, discrimination(scores, rest), shares,
            tuple(wrong_by_item.get(item, ())),
        ))
    return stats


def topic_mastery(graded, exercises: dict[str, Exercise], *, best=None) -> dict[str, tuple[int, float]]:
    """Per topic: how many learners attempted it and their mean best score on its items.

    Examples:
        >>> from symtutor import generate
        >>> from symtutor.grading.classgrade import Graded
        >>> ex = {"p": generate("power_rule", seed=1)}
        >>> g = [Graded(2, "a", "p", "", "correct", 1.0, None, "", "", None),
        ...      Graded(3, "b", "p", "", "incorrect", 0.0, None, "", "", None)]
        >>> topic_mastery(g, ex)
        {'power_rule': (2, 0.5)}
    """
    per: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for learner, mine in (_best(graded) if best is None else best).items():
        for item, score in mine.items():
            per[exercises[item].topic][learner].append(score)
    out = {}
    for topic, learners in per.items():
        means = [sum(s) / len(s) for s in learners.values()]
        out[topic] = (len(means), sum(means) / len(means))
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

    Returns the path of ``report.html``.

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
    best = _best(graded)
    stats = item_stats(graded, exercises, order, best=best)
    mastery = topic_mastery(graded, exercises, best=best)
    wrong = wrong_answers(graded)
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
            f"<p>{len(best)} learners, {len(order)} items, {len(graded)} attempts graded"
            + (f", {len(errors)} malformed row(s) (see errors.csv)" if errors else "") + ".</p>"]
    if wrong:
        body.append('<p class="callout" id="top-wrong"><strong>Most common wrong answer no diagnosis explains</strong> '
                    f'(item {_e(wrong[0].item)}): {_wrong_sentence(wrong[0])}</p>')
    body.append("<h2>Facility per item</h2>")
    body.append(_bars([(s.item, s.facility) for s in stats], title="Share of learners right, per item"))
    totals = [sum(m.values()) / n_items for m in best.values()]
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
    if learner_pages and best:
        body.append("<h2>Learners</h2><p>")
        body.append(", ".join(f'<a href="learners/{_e(learner_file(learner))}">{_e(learner)}</a>'
                              for learner in sorted(best)))
        body.append("</p>")
    path = out / "report.html"
    _atomic_text(path, _page(title, "\n".join(body)))
    if learner_pages and write_pages:
        _learner_pages(graded, exercises, out / "learners", order, descriptions)
    return path


def start_learner_pages(graded, exercises: dict[str, Exercise], out, *, order: Sequence[str]) -> Callable[[], None]:
    """Start writing the learners' pages (``out/learners/``) in a forked process, beside the caller's own work.

    Returns a function that waits for them; where no process could be forked, or it failed, that function
    writes them itself.

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
    folder = Path(out) / "learners"
    descriptions = topics()

    def inline() -> None:
        _learner_pages(graded, exercises, folder, order, descriptions)

    if "fork" not in mp.get_all_start_methods():  # pragma: no cover - not Linux or macOS
        return inline
    try:
        with warnings.catch_warnings():
            # the child only formats and writes files; it shares nothing with the parent's threads
            warnings.simplefilter("ignore", DeprecationWarning)
            proc = mp.get_context("fork").Process(target=_learner_pages,
                                                  args=(graded, exercises, folder, order, descriptions), daemon=True)
            proc.start()
    except (AssertionError, OSError):  # a daemonic caller, or no processes left: write them here
        return inline

    def wait() -> None:
        proc.join()
        if proc.exitcode != 0:
            inline()

    return wait


def _atomic_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _learner_pages(graded, exercises, folder: Path, order, descriptions) -> None:
    from concurrent.futures import ThreadPoolExecutor

    folder.mkdir(parents=True, exist_ok=True)
    pages = {}
    mine: dict[str, dict[str, object]] = defaultdict(dict)
    for g in graded:  # each learner's best attempt per item (the first of the best)
        prev = mine[g.learner].get(g.item)
        if prev is None or g.score > prev.score:
            mine[g.learner][g.item] = g
    for learner, items in mine.items():
        per_topic: dict[str, list] = defaultdict(list)
        for item, g in items.items():
            per_topic[exercises[item].topic].append(g)
        total = sum(g.score for g in items.values())
        body = [f"<h1>{_e(learner)}: what to practise</h1>",
                f"<p>{total:g} of {len(order)} items right ({_pct(total / (len(order) or 1))}).</p>"]
        weak = sorted(((sum(g.score for g in gs) / len(gs), t, gs) for t, gs in per_topic.items()),
                      key=lambda x: (x[0], x[1]))
        todo = [(m, t, gs) for m, t, gs in weak if m < 1]
        if todo:
            body.append("<h2>Practise next</h2><ol>")
            for m, t, gs in todo:
                how = (f" <code>symtutor practice --topic {_e(t)}</code>" if t in descriptions else "")
                body.append(f"<li><strong>{_e(t)}</strong> {_e(descriptions.get(t, ''))} "
                            f"({_pct(m)} right).{how}<ul>")
                for g in gs:
                    if g.score < 1:
                        body.append(f"<li>{_e(g.item)}: you wrote <code>{_e(g.answer)}</code>. {_e(g.message)}</li>")
                body.append("</ul></li>")
            body.append("</ol>")
        else:
            body.append("<p>Everything right: well done.</p>")
        right = [item for item in order if item in items and items[item].score >= 1]
        missing = [item for item in order if item not in items]
        if right:
            body.append(f"<p>Right: {_e(', '.join(right))}.</p>")
        if missing:
            body.append(f"<p>Not attempted: {_e(', '.join(missing))}.</p>")
        body.append('<p><a href="../report.html">Class report</a></p>')
        pages[folder / learner_file(learner)] = _page(f"{learner}: what to practise", "\n".join(body))
    # opening thousands of files is slow on some file systems: a few threads wait on them at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda kv: kv[0].write_text(kv[1], encoding="utf-8"), pages.items()))
