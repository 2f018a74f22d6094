"""The public API: flat, documented, with runnable examples (run by --doctest-modules)."""

from __future__ import annotations

import inspect

import symtutor


def test_all_names_exist_and_are_documented_with_examples():
    for name in symtutor.__all__:
        obj = getattr(symtutor, name)
        doc = inspect.getdoc(obj)
        assert doc, f"{name} has no docstring"
        if inspect.isfunction(obj):
            assert ">>> " in doc, f"{name} has no runnable example"


def test_errors_subclass_builtins():
    assert issubclass(symtutor.ParseError, ValueError)
    assert issubclass(symtutor.InvalidArgumentError, ValueError)
    assert issubclass(symtutor.UnsupportedExpressionError, TypeError)
    for name in ("ParseError", "InvalidArgumentError", "UnknownSymbolError", "UnsupportedExpressionError"):
        assert issubclass(getattr(symtutor, name), symtutor.SymtutorError)
