"""Every widget driven from Python: set values, click, probe; then its state and what it shows."""

from __future__ import annotations

import numpy as np
import pytest

from symtutor.progress import ProgressStore
from symtutor.sandpit import FOUND_WITHIN, PITS, SandpitGame, make_pit
from symtutor.widgets import (
    descent_explorer,
    lagrange_explorer,
    newton_stepper,
    practice,
    sandpit,
    taylor_explorer,
)


def test_practice_widget_verdicts_score_and_store(tmp_path):
    store = ProgressStore(tmp_path / "p.sqlite3")
    app = practice(topics=["power_rule"], difficulty=1, count=3, seed=1, store=store)
    assert "Exercise 1/3" in app.title.value
    app.answer.value = "3x^"  # the live preview explains, and nothing is recorded
    assert "no exponent" in app.preview.value
    app.answer.value = app.exercise.answer_text
    assert app.preview.value.startswith("I read: $$")
    app.check_button.click()
    assert "Correct" in app.feedback.value and app.next_button.disabled is False
    assert app.score_label.value == "<b>Score:</b> 1.00 / 1"
    app.next_button.click()
    app.answer.value = "0"
    app.check_button.click()
    assert "Incorrect" in app.feedback.value and app.next_button.disabled
    app.hint_button.click()
    assert "Hint:" in app.feedback.value
    app.answer.value = app.exercise.answer_text
    app.check_button.click()  # right after a wrong try and a hint: 1 x 0.75 x 0.5
    assert app.score_label.value == "<b>Score:</b> 1.38 / 2"
    app.next_button.click()
    app.steps_button.click()
    assert "Worked solution" in app.feedback.value
    app.next_button.click()
    assert "last exercise" in app.title.value
    assert [(a.status, a.score) for a in store.attempts()] == [
        ("correct", 1.0), ("incorrect", 0.0), ("correct", 0.375), ("revealed", 0.0)]
    store.close()


def test_sandpit_game_is_won_within_the_radius_and_warns_of_local_minima():
    pit = make_pit("several", seed=3)
    assert pit.minima, "this pit has a second hollow"
    app = sandpit("several", seed=3, probes=5)
    first = app.probe(*pit.minima[0])
    assert "local minimum" in first.message and not app.game.over
    near = (pit.minimum[0] + 0.9 * FOUND_WITHIN, pit.minimum[1])
    win = app.probe(*near)
    assert win.message.startswith("Found it!") and app.game.found
    assert app.probe_button.disabled
    assert app.image.value[:4] == b"\x89PNG"


def test_sandpit_runs_out_of_probes_and_can_hide_the_arrows():
    game = SandpitGame(make_pit("simple", seed=1), probes=2, arrows=False)
    p = game.probe(0.1, 0.1)
    assert p.downhill is None and "depth only" in p.message
    last = game.probe(5.9, 5.9)
    assert game.over and not game.found and "No probes left" in last.message


@pytest.mark.parametrize("kind", PITS)
def test_every_pit_has_its_deepest_point_where_the_gradient_vanishes(kind):
    pit = make_pit(kind, seed=7)
    g = np.asarray(pit.grad(*pit.minimum), dtype=float).ravel()
    assert np.linalg.norm(g) < 1e-3 or min(pit.minimum) <= 0 or max(pit.minimum) >= 6
    xs = np.linspace(0, 6, 61)
    X, Y = np.meshgrid(xs, xs)
    assert float(pit.f(*pit.minimum)) <= np.min(pit.f(X, Y)) + 1e-9


def test_sandpit_downhill_arrow_points_down():
    game = SandpitGame(make_pit("simple", seed=2))
    p = game.probe(1.0, 1.0)
    d = np.array(p.downhill) / np.linalg.norm(p.downhill)
    assert game.pit.f(1.0 + 0.01 * d[0], 1.0 + 0.01 * d[1]) < p.depth


def test_taylor_explorer_follows_its_sliders():
    app = taylor_explorer("exp(x)", point=0, order=1)
    assert app.formula.value == "$$P_{1}(x) = x + 1$$"
    app.order.value = 3
    assert "x^{3}" in app.formula.value
    err = abs(np.exp(1.0) - float(app.poly.subs("x", 1)))
    assert err <= app.remainder.bound
    app.f.value = "1/x"
    assert "not differentiable" in app.formula.value


def test_newton_stepper_steps_and_classifies():
    app = newton_stepper("x^2 - 2", x0=1.0)
    app.step_button.click()
    app.step_button.click()
    assert app.iterates[:3] == [1.0, 1.5, pytest.approx(17 / 12)]
    assert "converges" in app.log.value
    assert newton_stepper("x^3 - 2x + 2", x0=0.0).outcome == "cycles"


def test_descent_race_on_one_pit():
    app = descent_explorer("simple", seed=1, start=(5.0, 5.0), step=0.6)
    assert set(app.runs) == {"steepest descent", "Newton", "hybrid"}
    best = make_pit("simple", seed=1).minimum
    for run in app.runs.values():
        assert np.allclose(run.path[-1], best, atol=1e-3)
    assert len(app.runs["Newton"].path) < len(app.runs["steepest descent"].path)
    app.step.value = 0.05
    app.race_button.click()
    assert "steepest descent" in app.result.value


def test_lagrange_explorer_finds_the_course_maximum():
    app = lagrange_explorer()
    assert any(abs(px + 0.09584) < 2e-3 and abs(py + 0.42531) < 2e-3 for px, py in app.points)


def test_taylor_surface_explorer():
    from symtutor.widgets import taylor_explorer_2d

    app = taylor_explorer_2d("exp(x) cos(y)", point=(0, 0), order=1)
    assert app.formula.value == "$$P_{1}(x, y) = x + 1$$"
    app.order.value = 2
    assert "y^{2}" in app.formula.value
    worst = max(abs(float((app.remainder.polynomial - app.poly).subs({"x": 0, "y": 0}))), 0.0)
    assert worst == 0.0
    f = lambda u, v: np.exp(u) * np.cos(v)  # noqa: E731
    P = lambda u, v: 1 + u + u**2 / 2 - v**2 / 2  # noqa: E731
    grid = np.linspace(-1, 1, 21)
    actual = max(abs(f(u, v) - P(u, v)) for u in grid for v in grid)
    assert actual <= app.remainder.bound
    assert app.image.value[:4] == b"\x89PNG"
