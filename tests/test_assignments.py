"""The two assignments against independent oracles: finite differences and SciPy's least squares."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import least_squares

from symtutor.assignments import backprop as bp
from symtutor.assignments import heights as h
from symtutor.cli import main


@pytest.fixture
def net():
    rng = np.random.default_rng(3)
    x, y = bp.training_data(30)
    return bp.init_params(rng), x, y


def _central(f, p, name, eps=1e-6):
    out = np.zeros_like(p[name])
    for idx in np.ndindex(p[name].shape):
        q = {k: v.copy() for k, v in p.items()}
        q[name][idx] += eps
        up = f(q)
        q[name][idx] -= 2 * eps
        out[idx] = (up - f(q)) / (2 * eps)
    return out


def test_init_params_draws_in_order_from_the_given_generator():
    p = bp.init_params(np.random.default_rng(7))
    rng = np.random.default_rng(7)
    for name, shape in (("W1", (6, 1)), ("W2", (7, 6)), ("W3", (2, 7)), ("b1", (6, 1)), ("b2", (7, 1)), ("b3", (2, 1))):
        assert np.array_equal(p[name], rng.standard_normal(shape) / 2)
    legacy = bp.init_params(np.random.RandomState(7))
    assert legacy["W2"].shape == (7, 6)
    state = np.random.get_state()[1].copy()
    bp.init_params(np.random.default_rng(1))
    assert np.array_equal(np.random.get_state()[1], state)  # the global generator is untouched


def test_training_data_is_the_heart():
    x, y = bp.training_data(100)
    t = 2 * np.pi * 0.25
    assert x[0, 25] == 0.25
    assert y[0, 25] == pytest.approx((16 * np.sin(t) ** 3 / 20 + 1) / 2)
    assert y[1, 25] == pytest.approx(((13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)) / 20 + 1) / 2)


def test_jacobians_match_central_differences(net):
    p, x, y = net
    J = bp.jacobians(p, x, y)
    for name in bp.NAMES:
        numeric = _central(lambda q: bp.cost(q, x, y), p, name)
        assert J["J_" + name].shape == p[name].shape
        np.testing.assert_allclose(J["J_" + name], numeric, rtol=1e-5, atol=1e-9)


def test_cost_is_the_mean_squared_distance(net):
    p, x, y = net
    a3 = bp.forward(p, x)[-1]
    assert bp.cost(p, x, y) == pytest.approx(np.sum((a3 - y) ** 2) / x.shape[1])


def test_training_lowers_the_cost_and_is_reproducible():
    x, y = bp.training_data()
    r1 = bp.train(bp.init_params(np.random.default_rng(0)), x, y, iterations=1000, rng=np.random.default_rng(5))
    r2 = bp.train(bp.init_params(np.random.default_rng(0)), x, y, iterations=1000, rng=np.random.default_rng(5))
    assert r1.costs[-1] < r1.costs[0] / 2
    assert r1.costs == r2.costs
    assert r1.iterations == tuple(range(0, 1001, 100))
    assert len(r1.snapshots) == 11 and r1.snapshots[-1][1].shape == (2, 100)


def test_without_noise_training_is_plain_steepest_descent(net):
    p, x, y = net
    r = bp.train(p, x, y, iterations=3, aggression=2.0, noise=0.0, rng=np.random.default_rng(0))
    q = {k: v.copy() for k, v in p.items()}
    for _ in range(3):
        J = bp.jacobians(q, x, y)
        for k in bp.NAMES:
            q[k] = q[k] - 2.0 * J["J_" + k]
    for k in bp.NAMES:
        np.testing.assert_allclose(r.params[k], q[k])


def test_learner_jacobians_are_checked_and_mistakes_named(net):
    p, x, y = net
    J = bp.jacobians(p, x, y)
    no_sigma3 = bp._backprop(p, x, y, without_sigma_prime_at=3)
    learner = {
        "J_W3": lambda p, x, y: J["J_W3"],
        "J_b3": lambda p, x, y: -J["J_b3"],
        "J_W2": lambda p, x, y: J["J_W2"].T,
        "J_b2": lambda p, x, y: 2 * J["J_b2"],
        "J_W1": lambda p, x, y: no_sigma3["J_W1"],
        "J_b1": lambda p, x, y: J["J_b1"][:3],
    }
    report = bp.check_learner_jacobians(learner, p, x, y)
    assert report.results["J_W3"] == "ok"
    assert report.results["J_b3"] == "the sign is wrong"
    assert report.results["J_W2"].startswith("transposed")
    assert report.results["J_b2"].startswith("off by a factor of 2")
    assert report.results["J_W1"] == "the σ'(z3) factor is missing"
    assert report.results["J_b1"].startswith("wrong shape")
    assert not report.ok
    crash = bp.check_learner_jacobians({"J_W1": lambda p, x, y: 1 / 0}, p, x, y)
    assert crash.results["J_W1"].startswith("raised ZeroDivisionError")


def test_the_derivation_is_shown():
    lines = bp.derivation()
    assert any("∂C/∂W³ = ∂C/∂a³ · ∂a³/∂z³ · ∂z³/∂W³" in line for line in lines)


# ---- heights ---------------------------------------------------------------------------


def test_heights_data_as_specified():
    x, y = h.heights_data()
    assert len(x) == 100 and x[0] == 51.25 and x[-1] == 297.5 + 1.25
    raw = [0.031, 0.013, 0.023, 0.064, 0.065, 0.126, 0.132, 0.127, 0.113, 0.091, 0.105, 0.050, 0.018, 0.018, 0.018, 0.001, 0]
    nonzero = np.flatnonzero(y)
    assert x[nonzero[0]] == 161.25 and x[nonzero[-1]] == 198.75
    np.testing.assert_allclose(y[44:61] * np.sum(raw) * 2.5, raw)
    assert np.sum(y) * 2.5 == pytest.approx(1)


def test_model_derivatives_and_chi2_jacobian_match_central_differences():
    x, y = h.heights_data()
    for mu, sig in ((155.0, 6.0), (178.0, 9.0)):
        eps = 1e-5
        num = [(h.chi2(x, y, mu + eps, sig) - h.chi2(x, y, mu - eps, sig)) / (2 * eps),
               (h.chi2(x, y, mu, sig + eps) - h.chi2(x, y, mu, sig - eps)) / (2 * eps)]
        np.testing.assert_allclose(h.jacobian(x, y, mu, sig), num, rtol=1e-6, atol=1e-12)
    xs = np.linspace(100, 260, 20001)
    assert np.trapezoid(h.model(xs, 178, 9), xs) == pytest.approx(1, abs=1e-9)


def test_the_fit_agrees_with_scipy_least_squares():
    x, y = h.heights_data()
    r = h.fit(x, y)
    ref = least_squares(lambda p: y - h.model(x, p[0], p[1]), x0=[155, 6], xtol=1e-14, ftol=1e-14, gtol=1e-14)
    assert r.mu == pytest.approx(ref.x[0], abs=1e-3)
    assert r.sig == pytest.approx(ref.x[1], abs=1e-3)
    assert r.chi2 == pytest.approx(2 * ref.cost, rel=1e-6)
    assert r.path.shape == (51, 2) and tuple(r.path[0]) == (155.0, 6.0)
    np.testing.assert_allclose(h.steepest_step(x, y, 155, 6, 2000), -2000 * h.jacobian(x, y, 155, 6))


def test_cli_assignments_with_plots(tmp_path, capsys):
    png = tmp_path / "heart.png"
    assert main(["backprop", "--iterations", "300", "--seed", "0", "--plot", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "cost after 300 iterations" in capsys.readouterr().out
    png = tmp_path / "heights.png"
    assert main(["heights", "--plot", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "μ = 178.5198 cm" in capsys.readouterr().out
