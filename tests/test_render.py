"""Rendering of derivations: numbered plain text, Markdown and LaTeX."""

from __future__ import annotations

import pytest

from symtutor import InvalidArgumentError, derivative_steps, hessian_steps, render_steps


def test_text_is_numbered_nested_with_general_form_then_instance():
    text = render_steps(derivative_steps("x^2 sin(x)", "x"))
    lines = text.splitlines()
    assert lines[0] == "d/dx [x^2*sin(x)]"
    assert lines[1] == "1. Product rule: d/dx [f g] = f' g + f g'"
    assert "   1.1. Power rule: d/dx x^n = n x^(n-1)" in lines
    assert "   1.2. Trigonometric rule: d/dx sin(x) = cos(x)" in lines
    assert lines[-1] == "Answer: x^2*cos(x) + 2*x*sin(x)"


def test_partial_derivatives_say_what_is_held_constant():
    text = render_steps(derivative_steps("x^2 y", "x"))
    assert text.splitlines()[0] == "∂/∂x [x^2*y]"
    assert "(a partial derivative: y held constant)" in text


def test_chain_rule_text_names_u():
    text = render_steps(derivative_steps("sin(x^2)", "x"))
    assert "let u = x^2" in text
    assert "d/du [sin(u)] = cos(u)" in text


def test_markdown_and_latex():
    tree = derivative_steps("exp(3x)", "x")
    md = render_steps(tree, fmt="markdown")
    assert md.startswith("$$\\frac{d}{dx}")
    assert "**1. Chain rule**" in md
    tex = render_steps(tree, fmt="latex")
    assert tex.count("\\begin{enumerate}") == tex.count("\\end{enumerate}")
    assert "\\textbf{Exponential rule}" in tex


def test_hessian_rendering_mentions_symmetry():
    text = render_steps(hessian_steps("x^2 y^3", "x, y"))
    assert "entry (2, 1) equals entry (1, 2) by symmetry" in text
    assert "∂²/∂y∂x [x^2*y^3]" in text


def test_bad_format():
    with pytest.raises(InvalidArgumentError, match="fmt must be"):
        render_steps(derivative_steps("x", "x"), fmt="html")
