"""The notebooks run end to end in a real Jupyter kernel."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
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


def fill(nb, answers: dict[str, str]):
    """The notebook with the learner's functions (found by name in any code cell) replaced by ``answers``."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        lines = cell.source.split("\n")
        for node in sorted((n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in answers),
                           key=lambda n: -n.lineno):
            lines[node.lineno - 1:node.end_lineno] = answers[node.name].strip("\n").split("\n")
        cell.source = "\n".join(lines)
    return nb


@pytest.fixture(scope="module")
def kernel():
    """One kernel for the assignment runs (each starts with %reset): imports are paid once."""
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(NOTEBOOKS))
    yield km
    km.shutdown_kernel(now=True)


def run_assignment(km, name: str, answers=None, *, iterations: int = 50):
    nb = nbformat.read(str(NOTEBOOKS / name), as_version=4)
    fill(nb, answers or {})
    setup = nbformat.v4.new_code_cell(f"%reset -f\nimport os\nos.environ['SYMTUTOR_ITERATIONS'] = '{iterations}'")
    nb.cells.insert(0, setup)
    client = NotebookClient(nb, km=km, timeout=300, resources={"metadata": {"path": str(NOTEBOOKS)}})
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
            client.kc.context.destroy(linger=0)
    nb.cells.pop(0)
    return nb


def images(nb) -> int:
    return sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))


def errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def chain(*lines: str) -> str:
    return "\n".join(["    a0, z1, a1, z2, a2, z3, a3 = network_function(x)", "    J = 2 * (a3 - y)",
                      "    J = J * d_sigma(z3)", *("    " + ln for ln in lines), "    return J"])


BACKPROP_RIGHT = {
    "J_b3": "def J_b3(x, y):\n" + chain("J = np.sum(J, axis=1, keepdims=True) / x.size"),
    "J_b2": "def J_b2(x, y):\n" + chain("J = (J.T @ W3).T", "J = J * d_sigma(z2)",
                                        "J = np.sum(J, axis=1, keepdims=True) / x.size"),
    "J_W1": "def J_W1(x, y):\n" + chain("J = (J.T @ W3).T", "J = J * d_sigma(z2)", "J = (J.T @ W2).T",
                                        "J = J * d_sigma(z1)", "J = J @ a0.T / x.size"),
    "J_b1": "def J_b1(x, y):\n" + chain("J = (J.T @ W3).T", "J = J * d_sigma(z2)", "J = (J.T @ W2).T",
                                        "J = J * d_sigma(z1)", "J = np.sum(J, axis=1, keepdims=True) / x.size"),
}

BACKPROP_MISTAKES = {
    "J_b3": "def J_b3(x, y):\n" + chain("J = -np.sum(J, axis=1, keepdims=True) / x.size"),
    "J_b2": "def J_b2(x, y):\n" + chain("J = (J.T @ W3).T", "J = np.sum(J, axis=1, keepdims=True) / x.size"),
    "J_W1": "def J_W1(x, y):\n" + chain("J = (J.T @ W3).T", "J = J * d_sigma(z2)", "J = (J.T @ W2).T",
                                        "J = J * d_sigma(z1)", "J = J @ a0 / x.size"),
    "J_b1": "def J_b1(x, y):\n" + chain("J = (J.T @ W3).T", "J = J * d_sigma(z2)", "J = (J.T @ W2).T",
                                        "J = J * d_sigma(z1)", "J = np.sum(J, axis=1, keepdims=True)"),
}


def _stub_index(nb, name: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if f"def {name}(" in c.source)


def test_backpropagation_as_shipped_sets_the_course_work_and_gives_nothing_away(kernel):
    nb = run_assignment(kernel, "1-Backpropagation.ipynb")
    assert not errors(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in ("J_b3", "J_b2", "J_W1", "J_b1"):
        assert f"def {name}(x, y):" in code
    assert "def J_W3(x, y):" in code and "def J_W2(x, y):" in code and "def network_function(a0):" in code
    # nothing printed before the learner writes; the derivation only on request
    first_stub = _stub_index(nb, "J_b3")
    assert not any(c.get("outputs") for c in nb.cells[:first_stub + 1])
    assert "SHOW_DERIVATION = False" in code
    derivation_cell = next(c for c in nb.cells if "SHOW_DERIVATION = False" in c.source)
    assert not derivation_cell.get("outputs")
    out = outputs(nb)
    for name in ("J_b3", "J_b2", "J_W1", "J_b1"):
        assert f"✗ {name} is not written yet" in out
    assert "J_b3 is not written yet: replace the ... with your code, so b3 did not move" in out
    assert "after 50 iterations" in out and images(nb) == 1
    assert "10_000" in code and "aggression=7, noise=1" in code and "default_rng(SEED)" in code


def test_backpropagation_with_the_course_answers_draws_the_learners_heart(kernel):
    import numpy as np

    from symtutor.assignments import backprop as bp

    nb = run_assignment(kernel, "1-Backpropagation.ipynb", BACKPROP_RIGHT, iterations=800)
    assert not errors(nb)
    out = outputs(nb)
    assert out.count("✓") == 4 and "did not move" not in out
    cost = float(re.search(r"([\d.]+) after 800 iterations", out).group(1))
    rng = np.random.default_rng(0)
    x, y = bp.training_data()
    engine = bp.train(bp.init_params(rng), x, y, iterations=800, aggression=7, noise=1, rng=rng)
    assert cost == pytest.approx(engine.costs[-1], abs=1e-5) and cost < engine.costs[0] / 5
    assert images(nb) == 1


def test_backpropagation_names_each_mistake_and_the_heart_does_not_form(kernel):
    import numpy as np

    from symtutor.assignments import backprop as bp

    nb = run_assignment(kernel, "1-Backpropagation.ipynb", BACKPROP_MISTAKES, iterations=800)
    assert not errors(nb)
    out = outputs(nb)
    assert "✗ J_b3 has the wrong sign" in out
    assert "✗ J_b2 is missing the factor σ'(z2)" in out
    assert "✗ a matrix product in J_W1 does not fit" in out and "did you forget a transpose (.T)" in out
    assert "✗ J_b1 is off by a constant factor: it is N = 100 times too big" in out
    assert "Traceback" not in out and "matmul" not in out and "{'" not in out
    cost = float(re.search(r"([\d.]+) after 800 iterations", out).group(1))
    rng = np.random.default_rng(0)
    x, y = bp.training_data()
    engine = bp.train(bp.init_params(rng), x, y, iterations=800, aggression=7, noise=1, rng=rng)
    assert cost > 2 * engine.costs[-1]


HEIGHTS_RIGHT = {
    "dfdmu": "def dfdmu(x, mu, sig):\n    return f(x, mu, sig) * ((x - mu) / sig**2)",
    "dfdsig": "def dfdsig(x, mu, sig):\n    return f(x, mu, sig) * (-1 / sig + (x - mu) ** 2 / sig**3)",
    "steepest_step": "def steepest_step(x, y, mu, sig, aggression):\n    J = np.array([\n"
                     "        -2 * (y - f(x, mu, sig)) @ dfdmu(x, mu, sig),\n"
                     "        -2 * (y - f(x, mu, sig)) @ dfdsig(x, mu, sig),\n    ])\n"
                     "    step = -J * aggression\n    return step",
}


def test_fitting_as_shipped_and_with_the_course_answers(kernel):
    nb = run_assignment(kernel, "2-FittingDistribution.ipynb")
    assert not errors(nb)
    first_stub = _stub_index(nb, "dfdmu")
    assert not any(c.get("outputs") for c in nb.cells[:first_stub + 1])
    out = outputs(nb)
    for name in ("dfdmu", "dfdsig", "steepest_step"):
        assert f"✗ {name} is not written yet" in out
    assert "dfdmu is not written yet: replace the ... with your code, so the descent did not start" in out
    nb = run_assignment(kernel, "2-FittingDistribution.ipynb", HEIGHTS_RIGHT)
    assert not errors(nb)
    out = outputs(nb)
    assert out.count("✓") == 3
    assert "mu = 178.520 cm, sigma = 7.550 cm" in out and images(nb) == 1


def test_fitting_names_each_mistake(kernel):
    wrong = {
        "dfdmu": "def dfdmu(x, mu, sig):\n    return f(x, mu, sig) * (mu - x) / sig**2",
        "dfdsig": "def dfdsig(x, mu, sig):\n    return f(x, mu, sig) * (x - mu) ** 2 / sig**3",
        "steepest_step": HEIGHTS_RIGHT["steepest_step"].replace("step = -J", "step = J"),
    }
    out = outputs(run_assignment(kernel, "2-FittingDistribution.ipynb", wrong))
    assert "✗ dfdmu has the wrong sign" in out
    assert "✗ dfdsig has the exponent's term but not the other" in out
    assert "✗ steepest_step" in out and "{'" not in out


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
