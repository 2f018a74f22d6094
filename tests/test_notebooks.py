"""The notebooks run end to end in a real Jupyter kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def run(path: Path, replace: dict[str, str] | None = None):
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        for old, new in (replace or {}).items():
            cell.source = cell.source.replace(old, new)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def outputs(nb) -> str:
    text = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text.append(out.get("text", "") or str(out.get("data", {}).get("text/plain", "")))
    return "\n".join(text)


@pytest.fixture(scope="module")
def backprop_as_given():
    return run(NOTEBOOKS / "1-Backpropagation.ipynb")


def test_backpropagation_runs_end_to_end_and_says_what_is_missing(backprop_as_given):
    out = outputs(backprop_as_given)
    assert "J_W3: not written yet" in out
    assert "cost:" in out and "after 4000 iterations" in out
    images = [o for c in backprop_as_given.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert images


def test_backpropagation_accepts_right_jacobians_and_names_a_wrong_one():
    nb = run(NOTEBOOKS / "1-Backpropagation.ipynb", {
        "return ...  # 2 (a3 - y)/N times a3 (1 - a3), then times a2 transposed":
            "return (2 * (a3 - y) / N * a3 * (1 - a3)) @ a2.T",
        "return ...  # the same, summed over the points: .sum(axis=1, keepdims=True)":
            "return -(2 * (a3 - y) / N * a3 * (1 - a3)).sum(axis=1, keepdims=True)",
        "return ...  # (W3 transposed @ d3) times a2 (1 - a2), then times a1 transposed":
            "return ((params['W3'].T @ d3) * a2 * (1 - a2)) @ a1.T",
    })
    out = outputs(nb)
    assert "J_W3: ok" in out and "J_W2: ok" in out
    assert "J_b3: the sign is wrong" in out


def test_fitting_runs_end_to_end_and_checks_the_derivatives():
    nb = run(NOTEBOOKS / "2-FittingDistribution.ipynb", {
        "return ...  # f times (x - mu) / sig^2": "return f(x, mu, sig) * (x - mu) / sig ** 2",
    })
    out = outputs(nb)
    assert "'dfdmu': 'ok'" in out and "'dfdsig': 'not written yet" in out
    assert "mu = 178.520 cm, sigma = 7.550 cm" in out


WEEKS = ["00-Tour", "01-Derivatives", "02-Multivariate", "03-ChainRule", "04-Taylor", "05-Optimisation", "06-Regression"]


@pytest.mark.parametrize("name", WEEKS)
def test_every_week_notebook_runs(name):
    nb = run(NOTEBOOKS / f"{name}.ipynb")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    shown = [o for c in nb.cells for o in c.get("outputs", [])
             if "application/vnd.jupyter.widget-view+json" in o.get("data", {}) or "image/png" in o.get("data", {})]
    assert shown, "every week shows a widget or a plot"


def test_notebooks_hold_no_library_logic():
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert "class " not in cell.source, path.name
