"""Thin ipywidgets apps that wire controls to symtutor's functions (``pip install 'symtutor[notebooks]'``).

Each app keeps its controls as attributes, so it can be driven from Python as
well as by hand, and shows itself in a notebook through ``app.widget``.
"""

from .apps import (
    DescentApp,
    LagrangeApp,
    NewtonApp,
    PracticeApp,
    SandpitApp,
    TaylorApp,
    TaylorSurfaceApp,
    descent_explorer,
    lagrange_explorer,
    newton_stepper,
    practice,
    sandpit,
    taylor_explorer,
    taylor_explorer_2d,
)

__all__ = [
    "DescentApp",
    "LagrangeApp",
    "NewtonApp",
    "PracticeApp",
    "SandpitApp",
    "TaylorApp",
    "TaylorSurfaceApp",
    "descent_explorer",
    "lagrange_explorer",
    "newton_stepper",
    "practice",
    "sandpit",
    "taylor_explorer",
    "taylor_explorer_2d",
]
