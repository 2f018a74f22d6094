"""The apps: each wires ipywidgets controls to library functions and draws through symtutor.plotting."""

from __future__ import annotations

import html
import io

import numpy as np
import sympy as sp

try:
    import ipywidgets as W
except ImportError:  # pragma: no cover - depends on the installation
    raise ImportError("the widgets need ipywidgets: pip install 'symtutor[notebooks]'") from None

from ..calculus import gradient, taylor, taylor_remainder_bound
from ..errors import SymtutorError
from ..numeric import to_numpy
from ..optimize import METHODS, descend, newton_raphson
from ..parsing import parse, read
from ..plotting import save_figure
from ..practice import Practice
from ..progress import ProgressStore
from ..sandpit import PITS, SIZE, SandpitGame, make_pit

__all__ = [
    "PracticeApp", "practice", "SandpitApp", "sandpit", "TaylorApp", "taylor_explorer", "TaylorSurfaceApp",
    "taylor_explorer_2d",
    "NewtonApp", "newton_stepper", "DescentApp", "descent_explorer", "LagrangeApp", "lagrange_explorer",
]


def _figure(draw, size=(6, 4.5)) -> bytes:
    """PNG bytes of a Matplotlib figure drawn by ``draw(fig, ax)``."""
    buf = io.BytesIO()
    save_figure(buf, draw, figsize=size, dpi=80)
    return buf.getvalue()


def _maths(latex: str) -> str:
    return f"$${latex}$$" if latex else ""


# --------------------------------------------------------------------------
# practice


class PracticeApp:
    """An exercise, an answer box with a live preview, Check / Hint / Steps / Next, the feedback and a score."""

    def __init__(self, *, topics=None, difficulty=None, count=10, seed=None, store: ProgressStore | None = None):
        self.store = store if store is not None else ProgressStore(":memory:")
        self.session = Practice(self.store, topics=topics, difficulty=difficulty, count=count, seed=seed)
        self.title = W.HTML()
        self.prompt = W.HTMLMath()
        self.answer = W.Text(placeholder="type your answer, e.g. 2x cos(x^2)", continuous_update=True,
                             layout=W.Layout(width="32em"))
        self.preview = W.HTMLMath()
        self.check_button = W.Button(description="Check", button_style="primary")
        self.hint_button = W.Button(description="Hint")
        self.steps_button = W.Button(description="Steps")
        self.next_button = W.Button(description="Next", disabled=True)
        self.feedback = W.HTMLMath()
        self.score_label = W.HTML()
        self.total = 0.0
        self.answer.observe(lambda change: self._preview(change["new"]), names="value")
        self.check_button.on_click(lambda _: self.check())
        self.hint_button.on_click(lambda _: self.hint())
        self.steps_button.on_click(lambda _: self.steps())
        self.next_button.on_click(lambda _: self.next())
        self.widget = W.VBox([
            self.title, self.prompt, W.HBox([self.answer]), self.preview,
            W.HBox([self.check_button, self.hint_button, self.steps_button, self.next_button]),
            self.feedback, self.score_label,
        ])
        self.next()

    @property
    def exercise(self):
        return self.session.current

    def _preview(self, text: str) -> None:
        ex = self.exercise
        if ex is None or not text.strip():
            self.preview.value = ""
            return
        try:
            r = read(text, variables=ex.variables)
            self.preview.value = "I read: " + _maths(r.latex)
        except SymtutorError as exc:
            self.preview.value = f"<span style='color:#a33'>{html.escape(getattr(exc, 'message', str(exc)))}</span>"

    def _show_score(self) -> None:
        done = len(self.session.results)
        self.score_label.value = f"<b>Score:</b> {self.total:.2f} / {done}"

    def _finish(self, turn) -> None:
        if turn.done:
            self.total += turn.attempt.score if turn.attempt is not None else 0.0
            self.check_button.disabled = self.hint_button.disabled = self.steps_button.disabled = True
            self.next_button.disabled = False
            self._show_score()

    def check(self) -> None:
        """Check what is in the answer box."""
        turn = self.session.handle(self.answer.value)
        fb = turn.feedback
        colour = {"correct": "#2a7", "incorrect": "#c33", "invalid": "#a60", "undecided": "#777"}[fb.status]
        self.feedback.value = f"<b style='color:{colour}'>{fb.status.capitalize()}:</b> {html.escape(fb.message)}"
        self._finish(turn)

    def hint(self) -> None:
        turn = self.session.handle("hint")
        self.feedback.value = f"<b>Hint:</b> {html.escape(turn.text)}"

    def steps(self) -> None:
        turn = self.session.handle("steps")
        body = "<br>".join(html.escape(line) for line in turn.text.splitlines())
        self.feedback.value = f"<b>Worked solution</b> (this exercise scores nothing):<br><tt>{body}</tt>"
        self._finish(turn)

    def next(self) -> None:
        ex = self.session.next()
        self.answer.value = ""
        self.feedback.value = self.preview.value = ""
        self.next_button.disabled = True
        if ex is None:
            self.title.value = "<b>That was the last exercise.</b>"
            self.prompt.value = ""
            self.check_button.disabled = self.hint_button.disabled = self.steps_button.disabled = True
            return
        self.check_button.disabled = self.hint_button.disabled = self.steps_button.disabled = False
        n = len(self.session.shown)
        self.title.value = f"<b>Exercise {n}/{self.session.count}</b> — {ex.topic.replace('_', ' ')} (difficulty {ex.difficulty})"
        self.prompt.value = ex.prompt_latex
        self._show_score()


def practice(**kwargs) -> PracticeApp:
    """The practice widget (see :class:`PracticeApp`); show it with ``practice().widget``."""
    return PracticeApp(**kwargs)


# --------------------------------------------------------------------------
# the sandpit


class SandpitApp:
    """The sandpit game: probe at typed coordinates, see depth and the downhill arrow, find the phone."""

    def __init__(self, kind: str = "simple", *, seed: int = 0, probes: int = 12, arrows: bool = True):
        self.kind = W.Dropdown(options=list(PITS), value=kind, description="pit")
        self.seed = W.IntText(value=seed, description="seed", layout=W.Layout(width="12em"))
        self.arrows = W.Checkbox(value=arrows, description="show the downhill arrow")
        self.new_button = W.Button(description="New game")
        self.x = W.BoundedFloatText(value=SIZE / 2, min=0, max=SIZE, step=0.1, description="x (m)")
        self.y = W.BoundedFloatText(value=SIZE / 2, min=0, max=SIZE, step=0.1, description="y (m)")
        self.probe_button = W.Button(description="Probe", button_style="primary")
        self.message = W.HTML()
        self.image = W.Image(format="png")
        self.limit = probes
        self.new_button.on_click(lambda _: self.new_game())
        self.probe_button.on_click(lambda _: self.probe())
        self.widget = W.VBox([W.HBox([self.kind, self.seed, self.arrows, self.new_button]),
                              W.HBox([self.x, self.y, self.probe_button]), self.message, self.image])
        self.new_game()

    def new_game(self) -> None:
        self.game = SandpitGame(make_pit(self.kind.value, seed=self.seed.value), probes=self.limit,
                                arrows=self.arrows.value)
        self.message.value = f"A phone is lost at the deepest point of this 6 m × 6 m pit. {self.limit} probes."
        self.probe_button.disabled = False
        self._draw()

    def probe(self, x: float | None = None, y: float | None = None):
        """Probe at (x, y), or at the typed coordinates."""
        if x is not None:
            self.x.value, self.y.value = x, y
        p = self.game.probe(self.x.value, self.y.value)
        left = f" {self.game.left} probe(s) left." if not self.game.over else ""
        self.message.value = html.escape(p.message) + left
        self.probe_button.disabled = self.game.over
        self._draw()
        return p

    def _draw(self) -> None:
        game = self.game

        def draw(fig, ax):
            ax.set_xlim(0, SIZE)
            ax.set_ylim(0, SIZE)
            ax.set_aspect("equal")
            ax.set_facecolor("#f3e6c4")
            ax.set_title("The sandpit")
            for p in game.probes:
                ax.plot(p.x, p.y, "o", color="#2f6690")
                ax.annotate(f"{p.depth:.2f}", (p.x, p.y), textcoords="offset points", xytext=(5, 5), fontsize=8)
                if p.downhill is not None:
                    d = np.array(p.downhill)
                    n = np.linalg.norm(d)
                    if n > 0:
                        d = d / n * min(0.6, 0.25 + n)
                        ax.arrow(p.x, p.y, d[0], d[1], width=0.02, head_width=0.12, color="#c8553d")
            if game.over:
                mx, my = game.pit.minimum
                ax.plot(mx, my, "*", ms=16, color="#2a7" if game.found else "#c33")

        self.image.value = _figure(draw, size=(5, 5))


def sandpit(kind: str = "simple", **kwargs) -> SandpitApp:
    """The sandpit widget (see :class:`SandpitApp`)."""
    return SandpitApp(kind, **kwargs)


# --------------------------------------------------------------------------
# Taylor series


class TaylorApp:
    """A function, the expansion point and the order: the polynomial, the curves, the error and its bound."""

    def __init__(self, f: str = "exp(sin(x))", *, point: float = 0.0, order: int = 2, interval: float = 1.0):
        self.f = W.Text(value=f, description="f(x) =", continuous_update=False)
        self.point = W.FloatSlider(value=point, min=-3, max=3, step=0.25, description="about a =",
                                   continuous_update=False)
        self.order = W.IntSlider(value=order, min=0, max=8, description="order", continuous_update=False)
        self.formula = W.HTMLMath()
        self.bound = W.HTML()
        self.image = W.Image(format="png")
        self.interval = interval
        for c in (self.f, self.point, self.order):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.f, W.HBox([self.point, self.order]), self.formula, self.bound, self.image])
        self.update()

    def update(self) -> None:
        x = sp.Symbol("x")
        try:
            f = parse(self.f.value, variables=["x"])
            a = sp.nsimplify(self.point.value)
            poly = taylor(f, x, point=a, order=self.order.value)
            lo, hi = float(a) - self.interval, float(a) + self.interval
            b = taylor_remainder_bound(f, x, point=a, order=self.order.value, interval=(lo, hi))
        except SymtutorError as exc:
            self.formula.value = f"<span style='color:#a33'>{html.escape(str(exc).splitlines()[0])}</span>"
            return
        self.poly = poly
        self.remainder = b
        self.formula.value = _maths(rf"P_{{{self.order.value}}}(x) = {sp.latex(poly)}")
        self.bound.value = f"On [{lo:g}, {hi:g}]: |f − P| ≤ {b.bound:.3g} (Lagrange bound)"
        fn, pn = to_numpy(f, [x]), to_numpy(poly, [x])

        def draw(fig, ax):
            xs = np.linspace(lo - 1, hi + 1, 400)
            with np.errstate(all="ignore"):
                fy, py = np.broadcast_to(fn(xs), xs.shape), np.broadcast_to(pn(xs), xs.shape)
            ax.plot(xs, fy, color="black", label="f")
            ax.plot(xs, py, color="#c8553d", label=f"Taylor polynomial, order {self.order.value}")
            ax.axvspan(lo, hi, color="#e0a030", alpha=0.15, label="the interval of the bound")
            finite = fy[np.isfinite(fy)]
            if finite.size:
                span = finite.max() - finite.min()
                ax.set_ylim(finite.min() - 0.3 * span - 0.1, finite.max() + 0.3 * span + 0.1)
            ax.axvline(float(a), color="grey", lw=0.6)
            ax.legend(fontsize=8)

        self.image.value = _figure(draw)


def taylor_explorer(f: str = "exp(sin(x))", **kwargs) -> TaylorApp:
    """The Taylor explorer widget (see :class:`TaylorApp`)."""
    return TaylorApp(f, **kwargs)


class TaylorSurfaceApp:
    """Two variables: f(x, y) and its Taylor polynomial as surfaces, and the error bound over a square."""

    def __init__(self, f: str = "exp(x) cos(y)", *, point=(0.0, 0.0), order: int = 2, half_width: float = 1.0):
        self.f = W.Text(value=f, description="f(x, y) =", continuous_update=False)
        self.a = W.FloatSlider(value=point[0], min=-2, max=2, step=0.25, description="a", continuous_update=False)
        self.b = W.FloatSlider(value=point[1], min=-2, max=2, step=0.25, description="b", continuous_update=False)
        self.order = W.IntSlider(value=order, min=0, max=4, description="order", continuous_update=False)
        self.formula = W.HTMLMath()
        self.bound = W.HTML()
        self.image = W.Image(format="png")
        self.half = half_width
        for c in (self.f, self.a, self.b, self.order):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.f, W.HBox([self.a, self.b, self.order]), self.formula, self.bound, self.image])
        self.update()

    def update(self) -> None:
        x, y = sp.symbols("x y")
        try:
            f = parse(self.f.value, variables=["x", "y"])
            pt = (sp.nsimplify(self.a.value), sp.nsimplify(self.b.value))
            poly = taylor(f, (x, y), point=pt, order=self.order.value)
            box = [(float(c) - self.half, float(c) + self.half) for c in pt]
            bound = taylor_remainder_bound(f, (x, y), point=pt, order=self.order.value, interval=box, samples=900)
        except SymtutorError as exc:
            self.formula.value = f"<span style='color:#a33'>{html.escape(str(exc).splitlines()[0])}</span>"
            return
        self.poly, self.remainder = poly, bound
        self.formula.value = _maths(rf"P_{{{self.order.value}}}(x, y) = {sp.latex(poly)}")
        self.bound.value = f"On the square of half-width {self.half:g} about the point: |f − P| ≤ {bound.bound:.3g}"
        fn, pn = to_numpy(f, [x, y]), to_numpy(poly, [x, y])

        def draw(fig, ax):
            fig.delaxes(ax)
            ax3 = fig.add_subplot(projection="3d")
            xs = np.linspace(box[0][0], box[0][1], 40)
            ys = np.linspace(box[1][0], box[1][1], 40)
            X, Y = np.meshgrid(xs, ys)
            with np.errstate(all="ignore"):
                ax3.plot_surface(X, Y, np.broadcast_to(fn(X, Y), X.shape), color="#888888", alpha=0.55)
                ax3.plot_surface(X, Y, np.broadcast_to(pn(X, Y), X.shape), color="#c8553d", alpha=0.55)
            ax3.set_title("f (grey) and its Taylor polynomial (red)")
            ax3.set_xlabel("x")
            ax3.set_ylabel("y")

        self.image.value = _figure(draw, size=(6, 5))


def taylor_explorer_2d(f: str = "exp(x) cos(y)", **kwargs) -> TaylorSurfaceApp:
    """The two-variable Taylor explorer (see :class:`TaylorSurfaceApp`)."""
    return TaylorSurfaceApp(f, **kwargs)


# --------------------------------------------------------------------------
# Newton-Raphson


class NewtonApp:
    """Newton-Raphson one step at a time, with the tangent of each step."""

    def __init__(self, f: str = "x^6/6 - 3x^4 - 2x^3/3 + 27x^2/2 + 18x - 30", *, x0: float = 1.5):
        self.f = W.Text(value=f, description="f(x) =", layout=W.Layout(width="36em"), continuous_update=False)
        self.x0 = W.FloatText(value=x0, description="x0")
        self.step_button = W.Button(description="Step", button_style="primary")
        self.reset_button = W.Button(description="Start again")
        self.log = W.HTML()
        self.image = W.Image(format="png")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.f.observe(lambda _: self.reset(), names="value")
        self.widget = W.VBox([self.f, W.HBox([self.x0, self.step_button, self.reset_button]), self.log, self.image])
        self.reset()

    def reset(self) -> None:
        self.iterates = [float(self.x0.value)]
        self.outcome = newton_raphson(self.f.value, "x", x0=self.x0.value).outcome
        self._draw()

    def step(self) -> None:
        xn = self.iterates[-1]
        run = newton_raphson(self.f.value, "x", x0=xn, steps=1)
        if len(run.iterates) > 1:
            self.iterates.append(run.iterates[1])
        self._draw()

    def _draw(self) -> None:
        x = sp.Symbol("x")
        f = parse(self.f.value, variables=["x"])
        fn = to_numpy(f, [x])
        its = self.iterates
        self.log.value = ("x: " + ", ".join(f"{v:.6g}" for v in its[-8:])
                          + f"<br>From x0 = {its[0]:g} Newton-Raphson <b>{self.outcome}</b>.")

        def draw(fig, ax):
            lo, hi = min(its + [-5]) - 0.5, max(its + [5]) + 0.5
            xs = np.linspace(lo, hi, 600)
            ys = np.broadcast_to(fn(xs), xs.shape)
            ax.plot(xs, ys, color="black")
            ax.axhline(0, color="grey", lw=0.6)
            for a, b in zip(its, its[1:]):
                ax.plot([a, b], [float(fn(a)), 0], color="#c8553d", lw=1)
                ax.plot([a, a], [0, float(fn(a))], color="#c8553d", lw=0.5, ls=":")
            ax.plot(its, [0] * len(its), "o", color="#2f6690", ms=4)
            ax.set_ylim(np.percentile(ys, 2) - 5, np.percentile(ys, 98) + 5)
            ax.set_title("Newton-Raphson: each tangent meets the axis at the next x")

        self.image.value = _figure(draw)


def newton_stepper(f: str = "x^6/6 - 3x^4 - 2x^3/3 + 27x^2/2 + 18x - 30", **kwargs) -> NewtonApp:
    """The Newton-Raphson widget (see :class:`NewtonApp`)."""
    return NewtonApp(f, **kwargs)


# --------------------------------------------------------------------------
# descent in the sandpit


class DescentApp:
    """Steepest descent, the Newton step and the hybrid, raced from one start on one pit."""

    def __init__(self, kind: str = "several", *, seed: int = 3, start=(5.0, 5.0), step: float = 0.3):
        self.kind = W.Dropdown(options=list(PITS), value=kind, description="pit")
        self.step = W.FloatSlider(value=step, min=0.01, max=2.0, step=0.01, description="step size")
        self.x = W.BoundedFloatText(value=start[0], min=0, max=SIZE, description="start x")
        self.y = W.BoundedFloatText(value=start[1], min=0, max=SIZE, description="start y")
        self.race_button = W.Button(description="Race", button_style="primary")
        self.result = W.HTML()
        self.image = W.Image(format="png")
        self.seed = seed
        self.race_button.on_click(lambda _: self.race())
        self.widget = W.VBox([W.HBox([self.kind, self.step]), W.HBox([self.x, self.y, self.race_button]),
                              self.result, self.image])
        self.race()

    def race(self) -> None:
        pit = make_pit(self.kind.value, seed=self.seed)
        start = (self.x.value, self.y.value)
        self.runs = {m: descend(pit.depth, "x, y", start=start, method=m, step=self.step.value, iterations=80)
                     for m in METHODS}
        rows = []
        for m, r in self.runs.items():
            end = r.path[-1]
            inside = bool(np.all((end >= 0) & (end <= SIZE)))
            where = f"({end[0]:.2f}, {end[1]:.2f})" if inside else "out of the pit"
            rows.append(f"<tr><td>{m}</td><td>{len(r.path) - 1}</td><td>{where}</td>"
                        f"<td>{'yes' if r.converged and inside else 'no'}</td></tr>")
        self.result.value = ("<table><tr><th>method</th><th>steps</th><th>ends at</th><th>settled</th></tr>"
                             + "".join(rows) + "</table>")

        def draw(fig, ax):
            xs = np.linspace(0, SIZE, 121)
            X, Y = np.meshgrid(xs, xs)
            ax.contourf(X, Y, np.broadcast_to(pit.f(X, Y), X.shape), levels=25, cmap="YlOrBr_r")
            for (m, r), colour in zip(self.runs.items(), ("#2f6690", "#c8553d", "#2a7")):
                ax.plot(r.path[:, 0], r.path[:, 1], "o-", ms=2.5, lw=1.2, color=colour, label=m)
            ax.set_xlim(0, SIZE)
            ax.set_ylim(0, SIZE)
            ax.set_aspect("equal")
            ax.legend(fontsize=8, loc="upper left")

        self.image.value = _figure(draw, size=(5.5, 5.5))


def descent_explorer(kind: str = "several", **kwargs) -> DescentApp:
    """The descent race widget (see :class:`DescentApp`)."""
    return DescentApp(kind, **kwargs)


# --------------------------------------------------------------------------
# Lagrange multipliers


class LagrangeApp:
    """Contours of f, the constraint g = 0, and the points on it where ∇f is parallel to ∇g."""

    def __init__(self, f: str = "exp(-(2x^2 + y^2 - x y)/2)", g: str = "x^2 + 3(y + 1)^2 - 1"):
        self.f = W.Text(value=f, description="f =", layout=W.Layout(width="30em"), continuous_update=False)
        self.g = W.Text(value=g, description="g = 0:", layout=W.Layout(width="30em"), continuous_update=False)
        self.points_html = W.HTML()
        self.image = W.Image(format="png")
        for c in (self.f, self.g):
            c.observe(lambda _: self.update(), names="value")
        self.widget = W.VBox([self.f, self.g, self.points_html, self.image])
        self.update()

    def update(self) -> None:
        x, y = sp.symbols("x y")
        f = parse(self.f.value, variables=["x", "y"])
        g = parse(self.g.value, variables=["x", "y"])
        fn, gn = to_numpy(f, [x, y]), to_numpy(g, [x, y])
        cross = to_numpy(sp.Matrix([gradient(f, [x, y])[0] * gradient(g, [x, y])[1]
                                    - gradient(f, [x, y])[1] * gradient(g, [x, y])[0]]), [x, y])
        xs = np.linspace(-3, 3, 601)
        X, Y = np.meshgrid(xs, xs)
        G = np.broadcast_to(gn(X, Y), X.shape)
        # points on g = 0 where the gradients are parallel: sign changes of the cross product along the curve
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        cs = ax.contour(X, Y, G, levels=[0])
        curve = np.vstack([seg for seg in cs.allsegs[0]]) if cs.allsegs[0] else np.empty((0, 2))
        plt.close(fig)
        found = []
        if len(curve):
            vals = np.broadcast_to(cross(curve[:, 0], curve[:, 1])[0, 0], (len(curve),))
            for i in np.flatnonzero(np.sign(vals[:-1]) != np.sign(vals[1:])):
                t = vals[i] / (vals[i] - vals[i + 1])
                found.append(tuple(curve[i] + t * (curve[i + 1] - curve[i])))
        self.points = found
        rows = [f"({px:.4f}, {py:.4f}): f = {float(fn(px, py)):.5f}" for px, py in found]
        self.points_html.value = "Where ∇f ∥ ∇g on the constraint:<br>" + "<br>".join(rows or ["none found"])

        def draw(fig2, ax2):
            ax2.contour(X, Y, np.broadcast_to(fn(X, Y), X.shape), levels=20, cmap="viridis", linewidths=0.8)
            ax2.contour(X, Y, G, levels=[0], colors="#c8553d", linewidths=2)
            for px, py in found:
                ax2.plot(px, py, "o", color="black")
            ax2.set_aspect("equal")
            ax2.set_title("contours of f, the constraint, and where the gradients are parallel")

        self.image.value = _figure(draw, size=(5.5, 5.5))


def lagrange_explorer(f: str = "exp(-(2x^2 + y^2 - x y)/2)", g: str = "x^2 + 3(y + 1)^2 - 1") -> LagrangeApp:
    """The Lagrange multipliers widget (see :class:`LagrangeApp`)."""
    return LagrangeApp(f, g)
