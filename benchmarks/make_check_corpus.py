"""Build the corpus of (answer, expected) pairs for bench_check.py.

    python benchmarks/make_check_corpus.py   # writes benchmarks/check_corpus.json

Tasks come from the six weeks of the course.  For each, correct answers are
written in many equivalent forms (expanded, factored, over a common
denominator, terms and factors reordered, e^(...) for exp(...), products by
juxtaposition) and wrong answers are made by the typical mistakes (chain rule's
inner factor dropped, product rule as a product, quotient rule's sign, a sign,
a factor, a constant, a dropped term, the wrong variable, the function
itself, a transposed matrix, a Taylor polynomial without its factorials).
Every label is confirmed by an oracle independent of symtutor's checker:
SymPy's evalf at random points; a "wrong" answer the oracle finds equal is
dropped.  The output is deterministic.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import sympy as sp

from symtutor import derivative_steps, parse, to_text
from symtutor.diagnosis import buggy_derivative

x, y, t = sp.symbols("x y t")
OUT = Path(__file__).with_name("check_corpus.json")

DERIVATIVES = [
    x**3,
    3 * x**2 - 2 * x + 1,
    sp.sin(2 * x),
    x**2 * sp.sin(x),
    sp.exp(3 * x) * sp.cos(x),
    sp.log(x**2 + 1),
    (x + 1) / (x - 1),
    sp.sqrt(1 + x**2),
    x * sp.exp(-(x**2)),
    sp.tan(x),
    1 / x**2,
    sp.sin(x) ** 2,
    sp.exp(sp.sin(x)),
    sp.atan(2 * x),
    sp.cosh(x) * x,
    x / (1 + sp.exp(-x)),
    sp.sin(x**2) * sp.cos(x),
    (x**2 + 1) ** 5,
    sp.log(sp.sin(x)),
    x**2 * sp.exp(x) * sp.sin(x),
    sp.sqrt(x) * sp.log(x),
    (2 * x + 3) / (x**2 + 1),
    sp.exp(x**2 + 2 * x),
    sp.cos(sp.sqrt(x)),
    sp.tanh(2 * x),
    x**4 - 3 * x**3 + x,
    sp.exp(-x) * (x**2 + 1),
    sp.sin(x) / x,
    sp.log(x) / x,
    (x - 1) ** 3 * (x + 2),
    sp.exp(2 * x) / (1 + sp.exp(2 * x)),
    sp.sqrt(2 * x + 1),
    sp.cos(x) ** 3,
    x * sp.log(x) - x,
    1 / (1 + x**2),
    sp.asin(x),
    sp.sin(x) * sp.cos(x),
    2**x,
    x**2 / (x + 1),
    sp.exp(x) * sp.sin(x) + sp.exp(x) * sp.cos(x),
]

PARTIALS = [
    x**2 * y + y**3,
    sp.sin(x * y),
    sp.exp(x**2 + y**2),
    x / (x + y),
    x**3 * y**2 - 2 * x * y,
    sp.log(x**2 + y**2),
    x * sp.exp(x * y),
]

TAYLOR = [
    (sp.exp(x), 0, 3),
    (sp.cos(x), 0, 4),
    (sp.log(1 + x), 0, 3),
    (sp.sqrt(1 + x), 0, 2),
    (sp.sin(x), 0, 5),
    (1 / (1 - x), 0, 3),
    (sp.exp(x), 1, 2),
    (sp.log(x), 1, 3),
]

NUMERIC = [
    ("Newton-Raphson root of x^3 - 2x - 5 near 2", sp.nsolve(x**3 - 2 * x - 5, x, 2)),
    ("the root of cos(x) = x", sp.nsolve(sp.cos(x) - x, x, 0.7)),
    ("sqrt(2) by Newton's method", sp.sqrt(2)),
    ("e^0.5", sp.exp(sp.Rational(1, 2))),
    ("the slope of sin at 1", sp.cos(1)),
    ("ln(3)", sp.log(3)),
]


def _real_value(e, sub):
    """SymPy's own value of e at sub (30 digits), or None where it is not a finite real number.

    Odd roots of negative numbers are taken as real, as symtutor reads them.
    """
    e = e.replace(lambda n: n.is_Pow and n.exp.is_Rational and not n.exp.is_Integer and n.exp.q % 2 == 1,
                  lambda n: sp.sign(n.base) ** n.exp.p * sp.Abs(n.base) ** n.exp)
    try:
        v = complex(e.evalf(30, subs=sub))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if v != v or abs(v) == float("inf") or abs(v.imag) > 1e-20 * max(1.0, abs(v.real)):
        return None
    return v.real


def oracle_equal(a, b, variables, rng) -> bool | None:
    """Equal at 8 random real points by SymPy's own evalf (None: not enough points).

    Points are drawn from (-3, 3) as well as the positive half line, and a point
    where one side is a real number and the other is not makes them different
    (the checker's domain rule).
    """
    a = sp.Matrix(a) if isinstance(a, sp.MatrixBase) else sp.Matrix([a])
    b = sp.Matrix(b) if isinstance(b, sp.MatrixBase) else sp.Matrix([b])
    if a.shape != b.shape:
        return False
    good = 0
    for k in range(40):
        lo = 5 if k % 2 == 0 else -290
        sub = {v: sp.Rational(rng.randint(lo, 290), 100) + sp.Rational(1, 7919) for v in variables}
        va = [_real_value(e, sub) for e in a]
        vb = [_real_value(e, sub) for e in b]
        if any((p is None) != (q is None) for p, q in zip(va, vb)):
            return False
        if any(p is None for p in va):
            continue
        good += 1
        if any(abs(p - q) > 1e-12 * max(1, abs(p), abs(q)) for p, q in zip(va, vb)):
            return False
        if good >= 8:
            return True
    return None


def shuffled_text(e, rng) -> str:
    """e written with its terms and factors in a random order, products by juxtaposition."""
    terms = list(sp.Add.make_args(e))
    rng.shuffle(terms)
    parts = []
    for term in terms:
        factors = list(sp.Mul.make_args(term))
        rng.shuffle(factors)
        texts = []
        for f in factors:
            s = to_text(f)
            texts.append(f"({s})" if f.is_Add or s.startswith("-") or "/" in s else s)
        parts.append(" ".join(texts))
    return " + ".join(parts)


def variants(e, rng, extra=()) -> list[str]:
    """Equivalent texts of e (and of the equivalent expressions in extra)."""
    forms = {to_text(e), *(to_text(v) for v in extra)}
    for how in (sp.expand, sp.factor, sp.together, sp.trigsimp, sp.simplify, sp.cancel, sp.powsimp,
                lambda v: sp.collect(sp.expand(v), sorted(v.free_symbols, key=str)),
                lambda v: sp.apart(v) if len(v.free_symbols) == 1 and v.is_rational_function() else v):
        try:
            forms.add(to_text(how(e)))
        except (TypeError, ValueError, NotImplementedError, sp.PolynomialError):
            pass
    forms.add(shuffled_text(e, rng))
    forms.add(shuffled_text(sp.expand(e), rng))
    out = set()
    for s in forms:
        out.add(s)
        out.add(s.replace("exp(", "e^("))
        out.add(s.replace("*", " "))
    return sorted(out)


def wrong_derivatives(f, var, others):
    d = sp.diff(f, var)
    wrong = [
        ("chain_rule_inner_missing", buggy_derivative(f, var, "chain_rule_inner_missing")),
        ("product_rule_as_product", buggy_derivative(f, var, "product_rule_as_product")),
        ("quotient_rule_sign", buggy_derivative(f, var, "quotient_rule_sign")),
        ("sign_error", -d),
        ("constant_factor", 2 * d),
        ("extra_constant", d + 1),
        ("original_function", f),
    ]
    terms = sp.Add.make_args(sp.expand(d))
    if len(terms) > 1:
        wrong.append(("term_missing", sp.Add(*terms[1:])))
    for o in others:
        wrong.append(("wrong_variable", sp.diff(f, o)))
    return wrong


def learner_mistakes():
    """(answer, expected, variables, diagnosis tag, extra fields) for mistakes reported in studies of student errors.

    The families: the power rule applied to e^x and a^x; exponent slips in the power
    rule; ln(u)' as 1/u or 1/x; the quotient rule without its square, as f'/g' or with
    its numerator reversed; the product rule as f'g' or with one term; partial
    derivatives that drop the other variable's factor or take the wrong variable;
    chain-rule slips (inner factor missing, inner replaced by its derivative, outer
    function not differentiated, one layer's derivative missing, paths multiplied,
    partial derivatives without dx/dt); Taylor polynomials over n instead of n!, in
    powers of x instead of (x - a), with the mixed term missing its 2 or without the
    factorials; optimisation steps (uphill, f/f' upside down, the rate left out,
    lambda grad g missing or with its sign flipped); vector slips (negated, scaled,
    swapped, transposed); a slip in one term of a product; sign errors.
    """
    lam = sp.Symbol("lambda")
    out = []

    def deriv(f, answer, tag, var=x, variables=(x,)):
        out.append((answer, sp.diff(f, var), variables, tag, {"function": to_text(f), "wrt": str(var)}))

    deriv(sp.exp(x), "x e^(x-1)", "power_rule_on_exponential")
    deriv(2**x, "x 2^(x-1)", "power_rule_on_exponential")
    deriv(sp.exp(3 * x), "3x e^(3x-1)", "power_rule_on_exponential")
    deriv(5**x, "x 5^(x-1)", "power_rule_on_exponential")
    deriv(x**5, "5x^5", "power_rule_exponent_kept")
    deriv(x**5, "x^4", "power_rule_coefficient_missing")
    deriv(x**5, "5x^6", "power_rule_exponent_raised")
    deriv(3 * x**4, "12x^4", "power_rule_exponent_kept")
    deriv(3 * x**4, "3x^3", "power_rule_coefficient_missing")
    deriv(3 * x**4, "12 x^5", "power_rule_exponent_raised")
    deriv(x**-2, "-2x^-2", "power_rule_exponent_kept")
    deriv(sp.log(x**2 + 1), "1/(x^2+1)", "chain_rule_inner_missing")
    deriv(sp.log(x**2 + 1), "1/x", "log_rule_as_one_over_x")
    deriv(sp.log(sp.sin(x)), "1/sin(x)", "chain_rule_inner_missing")
    deriv(sp.log(sp.sin(x)), "1/x", "log_rule_as_one_over_x")
    deriv(sp.log(x**2 + 1) + sp.sin(2 * x), "1/(x^2+1) + 2 cos(2x)", "log_rule_inner_missing")
    deriv((x + 1) / (x - 1), "((x-1) - (x+1))/(x-1)", "quotient_rule_no_square")
    deriv((x + 1) / (x - 1), "((x+1) - (x-1))/(x-1)^2", "quotient_rule_sign")
    deriv(sp.sin(x) / x, "(x cos(x) - sin(x))/x", "quotient_rule_no_square")
    deriv(sp.sin(x) / x, "cos(x)", "quotient_rule_as_ratio")
    deriv(sp.sin(x) / x, "(sin(x) - x cos(x))/x^2", "quotient_rule_sign")
    deriv(x**2 / (x + 1), "2x", "quotient_rule_as_ratio")
    deriv(x**2 / (x + 1), "(2x(x+1) - x^2)/(x+1)", "quotient_rule_no_square")
    deriv(x**2 * sp.sin(x), "2x cos(x)", "product_rule_as_product")
    deriv(x**2 * sp.sin(x), "2x sin(x)", "product_rule_one_term")
    deriv(x**3 * sp.exp(x), "3x^2 e^x", "product_rule_as_product")
    deriv(x**3 * sp.cos(x), "3x^2 cos(x)", "product_rule_one_term")
    deriv(sp.sin(x**2), "cos(x^2)", "chain_rule_inner_missing")
    deriv(sp.sin(x**2), "cos(2x)", "chain_rule_inner_replaced")
    deriv(sp.sin(x**2), "2x cos(2x)", "chain_rule_inner_replaced")
    deriv(sp.sin(x**2), "2x sin(x^2)", "chain_rule_outer_not_differentiated")
    deriv(sp.cos(3 * x), "-sin(3x)", "chain_rule_inner_missing")
    deriv(sp.cos(3 * x), "3 sin(3x)", "trig_derivative_sign")
    deriv(sp.exp(x**2), "x^2 e^(x^2-1)", "power_rule_on_exponential")
    deriv(sp.sqrt(1 + x**2), "1/(2 sqrt(1+x^2))", "chain_rule_inner_missing")
    deriv(sp.tanh(2 * sp.tanh(3 * x)), "6 (1 - tanh(3x)^2)", "chain_rule_layer_dropped")
    deriv(sp.tanh(2 * sp.tanh(3 * x)), "6 (1 - tanh(2 tanh(3x))^2)", "chain_rule_layer_dropped")
    deriv(x**2 * y**3, "2x", "partial_factor_dropped", x, (x, y))
    deriv(x**2 * y**3, "3x^2 y^2", "wrong_variable", x, (x, y))
    deriv(x * y**2 + y * sp.exp(x), "1 + e^x", "partial_factor_dropped", x, (x, y))
    deriv(x**2 * y + sp.sin(y), "x^2 + cos(y)", "wrong_variable", x, (x, y))
    deriv(sp.exp(x * y), "e^(x y)", "chain_rule_inner_missing", y, (x, y))

    def plain(answer, expected, tag, variables=(x,), **extra):
        out.append((answer, expected, variables, tag, extra))

    # the multivariate chain rule, f(x(t), y(t)) with its paths
    plain("(2t sin(t)) (t^2 cos(t))", 2 * t * sp.sin(t) + t**2 * sp.cos(t), "chain_rule_paths_multiplied", (t,))
    plain("sin(t) + t^2", 2 * t * sp.sin(t) + t**2 * sp.cos(t), "chain_rule_factor_missing", (t,))
    plain("(3 t^2 cos(t)) (-t^3 sin(t))", 3 * t**2 * sp.cos(t) - t**3 * sp.sin(t), "chain_rule_paths_multiplied", (t,))
    # Taylor polynomials
    tay = {"mode": "taylor"}
    plain("1 + x + x^2/2 + x^3/3", 1 + x + x**2 / 2 + x**3 / 6, "taylor_divided_by_n", point="0", order=3, **tay)
    plain("1 + x + x^2 + x^3", 1 + x + x**2 / 2 + x**3 / 6, "taylor_missing_factorial", point="0", order=3, **tay)
    plain("x - x^2/2 + x^3/3", (x - 1) - (x - 1) ** 2 / 2 + (x - 1) ** 3 / 3, "taylor_powers_of_x", point="1", order=3,
          **tay)
    plain("e + e x + e x^2/2", sp.E * (1 + (x - 1) + (x - 1) ** 2 / 2), "taylor_powers_of_x", point="1", order=2, **tay)
    plain("1 - x^2/2 - x y/2 - y^2/2", 1 - (x + y) ** 2 / 2, "taylor_mixed_term", (x, y), point="(0, 0)", order=2,
          **tay)
    plain("1 + x y/2", 1 + x * y, "taylor_mixed_term", (x, y), point="(0, 0)", order=2, **tay)
    # optimisation steps
    newton = x - (x**3 - 2 * x - 5) / (3 * x**2 - 2)
    plain("x - (3x^2 - 2)/(x^3 - 2x - 5)", newton, "term_inverted")
    plain("x + (x^3 - 2x - 5)/(3x^2 - 2)", newton, "term_sign_error")
    gd = sp.Matrix([x - 2 * x * y / 10, y - x**2 / 10])
    plain("(x - 2x y, y - x^2)", gd, "term_factor", (x, y))
    plain("(x + 2x y/10, y + x^2/10)", gd, "term_sign_error", (x, y))
    lagrange = sp.Matrix([y - 2 * lam * x, x - 2 * lam * y])
    plain("(y, x)", lagrange, "term_missing", (x, y, lam))
    plain("(y + 2 lambda x, x + 2 lambda y)", lagrange, "term_sign_error", (x, y, lam))
    # vector slips
    g = sp.Matrix([2 * x * y, x**2 + 3 * y**2])
    plain("(-2x y, -x^2 - 3y^2)", g, "vector_negated", (x, y))
    plain("(x^2 + 3y^2, 2x y)", g, "components_swapped", (x, y))
    plain("(4x y, 2x^2 + 6y^2)", g, "vector_scaled", (x, y))
    plain("(1/5, 1/10)", sp.Matrix([sp.Rational(-1, 5), sp.Rational(-1, 10)]), "vector_negated", ())
    plain("[[2x y, 5], [x^2, cos(y)]]", sp.Matrix([[2 * x * y, x**2], [5, sp.cos(y)]]), "transposed", (x, y))
    # a slip in one term of a product, found after expansion
    prod = sp.Mul(x + 1, x + 2, evaluate=False)
    plain("x^2 + 2x + 2", prod, "term_factor")
    plain("x^2 - 3x + 2", prod, "term_sign_error")
    plain("x^2 + 2", prod, "term_missing")
    # sign errors and factors
    plain("-0.5", sp.Rational(1, 2), "sign_error", (), mode="numeric")
    plain("-2x cos(x^2)", 2 * x * sp.cos(x**2), "sign_error")
    plain("4x cos(x^2)", 2 * x * sp.cos(x**2), "constant_factor")
    return [o for o in out if o[3] is not None]


def main() -> int:
    rng = random.Random(20261121)
    pairs = []

    def add(answer, expected, correct, variables, source, **extra):
        pairs.append(
            {
                "answer": answer,
                "expected": to_text(expected),
                "correct": correct,
                "variables": [str(v) for v in variables],
                "source": source,
                **extra,
            }
        )

    def derivative_task(f, var, variables, source):
        d = sp.diff(f, var)
        tree = derivative_steps(f, var)  # the rule-by-rule form, before any tidying
        for text in variants(d, rng, extra=(tree.result, tree.eval())):
            add(text, d, True, variables, source, function=to_text(f), wrt=str(var))
        others = [v for v in variables if v != var]
        for tag, w in wrong_derivatives(f, var, others):
            if oracle_equal(w, d, variables, rng) is False:
                add(to_text(w), d, False, variables, source, function=to_text(f), wrt=str(var), mistake=tag)

    for f in DERIVATIVES:
        derivative_task(f, x, [x], "week 1: derivative")
    for f in PARTIALS:
        for var in (x, y):
            derivative_task(f, var, [x, y], "week 2: partial derivative")
        g = sp.Matrix([sp.diff(f, v) for v in (x, y)])
        add(to_text(g), g, True, [x, y], "week 2: gradient")
        add(to_text(g.applyfunc(sp.expand)), g, True, [x, y], "week 2: gradient")
        add(to_text(g.T), g, False, [x, y], "week 2: gradient", mistake="row_for_column")
        add(to_text(-g), g, False, [x, y], "week 2: gradient", mistake="sign_error")
        H = sp.hessian(f, (x, y))
        add(to_text(H), H, True, [x, y], "week 2: Hessian")
        add(to_text(H.applyfunc(sp.factor)), H, True, [x, y], "week 2: Hessian")
        if H[0, 1] != 0:
            Hd = sp.diag(H[0, 0], H[1, 1])
            add(to_text(Hd), H, False, [x, y], "week 2: Hessian", mistake="missing_mixed_partials")
    jac = [
        sp.Matrix([x**2 * y, 5 * x + sp.sin(y)]),
        sp.Matrix([sp.exp(x) * sp.cos(y), sp.exp(x) * sp.sin(y)]),
        sp.Matrix([x * y, x + y, x - y]),
        sp.Matrix([sp.sqrt(x**2 + y**2), sp.atan(y / x)]),
    ]
    for F in jac:
        J = F.jacobian((x, y))
        add(to_text(J), J, True, [x, y], "week 2: Jacobian")
        add(to_text(J.applyfunc(sp.simplify)), J, True, [x, y], "week 2: Jacobian")
        add(shuffled_text(J[0, 0], rng) if J.shape == (1, 1) else to_text(J.applyfunc(sp.expand)), J, True, [x, y],
            "week 2: Jacobian")
        if J.rows == J.cols and J != J.T:
            add(to_text(J.T), J, False, [x, y], "week 2: Jacobian", mistake="transposed")
    chains = [
        (x**2 + y**2, {x: sp.cos(t), y: sp.sin(t)}),
        (x * y, {x: t**2, y: sp.exp(t)}),
        (sp.exp(x + y), {x: t, y: t**2}),
        (x**2 * y, {x: sp.sin(t), y: sp.cos(t)}),
    ]
    for f, sub in chains:
        total = sp.diff(f.subs(sub), t)
        for text in variants(total, rng):
            add(text, total, True, [t], "week 3: multivariate chain rule")
        partial_only = sp.diff(f, x).subs(sub) * sp.diff(sub[x], t)
        if oracle_equal(partial_only, total, [t], rng) is False:
            add(to_text(partial_only), total, False, [t], "week 3: multivariate chain rule", mistake="term_missing")
        add(to_text(-total + 1), total, False, [t], "week 3: multivariate chain rule", mistake="sign_error")
    z = sp.Symbol("z")
    for act, d in ((sp.tanh(z), 1 - sp.tanh(z) ** 2), (1 / (1 + sp.exp(-z)), None)):
        d = sp.diff(act, z) if d is None else d
        for text in variants(d, rng):
            add(text, d, True, [z], "week 3: activation derivative")
        add(to_text(sp.tanh(z) ** 2 - 1) if act.func == sp.tanh else to_text(sp.exp(-z) / (1 + sp.exp(-z))),
            d, False, [z], "week 3: activation derivative", mistake="sign_error")
    for f, a, n in TAYLOR:
        p = sum(sp.diff(f, x, k).subs(x, a) / sp.factorial(k) * (x - a) ** k for k in range(n + 1))
        for text in variants(p, rng):
            add(text, p, True, [x], "week 4: Taylor polynomial", mode="taylor", point=str(a), order=n)
        nofact = sum(sp.diff(f, x, k).subs(x, a) * (x - a) ** k for k in range(n + 1))
        if oracle_equal(nofact, p, [x], rng) is False:
            add(to_text(nofact), p, False, [x], "week 4: Taylor polynomial", mode="taylor", point=str(a), order=n,
                mistake="taylor_missing_factorial")
        longer = p + sp.diff(f, x, n + 1).subs(x, a) / sp.factorial(n + 1) * (x - a) ** (n + 1)
        if longer != p:
            add(to_text(longer), p, False, [x], "week 4: Taylor polynomial", mode="taylor", point=str(a), order=n,
                mistake="taylor_wrong_degree")
        add(to_text(p + (x - a) ** 2 / 7), p, False, [x], "week 4: Taylor polynomial", mode="taylor",
            point=str(a), order=n, mistake="term_extra")
    for label, value in NUMERIC:
        exact = value.evalf(30)
        for digits in (4, 5, 6):
            add(str(sp.Float(exact, digits)), exact, True, [], f"week 5: {label}", mode="numeric")
        add(str(sp.Float(exact * sp.Rational(11, 10), 5)), exact, False, [], f"week 5: {label}", mode="numeric")
        add(str(sp.Float(-exact, 5)), exact, False, [], f"week 5: {label}", mode="numeric", mistake="sign_error")

    # real learner mistakes, by family, each labelled with the diagnosis that names it
    for answer, expected, variables, tag, extra in learner_mistakes():
        add(answer, expected, False, variables, "learner mistakes", mistake=tag, named=True, **extra)

    # confirm every label with the oracle
    kept = []
    for p in pairs:
        names = p["variables"]
        a = parse(p["answer"], variables=names)
        b = parse(p["expected"], variables=names)
        if p.get("mode") == "numeric":
            close = abs(complex(a.evalf(30)) - complex(b.evalf(30))) <= 1e-3 * abs(complex(b.evalf(30)))
            if p["correct"] and not close:
                raise AssertionError(f"a 'correct' numeric answer is far off: {p}")
            kept.append(p)
            continue
        verdict = oracle_equal(a, b, [sp.Symbol(n) for n in names], rng)
        if p.get("named") and verdict is not False:
            raise AssertionError(f"the oracle does not find a labelled learner mistake wrong: {p}")
        if p["correct"] and verdict is False:
            raise AssertionError(f"the oracle says a 'correct' answer is wrong: {p}")
        if not p["correct"] and verdict is not False and p.get("mode") != "taylor":
            continue  # not actually wrong
        kept.append(p)
    # one pair per distinct answer: texts that read as the same expression
    # (x*y and x y) count once, so the corpus measures checking of distinct forms
    seen = set()
    unique = []
    for p in kept:
        names = p["variables"]
        key = (sp.srepr(parse(p["answer"], variables=names)), p["expected"], p.get("mode"))
        if key not in seen:
            seen.add(key)
            unique.append(p)
    OUT.write_text(json.dumps({"schema_version": 1, "pairs": unique}, indent=1, ensure_ascii=False) + "\n")
    right = sum(p["correct"] for p in unique)
    print(f"wrote {len(unique)} pairs ({right} correct, {len(unique) - right} wrong) to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
