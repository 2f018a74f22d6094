"""`symtutor grade`: submitted notebooks, right, wrong, crashing, looping and hostile, graded in a sandbox."""

from __future__ import annotations

import json
import os
import socket
import threading
from pathlib import Path

import jsonschema
import nbformat
import pytest

from symtutor.cli import main
from symtutor.grading import MISTAKES, NotebookGrade, grade_notebook, grade_notebooks, schema

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

GIVEN_BP = '''
import numpy as np
sigma = lambda z: 1 / (1 + np.exp(-z))
d_sigma = lambda z: np.cosh(z / 2) ** (-2) / 4
rng = np.random.default_rng(0)
W1, W2, W3 = rng.standard_normal((6, 1)) / 2, rng.standard_normal((7, 6)) / 2, rng.standard_normal((2, 7)) / 2
b1, b2, b3 = rng.standard_normal((6, 1)) / 2, rng.standard_normal((7, 1)) / 2, rng.standard_normal((2, 1)) / 2
def network_function(a0):
    z1 = W1 @ a0 + b1
    a1 = sigma(z1)
    z2 = W2 @ a1 + b2
    a2 = sigma(z2)
    z3 = W3 @ a2 + b3
    a3 = sigma(z3)
    return a0, z1, a1, z2, a2, z3, a3
'''

# the course's own answers
RIGHT_BP = '''
def J_b3(x, y):
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = 2 * (a3 - y)
    J = J * d_sigma(z3)
    J = np.sum(J, axis=1, keepdims=True) / x.size
    return J

def J_b2(x, y):
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = 2 * (a3 - y)
    J = J * d_sigma(z3)
    J = (J.T @ W3).T
    J = J * d_sigma(z2)
    J = np.sum(J, axis=1, keepdims=True) / x.size
    return J

def J_W1(x, y):
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = 2 * (a3 - y)
    J = J * d_sigma(z3)
    J = (J.T @ W3).T
    J = J * d_sigma(z2)
    J = (J.T @ W2).T
    J = J * d_sigma(z1)
    J = J @ a0.T / x.size
    return J

def J_b1(x, y):
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = 2 * (a3 - y)
    J = J * d_sigma(z3)
    J = (J.T @ W3).T
    J = J * d_sigma(z2)
    J = (J.T @ W2).T
    J = J * d_sigma(z1)
    J = np.sum(J, axis=1, keepdims=True) / x.size
    return J
'''

# right too, in another style: a(1 - a) for sigma', W.T @ d, .mean, one shared helper
RIGHT_BP_OTHER_STYLE = '''
def _deltas(x, y):
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    d3 = 2 * (a3 - y) * a3 * (1 - a3)
    d2 = W3.T @ d3 * a2 * (1 - a2)
    d1 = W2.T @ d2 * a1 * (1 - a1)
    return d3, d2, d1

J_b3 = lambda x, y: _deltas(x, y)[0].mean(axis=1, keepdims=True)
def J_b2(x, y): return _deltas(x, y)[1].mean(axis=1).reshape(-1, 1)
def J_W1(x, y): return np.dot(_deltas(x, y)[2], x.T) / x.shape[1]
def J_b1(x, y): return np.array([[v] for v in _deltas(x, y)[2].sum(axis=1) / x.size])
'''

WRONG_BP = '''
def J_b3(x, y):                      # the sign
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    return np.sum(2 * (y - a3) * d_sigma(z3), axis=1, keepdims=True) / x.size

def J_b2(x, y):                      # sigma'(z2) left out
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = (((2 * (a3 - y)) * d_sigma(z3)).T @ W3).T
    return np.sum(J, axis=1, keepdims=True) / x.size

def J_W1(x, y):                      # a0 on the wrong side: the transpose
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = (((2 * (a3 - y) * d_sigma(z3)).T @ W3).T * d_sigma(z2)).T @ W2
    return a0 @ (J.T * d_sigma(z1)).T / x.size

def J_b1(x, y):                      # the W2 link left out: shapes do not fit
    a0, z1, a1, z2, a2, z3, a3 = network_function(x)
    J = ((2 * (a3 - y) * d_sigma(z3)).T @ W3).T * d_sigma(z2)
    return np.sum(J * d_sigma(z1), axis=1, keepdims=True) / x.size
'''

GIVEN_H = '''
import numpy as np
def f(x, mu, sig):
    return np.exp(-(x - mu) ** 2 / (2 * sig ** 2)) / np.sqrt(2 * np.pi) / sig
'''

RIGHT_H = '''
def dfdmu(x, mu, sig):
    return f(x, mu, sig) * ((x - mu) / sig**2)

def dfdsig(x, mu, sig):
    return f(x, mu, sig) * (-1 / sig + (x - mu) ** 2 / sig**3)

def steepest_step(x, y, mu, sig, aggression):
    J = np.array([
        -2 * (y - f(x, mu, sig)) @ dfdmu(x, mu, sig),
        -2 * (y - f(x, mu, sig)) @ dfdsig(x, mu, sig),
    ])
    step = -J * aggression
    return step
'''


def notebook(tmp_path, *sources, name="submission.ipynb") -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def marks(grade: NotebookGrade) -> dict:
    return {f.name: (f.score, f.mistake) for f in grade.functions}


def test_right_answers_in_two_styles_get_full_marks_and_valid_json(tmp_path):
    path = notebook(tmp_path, GIVEN_BP, "%matplotlib inline\nprint('training...')", RIGHT_BP)
    g = grade_notebook(path, "backprop", timeout=40)
    assert g.status == "graded" and g.score == g.max_score == 4, g.text()
    assert all(f.cases == f.cases_passed == 4 for f in g.functions)
    jsonschema.validate(g.to_dict(), schema())
    other = grade_notebook(notebook(tmp_path, GIVEN_BP, RIGHT_BP_OTHER_STYLE, name="b.ipynb"), "backprop", timeout=40)
    assert other.score == 4, other.text()


def test_the_schema_names_every_mistake():
    enum = schema()["properties"]["functions"]["items"]["properties"]["mistake"]["oneOf"][1]["enum"]
    assert sorted(enum) == sorted(MISTAKES)


def test_a_notebook_in_the_courses_own_layout_grades(tmp_path):
    course = [
        '%run "readonly/BackpropModule.ipynb"',
        "# PACKAGE\nimport numpy as np\nimport matplotlib.pyplot as plt",
        "sigma = lambda z : 1 / (1 + np.exp(-z))\nd_sigma = lambda z : np.cosh(z/2)**(-2) / 4\n"
        "def reset_network (n1 = 6, n2 = 7, random=np.random) :\n    global W1, W2, W3, b1, b2, b3\n"
        "    W1 = random.randn(n1, 1) / 2\n    W2 = random.randn(n2, n1) / 2\n    W3 = random.randn(2, n2) / 2\n"
        "    b1 = random.randn(n1, 1) / 2\n    b2 = random.randn(n2, 1) / 2\n    b3 = random.randn(2, 1) / 2\n"
        + GIVEN_BP.split("b1, b2, b3 = rng")[1].split("\n", 1)[1],
        "# GRADED FUNCTION\n" + RIGHT_BP,
        "x, y = training_data()\nreset_network()\nplot_training(x, y, iterations=50000, aggression=7, noise=1)",
    ]
    g = grade_notebook(notebook(tmp_path, *course), "backprop", timeout=40)
    assert g.score == 4, g.text()
    assert g.cell_errors == ((4, "NameError: name 'training_data' is not defined"),)


def test_each_wrong_jacobian_is_named(tmp_path):
    g = grade_notebook(notebook(tmp_path, GIVEN_BP, WRONG_BP), "backprop", timeout=40)
    assert marks(g) == {"J_b3": (0, "sign"), "J_b2": (0, "missing_sigma_prime"), "J_W1": (0, "transpose"),
                        "J_b1": (0, "missing_chain_factor")}, g.text()
    text = g.text()
    assert "σ'(z2)" in text and "did you forget a transpose?" in text
    assert "Traceback" not in text and "{" not in text


def test_a_function_whose_cell_does_not_compile_is_reported_with_the_error(tmp_path):
    broken = RIGHT_BP.replace("    J = J * d_sigma(z2)\n    J = np.sum", "    J = np.sum", 1).replace(
        "J = J * d_sigma(z3)\n", "J = J * d_sigma(z3)\n        ", 1)
    g = grade_notebook(notebook(tmp_path, GIVEN_BP, broken), "backprop", timeout=40)
    assert {f.mistake for f in g.functions} == {"missing"}, g.text()
    assert g.functions[0].message.startswith("J_b3 is not defined: the cell where it is written (cell 1) stopped "
                                             "with IndentationError: unexpected indent"), g.text()


def test_hard_coded_results_fail_on_the_hidden_cases(tmp_path):
    import numpy as np

    from symtutor.assignments import backprop as bp

    x, y = bp.training_data()
    J = bp.jacobians(bp.init_params(np.random.default_rng(0)), x, y)
    hard = "\n".join(f"def {k}(x, y):\n    return np.array({J[k].tolist()!r})" for k in bp.GRADED)
    g = grade_notebook(notebook(tmp_path, GIVEN_BP, hard), "backprop", timeout=40)
    assert g.score == 0
    assert {f.mistake for f in g.functions} == {"hard_coded"}, g.text()
    assert all(f.cases_passed == 1 for f in g.functions)


def test_symtutors_own_answers_are_out_of_reach(tmp_path):
    borrowed = "from symtutor.assignments import heights as h\n" \
        "def steepest_step(x, y, mu, sig, aggression):\n    return h.steepest_step(x, y, mu, sig, aggression)"
    g = grade_notebook(notebook(tmp_path, GIVEN_H, RIGHT_H.split("def steepest_step")[0], borrowed), "heights",
                       timeout=40)
    assert marks(g) == {"dfdmu": (1, None), "dfdsig": (1, None), "steepest_step": (0, "raised")}, g.text()
    assert "symtutor's own steepest_step is not available" in g.functions[2].message
    # kept before the grader withholds them: the engine's compiled derivative, symtutor's code, or either in a thread
    kept = """
import queue, threading
from symtutor.assignments import heights as h
_c = h._compiled()
_step = h.steepest_step
_ask, _answer, _dm = queue.Queue(), queue.Queue(), _c.dfdmu

def _serve():
    while True:
        args = _ask.get()
        try:
            _answer.put(_dm(*args))
        except BaseException as e:
            _answer.put(e)

threading.Thread(target=_serve, daemon=True).start()

def dfdmu(x, mu, sig):
    _ask.put((x, mu, sig))
    a = _answer.get()
    if isinstance(a, BaseException):
        raise a
    return a

def dfdsig(x, mu, sig):
    out = []
    t = threading.Thread(target=lambda: out.append(f(x, mu, sig) * (-1 / sig + (x - mu) ** 2 / sig**3)))
    t.start()
    t.join()
    return out[0]

def steepest_step(x, y, mu, sig, aggression):
    try:
        return _step(x, y, mu, sig, aggression)
    except PermissionError:
        return _step(x, y, mu, sig, aggression)
"""
    g = grade_notebook(notebook(tmp_path, GIVEN_H, kept, name="kept.ipynb"), "heights", timeout=40)
    assert {f.mistake for f in g.functions} == {"raised"}, g.text()
    assert [f.message.split(": ", 1)[1] for f in g.functions] == [
        "symtutor's own compiled derivative is not available to a graded function",
        "starting a thread is not available to a graded function",
        "symtutor's own steepest_step is not available to a graded function"], g.text()
    # the hidden cases can be read from the sandbox's own frames: the engine is gone before the first cell
    peek = """
import sys
from symtutor.assignments import heights as h
_calls = sys._getframe(1).f_locals["job"]["calls"]
_arr = lambda o: np.array(o["data"], dtype=float).reshape(o["shape"])
_table = {_arr(c["args"][0]).tobytes(): h._compiled().dfdmu(_arr(c["args"][0]), *c["args"][1:])
          for c in _calls if c["function"] == "dfdmu"}
def dfdmu(x, mu, sig):
    return _table[x.tobytes()]
"""
    g = grade_notebook(notebook(tmp_path, GIVEN_H, peek, name="peek.ipynb"), "heights", timeout=40)
    assert g.functions[0].score == 0 and "compiled derivative is not available" in g.functions[0].message, g.text()


def test_heights_right_wrong_and_the_other_step_convention(tmp_path):
    wrong = '''
def dfdmu(x, mu, sig):
    return -f(x, mu, sig) * (x - mu) / sig**2
def dfdsig(x, mu, sig):
    return f(x, mu, sig) * (x - mu) ** 2 / sig**3
def steepest_step(x, y, mu, sig, aggression):   # right, given right derivatives; returns the new point
    J = np.array([-2 * (y - f(x, mu, sig)) @ dfdmu(x, mu, sig), -2 * (y - f(x, mu, sig)) @ dfdsig(x, mu, sig)])
    step = -J * aggression
    return (mu + step[0], sig + step[1])
'''
    g = grade_notebook(notebook(tmp_path, GIVEN_H, wrong), "heights", timeout=40)
    assert marks(g) == {"dfdmu": (0, "sign"), "dfdsig": (0, "missing_term"), "steepest_step": (1, None)}, g.text()
    right = grade_notebook(notebook(tmp_path, GIVEN_H, RIGHT_H, name="r.ipynb"), "heights", timeout=40)
    assert right.score == 3, right.text()


HOSTILE = [
    "import os\nos.remove({victim!r})",
    "import shutil\nshutil.rmtree({folder!r})",
    "open({outside!r}, 'w').write('owned')",
    "print(open('/etc/passwd').read()[:10])",
    "import os\nos.system('touch {outside}')",
    "import subprocess\nsubprocess.run(['touch', {outside!r}])",
    "import os\npid = os.fork()\nif pid == 0:\n    os._exit(0)",
    "import socket\ns = socket.socket()\ns.connect(('127.0.0.1', {port}))",
    "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:{port}/')",
    "import ctypes\nctypes.CDLL(None).unlink({victim!r}.encode())",
    "import numpy\nnumpy.sum = lambda *a, **k: 0.0\nnumpy.exp = numpy.sin\nnumpy.linalg.norm = None\nnp = None",
    "for i in range(10**6):\n    print('x' * 1000)",
    "import os\nfor i in range(200):\n    os.write(1, b'y' * 65536)",
    "import os\nos.chdir('/')\nopen('tmp/owned', 'w')",
    "open('scratch-file.txt', 'w').write('mine')\nimport os\nos.remove('scratch-file.txt')",
    "with open('big', 'wb') as fh:\n    for i in range(64):\n        fh.write(b'x' * 2**20)",
    "for i in range(1000):\n    open(f'fill{{i}}', 'wb').write(b'x' * 2**20)",
]


def test_hostile_cells_are_contained_and_the_functions_still_graded(tmp_path):
    folder = tmp_path / "keep"
    folder.mkdir()
    victim = folder / "victim.txt"
    victim.write_text("precious")
    outside = tmp_path / "outside.txt"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    connected = []

    def accept():
        try:
            connected.append(server.accept())
        except OSError:
            pass

    t = threading.Thread(target=accept)
    t.start()
    cells = [GIVEN_H, RIGHT_H] + [h.format(victim=str(victim), folder=str(folder), outside=str(outside), port=port)
                                  for h in HOSTILE]
    g = grade_notebook(notebook(tmp_path, *cells), "heights", timeout=40)
    t.join()
    server.close()
    assert g.score == 3, g.text()
    assert victim.read_text() == "precious" and not outside.exists() and not connected
    kinds = {i.kind for i in g.incidents}
    assert {"file", "process", "network", "native", "numpy", "output", "sandbox"} <= kinds, g.text()
    assert len(g.cell_errors) >= 13
    errors = "\n".join(e for _, e in g.cell_errors)
    assert "writing more than 100 files" in errors and "File too large" in errors, errors
    assert not any("scratch-file" in e for _, e in g.cell_errors)  # its own folder is its own
    assert "13,107,200 bytes straight to its output" in g.text()
    numpy_note = next(i.detail for i in g.incidents if i.kind == "numpy")
    assert "np.exp" in numpy_note and "np.linalg.norm" in numpy_note and "the name np" in numpy_note
    jsonschema.validate(g.to_dict(), schema())


def test_a_notebook_that_loops_forever_is_stopped_and_the_functions_graded(tmp_path):
    g = grade_notebook(notebook(tmp_path, GIVEN_H, "while True:\n    pass", RIGHT_H), "heights", timeout=10)
    assert g.status == "graded" and g.score == 3, g.text()
    assert any("did not finish" in e for _, e in g.cell_errors)


def test_a_notebook_that_will_not_be_stopped_times_out(tmp_path):
    stubborn = "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n        pass"
    g = grade_notebook(notebook(tmp_path, GIVEN_H, RIGHT_H, stubborn), "heights", timeout=4)
    assert g.status == "timed_out" and g.score == 0
    assert {f.mistake for f in g.functions} == {"untested"}
    assert g.seconds < 10
    assert any(i.kind in ("timeout", "cpu") for i in g.incidents)
    assert "the notebook was stopped after 4 s (in cell 2)" in {i.detail for i in g.incidents}, g.text()


def test_memory_hogs_and_crashes_are_reported(tmp_path):
    hog = "x = bytearray(4 * 1024 ** 3)"
    g = grade_notebook(notebook(tmp_path, GIVEN_H, RIGHT_H, hog), "heights", timeout=30, memory=512)
    assert g.status == "graded" and g.score == 3 and any("memory" in e for _, e in g.cell_errors), g.text()
    crash = "import os\nos._exit(3)"
    g = grade_notebook(notebook(tmp_path, GIVEN_H, crash, RIGHT_H, name="c.ipynb"), "heights", timeout=30)
    assert g.status == "graded" and g.score == 3, g.text()
    crashes = [i.detail for i in g.incidents if i.kind == "crash"]
    assert crashes == ["cell 1 ended the notebook's process (exit status 3); the notebook was run again without it"]
    threads = "import threading\nthreading.Thread(target=lambda: [0 for _ in iter(int, 1)]).start()"
    g = grade_notebook(notebook(tmp_path, GIVEN_H, threads, RIGHT_H, name="t.ipynb"), "heights", timeout=30)
    assert g.status == "graded" and g.score == 3, g.text()


def test_a_cell_that_shuts_out_the_alarm_and_a_function_that_ends_the_process_are_left_out(tmp_path):
    deaf = "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass"
    ends = "def steepest_step(x, y, mu, sig, aggression):\n    import os\n    os._exit(3)"
    g = grade_notebook(notebook(tmp_path, GIVEN_H, RIGHT_H.split("def steepest_step")[0], deaf, ends), "heights",
                       timeout=12)
    assert g.status == "graded", g.text()
    assert marks(g) == {"dfdmu": (1, None), "dfdsig": (1, None), "steepest_step": (0, "raised")}, g.text()
    assert "steepest_step ended the notebook's process (exit status 3)" in g.functions[2].message
    assert any(i == 2 and "did not stop when its" in e for i, e in g.cell_errors), g.text()
    assert g.seconds < 14


def test_forged_messages_from_the_notebook_do_not_break_the_grader(tmp_path):
    forge = """import os
fd = int(os.environ["SYMTUTOR_RESULT_FD"])
os.write(fd, b'{"kind": "cell", "index": "x", "error": 1}\\n{"kind": "call", "call": 999, "budget": 0}\\n'
         b'{"kind": "start", "index": "y", "budget": "z"}\\n')
os._exit(5)
"""
    g = grade_notebook(notebook(tmp_path, GIVEN_H, RIGHT_H, forge), "heights", timeout=20)
    assert g.status == "graded" and g.score == 3, g.text()
    jsonschema.validate(g.to_dict(), schema())


def test_the_shipped_notebooks_grade_as_not_written(tmp_path):
    g = grade_notebook(NOTEBOOKS / "2-FittingDistribution.ipynb", "heights", timeout=40)
    assert g.status == "graded" and g.score == 0, g.text()
    assert {f.mistake for f in g.functions} == {"not_written"}


def test_cli_grades_a_folder_as_json_and_unreadable_files(tmp_path, capsys):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "broken.ipynb").write_text("{not json")
    notebook(folder, GIVEN_H, "def dfdmu(x, mu, sig):\n    return f(x, mu, sig) * (x - mu) / sig**2", name="a.ipynb")
    assert main(["grade", str(folder), "--assignment", "heights", "--json", "--timeout", "30"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [Path(g["notebook"]).name for g in out] == ["a.ipynb", "broken.ipynb"]
    for g in out:
        jsonschema.validate(g, schema())
    assert out[0]["score"] == 1 and out[1]["status"] == "unreadable"
    assert main(["grade", str(tmp_path / "nothing.ipynb"), "--assignment", "heights"]) == 3
    assert "no such notebook" in capsys.readouterr().err


def test_grade_notebooks_reports_progress(tmp_path):
    a = notebook(tmp_path, "x = 1", name="a.ipynb")
    seen = []
    grades = grade_notebooks([a, tmp_path / "missing.ipynb"], "heights", timeout=20,
                             progress=lambda done, total, g: seen.append((done, total, g.status)))
    assert seen == [(1, 2, "graded"), (2, 2, "unreadable")]
    assert grades[0].functions[0].mistake == "missing"
    assert os.path.exists(a)


@pytest.mark.skipif(not (os.uname().sysname == "Linux" and os.uname().machine == "x86_64"), reason="x86-64 Linux")
def test_the_kernel_filter_holds_without_the_audit_hook(tmp_path):
    import subprocess
    import sys

    probe = (
        "import os, socket, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent.parent / 'symtutor' / 'grading')!r})\n"
        "import _child\n"
        "assert _child._seccomp()\n"
        "out = []\n"
        "for attempt in (os.fork, socket.socket, lambda: os.kill(os.getppid(), 0)):\n"
        "    try:\n"
        "        attempt()\n"
        "        out.append('allowed')\n"
        "    except PermissionError:\n"
        "        out.append('refused')\n"
        "import threading\n"
        "t = threading.Thread(target=out.append, args=('thread',)); t.start(); t.join()\n"
        "print(out)\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "['refused', 'refused', 'refused', 'thread']", done.stderr


def test_the_audit_hook_refuses_a_folder_outside_whose_descriptor_would_reach_past_it(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "grading_child", Path(__file__).resolve().parent.parent / "symtutor" / "grading" / "_child.py")
    child = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(child)
    scratch, root = tmp_path / "scratch", tmp_path / "python"
    scratch.mkdir()
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "mod.py").write_text("x = 1")
    seen = []
    hook = child._audit_hook(str(scratch), [str(root)], lambda kind, detail: seen.append(kind))
    hook("open", (str(root / "pkg" / "mod.py"), "r", os.O_RDONLY))  # reading a file of the installation
    hook("open", (str(scratch), None, os.O_RDONLY))  # its own folder
    for folder in (root, root / "pkg"):  # os.open(folder) and then os.remove("...", dir_fd=fd)
        with pytest.raises(PermissionError, match="opening the folder"):
            hook("open", (str(folder), None, os.O_RDONLY))
    assert seen == ["file", "file"]


def test_the_progress_bar_draws_on_a_terminal():
    import io

    from symtutor.grading.command import _Bar

    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    bar = _Bar(stream)
    for k in (1, 2, 3, 4):
        bar(k, 4, None)
    assert stream.getvalue().endswith("grading [##############################] 4/4\n")
    quiet = io.StringIO()
    _Bar(quiet)(1, 4, None)
    assert quiet.getvalue() == ""
