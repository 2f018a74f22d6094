"""Plots: functions that draw on a Matplotlib ``ax`` and return what they drew."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["accuracy_over_time", "mastery_bars", "plot_progress"]


def _require_matplotlib():
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError("plots need matplotlib: pip install 'symtutor[plot]'") from None
    return matplotlib


def accuracy_over_time(ax, history: Sequence, *, window: int = 10):
    """The running share of correct answers (over the last ``window`` attempts) against attempt number.

    Examples:
        >>> import matplotlib; matplotlib.use("Agg")
        >>> import matplotlib.pyplot as plt
        >>> from symtutor.progress import Attempt
        >>> fig, ax = plt.subplots()
        >>> h = [Attempt("e", "t", 1, "", s, 1.0, 0, 1.0, "2026-01-01T00:00:00+00:00") for s in ("correct", "incorrect")]
        >>> line = accuracy_over_time(ax, h)
        >>> [float(v) for v in line.get_ydata()]
        [1.0, 0.5]
        >>> plt.close(fig)
    """
    graded = [a for a in history if a.status != "skipped"]
    ys = []
    for i in range(len(graded)):
        recent = graded[max(0, i - window + 1): i + 1]
        ys.append(sum(a.status == "correct" for a in recent) / len(recent))
    (line,) = ax.plot(range(1, len(ys) + 1), ys, marker="o", markersize=3)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("attempt")
    ax.set_ylabel(f"share correct (last {window})")
    ax.set_title("Accuracy over time")
    return line


def mastery_bars(ax, states: dict):
    """A horizontal bar per topic: its mastery, labelled with its level."""
    names = list(states)
    values = [states[n].mastery for n in names]
    bars = ax.barh(range(len(names)), values, color=["#4c9f70" if v >= 0.8 else "#e0a030" if v >= 0.5 else "#c8553d"
                                                      for v in values])
    ax.set_yticks(range(len(names)), [f"{n} (L{states[n].level})" for n in names], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("mastery")
    ax.set_title("Mastery per topic")
    return bars


def plot_progress(history, states, path) -> None:
    """Save both charts, side by side, to ``path``."""
    matplotlib = _require_matplotlib()
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6), gridspec_kw={"width_ratios": [1, 1.2]})
    accuracy_over_time(left, history)
    mastery_bars(right, states)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
