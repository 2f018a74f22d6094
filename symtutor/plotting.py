"""Plots: functions that draw on a Matplotlib ``ax`` and return what they drew."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["accuracy_over_time", "mastery_bars", "plot_progress", "save_figure"]


def _require_matplotlib():
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError("plots need matplotlib: pip install 'symtutor[plot]'") from None
    return matplotlib


def save_figure(target, draw, *, figsize, ncols: int = 1, dpi: int = 100, width_ratios=None) -> None:
    """Draw ``draw(fig, *axes)`` on a fresh figure of ``ncols`` plots side by side and save it to ``target``.

    ``target`` is a path (the format follows its suffix) or a binary file object (PNG is written).
    The figure is closed afterwards, even when drawing fails.

    Examples:
        >>> import io
        >>> buf = io.BytesIO()
        >>> save_figure(buf, lambda fig, ax: ax.plot([0, 1], [1, 0]), figsize=(2, 2))
        >>> buf.getvalue()[:4]
        b'\\x89PNG'
    """
    import os

    matplotlib = _require_matplotlib()
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gridspec = {"width_ratios": list(width_ratios)} if width_ratios else None
    fig, axes = plt.subplots(1, ncols, figsize=figsize, squeeze=False, gridspec_kw=gridspec)
    try:
        draw(fig, *axes[0])
        fig.tight_layout()
        fig.savefig(target, dpi=dpi, format=None if isinstance(target, (str, os.PathLike)) else "png")
    finally:
        plt.close(fig)


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

    def draw(_fig, left, right):
        accuracy_over_time(left, history)
        mastery_bars(right, states)

    save_figure(path, draw, figsize=(12, 6), ncols=2, width_ratios=(1, 1.2))


def heart_training(ax, x, y, snapshots, *, every: int = 100):
    """The target curve, the network's curve at each snapshot (faint) and the final one (bold).

    ``snapshots`` are (iteration, output a3) pairs as :func:`symtutor.assignments.backprop.train`
    records them; one in ``every`` iterations is drawn.
    """
    target = ax.plot(y[0], y[1], color="black", lw=1, ls="--", label="target")[0]
    faint = []
    picked = [s for s in snapshots if s[0] % every == 0]
    for _, a3 in picked[:-1]:
        faint.append(ax.plot(a3[0], a3[1], color="#c8553d", lw=0.6, alpha=0.08)[0])
    final = ax.plot(picked[-1][1][0], picked[-1][1][1], color="#c8553d", lw=2.5,
                    label=f"network after {picked[-1][0]} iterations")[0] if picked else None
    ax.set_aspect("equal")
    ax.set_title("Training the network to draw a heart")
    ax.legend(loc="lower center", fontsize=8)
    return target, faint, final


def cost_history(ax, iterations, costs):
    """The cost against the iteration, on a log scale."""
    (line,) = ax.semilogy(iterations, costs, color="#2f6690")
    ax.set_xlabel("iteration")
    ax.set_ylabel("cost C")
    ax.set_title("Cost during training")
    return line


def histogram_fit(ax, x, y, mu, sig, model, *, width: float = 2.5):
    """The histogram against the model: their overlap, the excess of the model and of the data apart, and χ²."""
    import numpy as np

    f = model(x, mu, sig)
    left = x - width / 2
    overlap = ax.bar(left, np.minimum(y, f), width=width, align="edge", color="#9cc5a1", label="both")
    excess_data = ax.bar(left, np.clip(y - f, 0, None), bottom=np.minimum(y, f), width=width, align="edge",
                         color="#2f6690", label="data above the model")
    excess_model = ax.bar(left, np.clip(f - y, 0, None), bottom=np.minimum(y, f), width=width, align="edge",
                          color="#e0a030", label="model above the data")
    chi = float(np.sum((y - f) ** 2))
    ax.set_xlim(140, 220)
    ax.set_xlabel("height (cm)")
    ax.set_ylabel("density")
    ax.set_title(f"μ = {mu:.2f} cm, σ = {sig:.2f} cm, χ² = {chi:.3g}")
    ax.legend(fontsize=8)
    return overlap, excess_data, excess_model


def chi2_contours(ax, x, y, path, chi2, *, mu_range=(150, 200), sig_range=(2, 35)):
    """χ² over μ and σ, as contours, with the steepest-descent path on top."""
    import numpy as np

    mus = np.linspace(*mu_range, 101)
    sigs = np.linspace(*sig_range, 101)
    Z = np.array([[chi2(x, y, m, s) for m in mus] for s in sigs])
    cs = ax.contourf(mus, sigs, np.log10(Z), levels=30, cmap="viridis")
    line = ax.plot(path[:, 0], path[:, 1], "o-", color="white", ms=2.5, lw=1)[0]
    ax.set_xlabel("μ (cm)")
    ax.set_ylabel("σ (cm)")
    ax.set_title("log10 χ² and the descent path")
    return cs, line
