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


def _course_namespace(params):
    """The learner's side of the notebook: globals W1 ... b3, the given helpers and the course's answers."""
    ns = {"np": np, **{k: v.copy() for k, v in params.items()}}
    exec(COURSE_CODE, ns)  # test code written here, not text from a learner
    return ns


COURSE_CODE = """
sigma = lambda z: 1 / (1 + np.exp(-z))
d_sigma = lambda z: np.cosh(z / 2) ** (-2) / 4
def network_function(a0):
    z1 = W1 @ a0 + b1; a1 = sigma(z1)
    z2 = W2 @ a1 + b2; a2 = sigma(z2)
    z3 = W3 @ a2 + b3; a3 = sigma(z3)
    return a0, z1, a1, z2, a2, z3, a3
def _d(x, y):
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    d3 = 2 * (a3 - y) * d_sigma(z3)
    d2 = (d3.T @ W3).T * d_sigma(z2)
    d1 = (d2.T @ W2).T * d_sigma(z1)
    return (a0, a1, a2), (d1, d2, d3)
def J_W3(x, y): a, d = _d(x, y); return d[2] @ a[2].T / x.size
def J_W2(x, y): a, d = _d(x, y); return d[1] @ a[1].T / x.size
def J_W1(x, y): a, d = _d(x, y); return d[0] @ a[0].T / x.size
def J_b3(x, y): return np.sum(_d(x, y)[1][2], axis=1, keepdims=True) / x.size
def J_b2(x, y): return np.sum(_d(x, y)[1][1], axis=1, keepdims=True) / x.size
def J_b1(x, y): return np.sum(_d(x, y)[1][0], axis=1, keepdims=True) / x.size
"""


def test_each_typical_backprop_mistake_is_named(net):
    p, x, y = net
    J = bp.jacobians(p, x, y)
    N = x.shape[1]
    no_s2 = bp._variant(p, x, y, skip_sigma=(2,))
    no_s1 = bp._variant(p, x, y, skip_sigma=(1,))
    cases = [
        ("J_b3", J["J_b3"], None),
        ("J_b3", -J["J_b3"], "sign"),
        ("J_W1", J["J_W1"].T, "transpose"),
        ("J_b2", J["J_b2"].ravel(), "shape"),
        ("J_b2", J["J_b2"] * N, "constant_factor"),
        ("J_b1", J["J_b1"] / 2, "constant_factor"),
        ("J_b2", no_s2["J_b2"], "missing_sigma_prime"),
        ("J_W1", no_s1["J_W1"], "missing_sigma_prime"),
        ("J_b1", J["J_W1"], "wrong_parameter"),
        ("J_b2", bp._variant(p, x, y, no_dcost=True)["J_b2"], "missing_chain_factor"),
        ("J_b2", np.ones((7, 1)), "wrong"),
        ("J_W1", bp._variant(p, x, y, inputs={1: 1})["J_W1"], "wrong_layer"),
        ("J_b2", bp._variant(p, x, y, sigma_not_prime=(3,))["J_b2"], "missing_sigma_prime"),
    ]
    for name, value, mistake in cases:
        d = bp.diagnose(name, value, p, x, y)
        assert d.mistake == mistake, (name, mistake, d.message)
        assert "{" not in d.message and "array" not in d.message
    assert str(bp.diagnose("J_W1", J["J_W1"].T, p, x, y)) == \
        "J_W1 has shape (1, 6) but W1 has shape (6, 1): did you forget a transpose?"
    assert "N = 30 times too big" in bp.diagnose("J_b2", J["J_b2"] * N, p, x, y).message
    # the named variants are themselves the chain rule with one slip: the full one is the engine's
    full = bp._variant(p, x, y)
    for k in bp.GRADED:
        np.testing.assert_allclose(full[k], J[k])


def test_errors_in_the_learners_code_read_as_sentences():
    from symtutor.assignments._learner import explain_error

    assert explain_error("J_b3", "TypeError", "unsupported operand type(s) for *: 'ellipsis' and 'float'").mistake == \
        "not_written"
    d = explain_error("J_b1", "ValueError", "operands could not be broadcast together with shapes (100,7) (7,100) ")
    assert d.mistake == "transpose"
    assert explain_error("J_W2", "NameError", "name 'W4' is not defined").message.startswith("J_W2 uses a name")
    # a product that does not fit may be a missing transpose or another layer's weights: the sentence says both
    d = explain_error("J_b2", "ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0, with "
                      "gufunc signature (n?,k),(k,m?)->(n?,m?) (size 7 is different from 2)")
    assert d.mistake == "transpose" and d.message.endswith("or use the weights of another layer?")
    d = explain_error("J_b2", "ValueError", "operands could not be broadcast together with shapes (7,100) (2,100) ")
    assert "a factor is taken at another layer" in d.message


def test_the_in_notebook_check_and_the_learners_training(net):
    p, x, y = net
    ns = _course_namespace(p)
    report = bp.check(ns, x, y)
    assert report.ok and str(report).count("✓") == 4
    ns["J_b2"] = lambda x, y: -bp.jacobians(p, x, y)["J_b2"]
    ns["J_W1"] = lambda x, y: ns["_d"](x, y)[1][0] @ ns["_d"](x, y)[0][0]  # no .T: numpy raises
    text = str(bp.check(ns, x, y))
    assert "✗ J_b2 has the wrong sign" in text and "did you forget a transpose (.T)" in text
    assert "Traceback" not in text and "matmul" not in text

    # training with the learner's right Jacobians is the engine's training, step for step
    xs, ys = bp.training_data()
    params = bp.init_params(np.random.default_rng(0))
    ns = _course_namespace(params)
    mine = bp.train_with(ns, xs, ys, iterations=300, aggression=7, noise=1, rng=np.random.default_rng(4))
    engine = bp.train(params, xs, ys, iterations=300, aggression=7, noise=1, rng=np.random.default_rng(4))
    np.testing.assert_allclose(mine.costs, engine.costs, rtol=1e-9)
    for k in bp.NAMES:
        np.testing.assert_allclose(ns[k], engine.params[k], rtol=1e-9, atol=1e-12)
    assert mine.notes == ()

    # a wrong Jacobian trains to a worse network; an unwritten one leaves its parameter still
    ns = _course_namespace(params)
    ns["J_W3"] = lambda x, y: -ns["_d"](x, y)[1][2] @ ns["_d"](x, y)[0][2].T / x.size
    ns["J_b1"] = lambda x, y: ...
    bad = bp.train_with(ns, xs, ys, iterations=300, aggression=7, noise=1, rng=np.random.default_rng(4))
    assert bad.costs[-1] > engine.costs[-1]
    assert np.array_equal(ns["b1"], params["b1"])
    assert bad.notes == ("J_b1 is not written yet: replace the ... with your code, so b1 did not move",)


def test_hidden_cases_are_not_the_notebooks_own():
    cases = bp.hidden_cases(7)
    own = [c for c in cases if c.own]
    hidden = [c for c in cases if not c.own]
    assert {c.function for c in own} == set(bp.GRADED) and len(hidden) == 3 * len(own)
    shapes = {c.data[0]["W2"].shape for c in hidden} | {c.data[1].shape for c in hidden}
    assert (3, 5) in shapes and (1, 37) in shapes
    assert bp.hidden_cases(7)[5].call == cases[5].call and bp.hidden_cases(8)[5].call != cases[5].call


def test_a_result_copied_from_the_screen_is_named_hard_coded():
    from symtutor.assignments._learner import encode

    cases = h.hidden_cases(3)
    X, Y = h.heights_data()
    copied = encode(np.round(h.steepest_step(X, Y, 155.0, 6.0, 2000.0), 3))  # as printed, to 3 places
    results = {k: {"kind": "result", "call": k, "value": copied} for k, c in enumerate(cases)
               if c.function == "steepest_step"}
    results.update({k: {"kind": "result", "call": k, "value": encode(h._derivatives(*c.data)[1])}
                    for k, c in enumerate(cases) if c.function == "dfdmu"})
    results.update({k: {"kind": "result", "call": k, "value": encode(np.zeros(2))}
                    for k, c in enumerate(cases) if c.function == "dfdsig"})
    grades = {g.name: g for g in h.judge(cases, results)}
    assert grades["dfdmu"].mistake is None
    assert grades["steepest_step"].mistake == "hard_coded" and grades["steepest_step"].cases_passed == 0
    assert "the same numbers whatever its arguments" in grades["steepest_step"].message
    assert grades["dfdsig"].mistake == "hard_coded"


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


def test_each_typical_heights_mistake_is_named():
    x = np.linspace(140.0, 210.0, 29)
    mu, sig = 172.0, 8.5
    f = h.model(x, mu, sig)
    dmu = f * (x - mu) / sig**2
    dsig = f * (-1 / sig + (x - mu) ** 2 / sig**3)
    # the engine's derivatives against central differences
    e = 1e-5
    np.testing.assert_allclose(dmu, (h.model(x, mu + e, sig) - h.model(x, mu - e, sig)) / (2 * e), rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(dsig, (h.model(x, mu, sig + e) - h.model(x, mu, sig - e)) / (2 * e), rtol=1e-5, atol=1e-12)
    cases = [
        ("dfdmu", dmu, None), ("dfdsig", dsig, None),
        ("dfdmu", -dmu, "sign"), ("dfdmu", f, "missing_chain_factor"), ("dfdmu", dmu * sig**2, "constant_factor"),
        ("dfdmu", dsig, "wrong_parameter"), ("dfdsig", dmu, "wrong_parameter"),
        ("dfdsig", f * (x - mu) ** 2 / sig**3, "missing_term"), ("dfdsig", -f / sig, "missing_chain_factor"),
        ("dfdsig", f * (1 / sig + (x - mu) ** 2 / sig**3), "sign"), ("dfdmu", dmu[:3], "shape"),
    ]
    for name, value, mistake in cases:
        d = h.diagnose_derivative(name, value, x, mu, sig)
        assert d.mistake == mistake, (name, mistake, d.message)
    X, Y = h.heights_data()
    step = h.steepest_step(X, Y, 160.0, 7.0, 1000.0)
    for value, mistake in ((step, None), ([160 + step[0], 7 + step[1]], None), (-step, "sign"), (step[::-1], "wrong_parameter"),
                           (step / 2, "constant_factor"), (step / -2, "constant_factor"), (step / -1000, "constant_factor"), ([step[0], 0.1], "wrong"),
                           (np.zeros(3), "shape")):
        assert h.diagnose_step(value, X, Y, 160.0, 7.0, 1000.0).mistake == mistake
    # over the notebook's own bins the Gaussian's tails are tiny: a constant factor is still named
    f0 = h.model(X, 155.0, 6.0)
    e_term, n_term = f0 * (X - 155) ** 2 / 6.0**3, -f0 / 6.0
    for name, value, mistake, words in (("dfdmu", 2 * f0 * (X - 155) / 36, "constant_factor", "2 times"),
                                        ("dfdmu", f0 * (X - 155) / 6, "constant_factor", "σ times"),
                                        ("dfdsig", e_term / 2 + n_term, "constant_factor", "0.5 times"),
                                        ("dfdsig", 6 * e_term + n_term, "constant_factor", "σ times")):
        d = h.diagnose_derivative(name, value, X, 155.0, 6.0)
        assert (d.mistake, words in d.message) == (mistake, True), (name, d.message)
    # one element of the step wrong: its sign, or a factor of it
    for value, mistake in (([step[0], -step[1]], "sign"), ([step[0], step[1] / 2], "constant_factor"),
                           ([-step[0], step[1]], "sign")):
        assert h.diagnose_step(value, X, Y, 160.0, 7.0, 1000.0).mistake == mistake, value
    text = str(h.check(dfdmu=lambda x, mu, sig: 1 / 0, dfdsig=lambda x, mu, sig: h.model(x, mu, sig) * (x - mu) / sig**2))
    assert text == "✗ dfdmu raised ZeroDivisionError: division by zero\n✗ dfdsig is the derivative with respect to " \
        "the other parameter: it should be ∂f/∂σ"


def test_the_learners_descent_is_the_courses():
    x, y = h.heights_data()
    r = h.descend(h.steepest_step, x, y, mu=155, sig=6, steps=50, aggression=2000)
    assert (round(r.mu, 2), round(r.sig, 2)) == (178.52, 7.55)
    np.testing.assert_allclose(r.path, h.fit(x, y).path)
    landing = h.descend(lambda x, y, m, s, a: np.array([m, s]) + h.steepest_step(x, y, m, s, a), x, y)
    np.testing.assert_allclose(landing.path, r.path)
    broken = h.descend(lambda x, y, m, s, a: h.steepest_step(x, y, m, s, a) if m < 160 else [1.0], x, y)
    assert broken.notes[0].startswith("steepest_step should give an array of numbers") or "stopped after" in broken.notes[0]


def test_cli_assignments_with_plots(tmp_path, capsys):
    png = tmp_path / "heart.png"
    assert main(["backprop", "--iterations", "300", "--seed", "0", "--plot", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "cost after 300 iterations" in capsys.readouterr().out
    png = tmp_path / "heights.png"
    assert main(["heights", "--plot", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "μ = 178.5198 cm" in capsys.readouterr().out
