"""Text, LaTeX and Markdown renderings of expressions and derivations.

Rendering is kept apart from the step trees of :mod:`symtutor.steps`: one
walk of a tree yields numbered items (rule, general form, this instance),
and each format lays them out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from . import steps as S
from .errors import InvalidArgumentError
from .parsing import to_text

__all__ = ["expr_text", "expr_typed", "expr_operand", "expr_latex", "expr_pretty", "render_steps"]


def expr_text(e) -> str:
    """Plain one-line text of an expression or matrix, in the syntax answers are typed in.

    Examples:
        >>> expr_text(sp.Integer(2) * sp.Symbol("x") ** 3)
        '2*x^3'
        >>> expr_text(sp.Matrix([sp.E, sp.Symbol("y")]))
        '(e, y)'
    """
    return to_text(e)


_NUMBER_TIMES = re.compile(r"(?<![\w.^])(\d+)\*(?=[A-Za-z(])")
_TIMES = re.compile(r"(?<!\d)\*|\*(?!\d)")


def expr_typed(e) -> str:
    """An expression as a learner would type it: no ``*`` where a product reads without one.

    The result reads back (with :func:`symtutor.parse`) as the same expression;
    where dropping a star would change that, the star stays.

    Examples:
        >>> x, y = sp.symbols("x y")
        >>> expr_typed(4 * x**2 * y + 2 * x * sp.cos(x))
        '4x^2 y + 2x cos(x)'
        >>> expr_typed(sp.Matrix([x * y, 3 * x]))
        '(x y, 3x)'
    """
    from .parsing import parse

    text = to_text(e)
    if "*" not in text:
        return text
    typed = _TIMES.sub(" ", _NUMBER_TIMES.sub(r"\1", text))
    try:
        same = parse(typed) == parse(text)
    except (ValueError, TypeError, ArithmeticError, RecursionError):
        same = False
    return typed if same else text


def expr_operand(e) -> str:
    """An expression's text, bracketed where it follows an operator: negative numbers, fractions, sums.

    For worked solutions: ``(-7/2 - (-3))/(1/2)``, never ``(-7/2 - -3)/1/2``.

    Examples:
        >>> expr_operand(sp.Integer(-3)), expr_operand(sp.Rational(1, 2)), expr_operand(sp.Integer(4))
        ('(-3)', '(1/2)', '4')
        >>> expr_operand(sp.Symbol("x") + 1), expr_operand(sp.Symbol("x") ** 2)
        ('(x + 1)', 'x^2')
    """
    e = sp.Integer(e) if isinstance(e, int) else sp.Float(e) if isinstance(e, float) else e
    text = to_text(e)
    simple = isinstance(e, (sp.Symbol, sp.Function, sp.Pow, sp.MatrixBase)) or (
        isinstance(e, sp.Integer) and e >= 0) or (isinstance(e, sp.Float) and e >= 0) or e in (sp.pi, sp.E)
    if isinstance(e, sp.Pow) and (e.exp.is_negative or text.startswith("-")):
        simple = False
    return text if simple else f"({text})"


def expr_latex(e) -> str:
    """LaTeX of an expression or matrix.

    Examples:
        >>> expr_latex(sp.sqrt(sp.Symbol("x")))
        '\\\\sqrt{x}'
    """
    return sp.latex(e)


def expr_pretty(e) -> str:
    """Two-dimensional text of an expression, for terminals.

    Examples:
        >>> print(expr_pretty(sp.Symbol("x") ** 2 / 2))
         2
        x
        ──
        2
    """
    text = sp.pretty(e, use_unicode=True)
    return "\n".join(line.rstrip() for line in text.splitlines())


@dataclass(frozen=True, slots=True)
class _Item:
    depth: int
    number: str
    rule: str
    formula: str
    formula_latex: str
    context: tuple[tuple[str, str], ...]  # (text, latex) lines that set the scene
    equation: tuple[sp.Expr, sp.Symbol, sp.Expr]  # d(expr)/d(var) = result
    partial: bool
    note: str
    second: sp.Symbol | None  # for a second derivative: the first variable


def _context(step: S.Step, partial: bool) -> list[tuple[str, str]]:
    t, L = expr_text, expr_latex
    if isinstance(step, S.ConstantRule) and partial and step.expr.free_symbols:
        names = ", ".join(sorted(str(s) for s in step.expr.free_symbols))
        return [(f"{t(step.expr)} does not depend on {step.var}: {names} is held constant",
                 rf"{L(step.expr)} \text{{ does not depend on }} {L(step.var)}")]
    if isinstance(step, S.ConstantMultipleRule):
        return [(f"with c = {t(step.constant)}", rf"c = {L(step.constant)}")]
    if isinstance(step, S.PowerRule):
        return [(f"with n = {t(step.exponent)}", rf"n = {L(step.exponent)}")]
    if isinstance(step, S.ProductRule):
        names = "fghpq"
        parts = [f"{names[i] if i < 5 else 'f' + str(i)} = {t(f)}" for i, f in enumerate(step.factors)]
        lparts = [f"{names[i] if i < 5 else 'f_' + str(i)} = {L(f)}" for i, f in enumerate(step.factors)]
        return [("with " + ", ".join(parts), ",\\ ".join(lparts))]
    if isinstance(step, S.QuotientRule):
        return [(f"with f = {t(step.numerator)}, g = {t(step.denominator)}",
                 rf"f = {L(step.numerator)},\ g = {L(step.denominator)}")]
    if isinstance(step, S.ChainRule):
        return [(f"let {step.u} = {t(step.inner_expr)}", rf"{L(step.u)} = {L(step.inner_expr)}")]
    if isinstance(step, (S.ExponentialRule, S.LogBaseRule)):
        return [(f"with base {t(step.base)}", rf"\text{{base }} {L(step.base)}")]
    if isinstance(step, S.LogarithmicDifferentiationRule):
        return [(f"ln y = {t(step.log_expr)}", rf"\ln y = {L(step.log_expr)}")]
    if isinstance(step, S.SecondDerivative):
        return [(f"first differentiate with respect to {step.first_var}, "
                 f"then the result {t(step.first_result)} with respect to {step.var}",
                 rf"\frac{{\partial f}}{{\partial {L(step.first_var)}}} = {L(step.first_result)}")]
    return []


def _items(step: S.Step, partial: bool, depth: int = 0, number: str = "1"):
    note = getattr(step, "note", "") if isinstance(step, S.PowerRule) else ""
    yield _Item(
        depth,
        number,
        step.rule,
        step.formula,
        step.formula_latex,
        tuple(_context(step, partial)),
        (step.expr, step.var, step.result),
        partial,
        note,
        step.first_var if isinstance(step, S.SecondDerivative) else None,
    )
    for k, child in enumerate(step.children, 1):
        yield from _items(child, partial, depth + 1, f"{number}.{k}")


def _d_text(var, partial: bool, first=None) -> str:
    if first is not None:
        if first == var:
            return f"∂²/∂{var}²" if partial else f"d²/d{var}²"
        return f"∂²/∂{var}∂{first}"
    return f"∂/∂{var}" if partial else f"d/d{var}"


def _d_latex(var, partial: bool, first=None) -> str:
    v = sp.latex(var)
    if first is not None:
        w = sp.latex(first)
        if first == var:
            return rf"\frac{{\partial^2}}{{\partial {v}^2}}" if partial else rf"\frac{{d^2}}{{d{v}^2}}"
        return rf"\frac{{\partial^2}}{{\partial {v}\,\partial {w}}}"
    return rf"\frac{{\partial}}{{\partial {v}}}" if partial else rf"\frac{{d}}{{d{v}}}"


def _is_partial(tree: S.Step) -> bool:
    return bool(tree.expr.free_symbols - {tree.var})


def _partial_for(tree: S.Step):
    """Whether d/dv is a partial derivative: v is one of several variables of the root."""
    root_vars = tree.expr.free_symbols | {tree.var}
    several = len(root_vars) > 1

    def partial(v) -> bool:
        return several and v in root_vars

    return partial


def _tree_text(tree: S.Step, indent: str = "") -> list[str]:
    partial = _is_partial(tree)
    is_partial = _partial_for(tree)
    lines = []
    first = tree.first_var if isinstance(tree, S.SecondDerivative) else None
    d = _d_text(tree.var, is_partial(tree.var), first)
    lines.append(f"{indent}{d} [{expr_text(tree.expr)}]")
    if partial and first is None:
        others = ", ".join(sorted(str(s) for s in tree.expr.free_symbols - {tree.var}))
        lines.append(f"{indent}(a partial derivative: {others} held constant)")
    for it in _items(tree, partial):
        pad = indent + "   " * it.depth
        head = f"{pad}{it.number}. {it.rule[0].upper()}{it.rule[1:]}: {it.formula}"
        lines.append(head)
        body = pad + " " * (len(it.number) + 2)
        for text, _ in it.context:
            lines.append(f"{body}{text}")
        if it.note:
            lines.append(f"{body}({it.note})")
        e, v, r = it.equation
        lines.append(f"{body}{_d_text(v, is_partial(v), it.second)} [{expr_text(e)}] = {expr_text(r)}")
    lines.append(f"{indent}Answer: {expr_text(tree.result)}")
    return lines


def _tree_markdown(tree: S.Step) -> list[str]:
    partial = _is_partial(tree)
    is_partial = _partial_for(tree)
    first = tree.first_var if isinstance(tree, S.SecondDerivative) else None
    d = _d_latex(tree.var, is_partial(tree.var), first)
    lines = [f"$${d}\\left[{expr_latex(tree.expr)}\\right]$$", ""]
    if partial and first is None:
        others = ", ".join(f"${sp.latex(s)}$" for s in sorted(tree.expr.free_symbols - {tree.var}, key=str))
        lines += [f"*A partial derivative: {others} held constant.*", ""]
    for it in _items(tree, partial):
        pad = "   " * it.depth
        lines.append(f"{pad}- **{it.number}. {it.rule[0].upper()}{it.rule[1:]}**: ${it.formula_latex}$")
        for _, latex in it.context:
            lines.append(f"{pad}  where ${latex}$")
        e, v, r = it.equation
        dv = _d_latex(v, is_partial(v), it.second)
        lines.append(f"{pad}  ${dv}\\left[{expr_latex(e)}\\right] = {expr_latex(r)}$")
    lines += ["", f"**Answer:** ${expr_latex(tree.result)}$"]
    return lines


def _tree_latex(tree: S.Step) -> list[str]:
    partial = _is_partial(tree)
    is_partial = _partial_for(tree)
    lines = [r"\begin{enumerate}"]
    stack_depth = 0
    for it in _items(tree, partial):
        while stack_depth < it.depth:
            lines.append(r"\begin{enumerate}")
            stack_depth += 1
        while stack_depth > it.depth:
            lines.append(r"\end{enumerate}")
            stack_depth -= 1
        e, v, r = it.equation
        dv = _d_latex(v, is_partial(v), it.second)
        ctx = "".join(rf", \quad {latex}" for _, latex in it.context)
        lines.append(
            rf"\item \textbf{{{it.rule[0].upper()}{it.rule[1:]}}}: ${it.formula_latex}$\\"
            rf" ${dv}\left[{expr_latex(e)}\right] = {expr_latex(r)}{ctx}$"
        )
    while stack_depth > 0:
        lines.append(r"\end{enumerate}")
        stack_depth -= 1
    lines.append(r"\end{enumerate}")
    return lines


def _matrix(sm: S.StepMatrix, fmt: str) -> list[str]:
    lines: list[str] = []
    names = {"gradient": "Gradient", "jacobian": "Jacobian", "hessian": "Hessian"}
    title = names[sm.kind]
    rows, cols = sm.shape
    if fmt == "text":
        lines.append(f"{title} of {', '.join(expr_text(f) for f in sm.functions)} "
                     f"with respect to ({', '.join(map(str, sm.variables))}): one derivation per entry")
    else:
        lines.append(f"**{title}**, one derivation per entry" if fmt == "markdown" else rf"\paragraph{{{title}}}")
    for i in range(rows):
        for j in range(cols):
            label = f"entry ({i + 1}, {j + 1})" if cols > 1 else f"entry {i + 1}"
            if (i, j) in sm.mirrored:
                msg = (f"{label} equals entry ({j + 1}, {i + 1}) by symmetry: mixed second "
                       "partial derivatives of a smooth function are equal, so it is not derived again.")
                lines += ["", f"{'## ' if fmt == 'markdown' else ''}{msg}"]
                continue
            step = sm.entries[i][j]
            lines += ["", f"{'## ' if fmt == 'markdown' else ''}{label[0].upper()}{label[1:]}:"]
            lines += _render_tree(step, fmt)
    if fmt == "text":
        lines += ["", f"Result: {expr_text(sm.result)}"]
    else:
        lines += ["", "**Result:**" if fmt == "markdown" else "Result:", f"$${expr_latex(sm.result)}$$"]
    return lines


def _render_tree(step: S.Step, fmt: str) -> list[str]:
    if fmt == "text":
        return _tree_text(step)
    if fmt == "markdown":
        return _tree_markdown(step)
    return _tree_latex(step)


def render_steps(tree, *, fmt: str = "text") -> str:
    """Render a derivation (a step tree or a StepMatrix) as text, LaTeX or Markdown.

    Examples:
        >>> from symtutor import derivative_steps
        >>> print(render_steps(derivative_steps("sin(x^2)", "x")))
        d/dx [sin(x^2)]
        1. Chain rule: d/dx f(u) = f'(u) du/dx, with u = g(x)
           let u = x^2
           d/dx [sin(x^2)] = 2*x*cos(x^2)
           1.1. Trigonometric rule: d/dx sin(x) = cos(x)
                d/du [sin(u)] = cos(u)
           1.2. Power rule: d/dx x^n = n x^(n-1)
                with n = 2
                d/dx [x^2] = 2*x
        Answer: 2*x*cos(x^2)
    """
    if fmt not in ("text", "latex", "markdown"):
        raise InvalidArgumentError(f"fmt must be 'text', 'latex' or 'markdown', not {fmt!r}")
    if isinstance(tree, S.StepMatrix):
        return "\n".join(_matrix(tree, fmt))
    if not isinstance(tree, S.Step):
        raise TypeError(f"render_steps() takes a step tree or StepMatrix, not {type(tree).__name__}")
    return "\n".join(_render_tree(tree, fmt))
