"""`symtutor serve` started as the README says, on a free loopback port: the API against its own
OpenAPI schema and against the library called in-process, and hostile requests."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import sympy as sp

import symtutor as st
from symtutor.progress import ProgressStore

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
jsonschema = pytest.importorskip("jsonschema")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("symtutor")
    return [str(script)] if script.exists() else [sys.executable, "-c", "import sys; from symtutor.cli import main; sys.exit(main())"]


class Server:
    """A `symtutor serve` subprocess; ``url`` is the line it printed (with its token)."""

    def __init__(self, *args: str, db: Path, port: int | None = None):
        self.port = port or free_port()
        self.db = db
        self.log = db.with_name(f"serve-{self.port}.log")
        with open(self.log, "w") as err:
            self.proc = subprocess.Popen(
                [*_command(), "serve", "--port", str(self.port), "--db", str(db), *args],
                stdout=subprocess.PIPE, stderr=err, text=True,
            )
        self._drain = None
        self.url = self._wait_for_url()
        self.token = re.search(r"token=([\w-]+)", self.url).group(1)
        self.base = self.url.split("/?", 1)[0]

    def _wait_for_url(self) -> str:
        found = []

        def read():
            for line in self.proc.stdout:
                if line.startswith("symtutor serve: "):
                    found.append(line.split(": ", 1)[1].strip())
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(60)
        if not found:
            self.stop()
            raise AssertionError("symtutor serve did not print its URL: " + self.log.read_text())
        self._drain = threading.Thread(target=self.proc.stdout.read, daemon=True)  # keep the pipe drained
        self._drain.start()
        return found[0]

    def request(self, method: str, path: str, body=None, *, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"content-type": "application/json"} if data is not None else {}
        h.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:  # loopback only
                return r.status, dict(r.headers), json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            payload = e.read()
            try:
                return e.code, dict(e.headers), json.loads(payload)
            except ValueError:
                return e.code, dict(e.headers), payload

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._drain is not None:
            self._drain.join(5)
        self.proc.stdout.close()


@contextmanager
def running(*args: str, db: Path, port: int | None = None):
    server = Server(*args, db=db, port=port)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    db = tmp_path_factory.mktemp("serve") / "progress.sqlite3"
    with running("--workers", "2", "--client-timeout", "2", db=db) as s:
        yield s


@pytest.fixture(scope="module")
def schema(server):
    status, _, doc = server.request("GET", "/api/v1/openapi.json")
    assert status == 200
    return doc


def conforms(doc: dict, path: str, method: str, payload, status: int = 200) -> None:
    """The payload matches the response schema the server publishes for this route."""
    op = doc["paths"][path][method]
    s = op["responses"][str(status)]["content"]["application/json"]["schema"]
    validator = jsonschema.Draft202012Validator({**s, "components": doc["components"]})
    validator.validate(payload)


# ---------------------------------------------------------------- the API


def test_check_an_exercise_by_id_marks_as_the_library_does(server, schema):
    ex = st.generate("chain_rule", seed=4, difficulty=2)
    for answer in (ex.answer_text, f"-({ex.answer_text})", ex.answer_text + " + 1", "x +"):
        status, _, fb = server.request("POST", "/api/v1/check", {"exercise_id": ex.id, "answer": answer})
        assert status == 200
        conforms(schema, "/api/v1/check", "post", fb)
        oracle = ex.check(answer)
        assert (fb["status"], fb["correct"], fb["diagnosis"], fb["message"]) == (
            oracle.status, oracle.correct, oracle.diagnosis, oracle.message)
    assert st.check(ex.answer_text, ex.answer, variables=ex.variables).correct


def test_check_against_a_given_expected_answer_names_the_mistake(server, schema):
    body = {"answer": "cos(x^2)", "expected": "2x cos(x^2)", "function": "sin(x^2)", "wrt": "x"}
    status, _, fb = server.request("POST", "/api/v1/check", body)
    assert status == 200 and fb["diagnosis"] == "chain_rule_inner_missing" and not fb["correct"]
    conforms(schema, "/api/v1/check", "post", fb)
    status, _, fb = server.request("POST", "/api/v1/check", {"answer": "1.0631", "expected": "log(2) + 0.37",
                                                             "mode": "numeric"})
    assert fb["correct"] is True and st.check("1.0631", "log(2) + 0.37", mode="numeric").correct


def test_validate_shows_readings_and_never_marks(server, schema):
    status, _, v = server.request("POST", "/api/v1/validate", {"answer": "e^2x", "variables": ["x"]})
    assert status == 200
    conforms(schema, "/api/v1/validate", "post", v)
    assert v["status"] == "ambiguous" and "correct" not in v
    assert [r["text"] for r in v["readings"]] == [t for t, _ in st.validate("e^2x", variables="x").readings]
    _, _, v = server.request("POST", "/api/v1/validate", {"answer": "2x cos(x^2)", "variables": ["x"]})
    assert v["status"] == "ok" and st.parse(v["text"], variables="x") == st.parse("2x cos(x^2)", variables="x")
    _, _, v = server.request("POST", "/api/v1/validate", {"answer": "2x +"})
    assert v["status"] == "invalid" and v["message"]


def test_exercise_is_the_same_bytes_for_the_same_seed_and_the_library_s(server, schema):
    q = "/api/v1/exercise?topic=gradient&difficulty=2&seed=11"
    first = server.request("GET", q)
    assert first[0] == 200 and first[2] == server.request("GET", q)[2]
    conforms(schema, "/api/v1/exercise", "get", first[2])
    ex = st.generate("gradient", seed=11, difficulty=2)
    assert first[2]["prompt"] == ex.prompt and first[2]["answer"]["text"] == ex.answer_text


def test_steps_tree_results_equal_sympy_s_derivatives(server, schema):
    status, _, d = server.request("POST", "/api/v1/steps", {"expr": "x^2 sin(x) + exp(3x)", "variables": "x"})
    assert status == 200
    conforms(schema, "/api/v1/steps", "post", d)
    x = sp.Symbol("x")
    assert sp.simplify(st.parse(d["result"]["text"]) - sp.diff(x**2 * sp.sin(x) + sp.exp(3 * x), x)) == 0
    assert d["tree"]["rule"] == "sum rule" and "\\" in d["latex"]
    _, _, h = server.request("POST", "/api/v1/steps", {"kind": "hessian", "expr": "x^3 y^2", "variables": ["x", "y"]})
    assert h["mirrored"] == [[1, 0]] and len(h["entries"]) == 2


def test_practice_turns_are_recorded_in_the_store_under_the_learner(server, schema):
    status, _, s = server.request("POST", "/api/v1/practice", {"learner": "ada", "count": 2, "topics": ["power_rule"]})
    assert status == 200
    conforms(schema, "/api/v1/practice", "post", s)
    ex = st.generate("power_rule", seed=s["exercise"]["seed"], difficulty=s["exercise"]["difficulty"])
    assert "answer" not in s["exercise"] or s["exercise"]["answer"] is None
    sid = s["session"]
    _, _, s = server.request("POST", f"/api/v1/practice/{sid}/turn", {"action": "hint"})
    assert s["hints_taken"] == [ex.hints[0]]
    _, _, s = server.request("POST", f"/api/v1/practice/{sid}/turn", {"action": "answer", "answer": ex.answer_text})
    assert s["last"]["feedback"]["correct"] and s["exercise_done"] and s["score"] == 0.75
    assert server.request("POST", f"/api/v1/practice/{sid}/turn", {"action": "answer", "answer": "1"})[0] == 409
    _, _, s = server.request("POST", f"/api/v1/practice/{sid}/turn", {"action": "next"})
    _, _, s = server.request("POST", f"/api/v1/practice/{sid}/turn", {"action": "skip"})
    _, _, s = server.request("POST", f"/api/v1/practice/{sid}/turn", {"action": "next"})
    assert s["summary"]["exercises"] == 2 and s["exercise"] is None
    with ProgressStore(server.db) as store:
        mine = [a for a in store.attempts() if a.session.startswith("ada/")]
    assert [a.status for a in mine] == ["correct", "skipped"] and mine[0].hints == 1
    status, _, p = server.request("GET", "/api/v1/progress?learner=ada")
    conforms(schema, "/api/v1/progress", "get", p)
    assert p["attempts"] == 2 and [h["status"] for h in p["history"]] == ["correct", "skipped"]
    assert server.request("GET", "/api/v1/progress?learner=nobody")[2]["attempts"] == 0


# ---------------------------------------------------------------- hostile requests


def test_bad_bodies_get_a_4xx(server):
    post = lambda raw, **h: server.request("POST", "/api/v1/check", raw=raw, headers=h)  # noqa: E731
    assert post(b'{"answer": ')[0] == 400
    assert post(b"[1, 2]")[0] == 422
    assert post(json.dumps({"answer": "x", "expected": "x", "eval": "1"}).encode())[0] == 422
    assert post(json.dumps({"answer": "x"}).encode())[0] == 422  # neither exercise_id nor expected
    assert post(json.dumps({"answer": "x" * 5000, "expected": "x"}).encode())[0] == 422
    assert post(json.dumps({"answer": "x", "exercise_id": "../../etc-1-1"}).encode())[0] == 422
    assert post(json.dumps({"answer": "x", "exercise_id": "nope-1-1"}).encode())[0] == 422
    assert _send_big(server, b"Content-Length: %d\r\n" % (10 * 2**20), chunked=False).startswith(b"HTTP/1.1 413")
    assert server.request("GET", "/api/v1/exercise?topic=power_rule&bogus=1")[0] == 422
    assert server.request("GET", "/api/v1/exercise?topic=power_rule&seed=-1")[0] == 422
    assert server.request("POST", "/api/v1/practice/nope/turn", {"action": "hint"})[0] == 404


def _raw(server, data: bytes, *, read_timeout: float = 10.0) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except socket.timeout:
            pass
        return out


def _send_big(server, framing: bytes, *, chunked: bool) -> bytes:
    """Send a 10 MB body (unless the server answers and closes first); the server's reply."""
    head = b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + framing + b"\r\n"
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(head)
        try:
            for _ in range(160):
                s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
        except OSError:
            pass
        try:
            return s.recv(65536)
        except OSError:
            return b""


def test_a_10_mb_chunked_body_is_cut_off_while_streaming(server):
    assert _send_big(server, b"Transfer-Encoding: chunked\r\n", chunked=True).startswith(b"HTTP/1.1 413")


def test_path_traversal_on_static_files_finds_nothing(server):
    for target in ("/static/../../app.py", "/static/%2e%2e/%2e%2e/server/app.py", "/static/..%2f..%2fpyproject.toml",
                   "/static/vendor/../../../cli.py", "/static//etc/passwd", "/static/%00"):
        reply = _raw(server, b"GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % target.encode())
        status = int(reply.split(b" ", 2)[1])
        assert 400 <= status < 500, (target, reply[:200])
        assert b"import" not in reply and b"root:" not in reply
    reply = _raw(server, b"GET /static/vendor/mathlive/LICENSE.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200") and b"Permission is hereby granted" in reply


def test_a_slow_client_is_dropped_and_others_are_served_meanwhile(server):
    slow = []
    for _ in range(20):  # slowloris: heads that never end
        s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        s.sendall(b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
        slow.append(s)
    body_slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    body_slow.sendall(b"POST /api/v1/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100\r\n\r\n{")
    t0 = time.monotonic()
    status, _, fb = server.request("POST", "/api/v1/check", {"answer": "2x", "expected": "2*x"})
    assert status == 200 and fb["correct"] and time.monotonic() - t0 < 5
    try:
        for s in slow:
            assert s.recv(100) == b""  # closed by the server, within its client timeout
        assert body_slow.recv(200).startswith(b"HTTP/1.1 408")
        assert time.monotonic() - t0 < 8
    finally:
        for s in [*slow, body_slow]:
            s.close()


def test_a_foreign_host_header_is_refused_on_loopback(server):
    status, _, err = server.request("GET", "/api/v1/topics", headers={"Host": "attacker.example"})
    assert status == 403 and err["error"] == "forbidden_host"
    assert server.request("GET", "/api/v1/topics")[0] == 200


def test_bound_beyond_loopback_every_request_needs_the_token_and_overload_is_a_503(tmp_path):
    with running("--host", "0.0.0.0", "--workers", "1", "--queue", "0", db=tmp_path / "p.sqlite3") as srv:
        srv.base = f"http://127.0.0.1:{srv.port}"
        assert "0.0.0.0" in srv.url
        for path in ("/", "/api/v1/topics", "/api/v1/openapi.json", "/static/app.js"):
            status, headers, _ = srv.request("GET", path)
            assert status == 401, path
        assert srv.request("GET", "/api/v1/topics", headers={"Authorization": "Bearer wrong"})[0] == 401
        auth = {"Authorization": f"Bearer {srv.token}"}
        assert srv.request("GET", "/api/v1/topics", headers=auth)[0] == 200
        # the token in the URL becomes a cookie, and leaves the address bar
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        with opener.open(f"{srv.base}/?token={srv.token}", timeout=30) as r:
            assert r.status == 200 and r.url == f"{srv.base}/" and b"math-field" in r.read()
        with opener.open(f"{srv.base}/api/v1/topics", timeout=30) as r:
            assert r.status == 200
        # one worker and no queue: concurrent checks beyond it are turned away at once, with Retry-After
        results = []

        def one(i):
            results.append(srv.request("POST", "/api/v1/check", {"answer": f"{i} x^2 sin(x) exp(x)",
                                                                  "expected": "x^2 sin(x) exp(x)"}, headers=auth))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        codes = sorted(r[0] for r in results)
        assert len(codes) == 24 and set(codes) <= {200, 503} and 503 in codes and 200 in codes
        assert all(r[1].get("retry-after") == "1" for r in results if r[0] == 503)


def test_the_server_is_still_serving_after_all_that(server):
    status, _, fb = server.request("POST", "/api/v1/check", {"exercise_id": "power_rule-1-7", "answer": "-18x^5"})
    assert status == 200 and fb["correct"]
    assert server.proc.poll() is None


def test_a_mistake_in_the_command_is_one_line_and_exit_code_3(tmp_path):
    for args in (["--port", "99999"], ["--db", "/proc/none/p.sqlite3"], ["--workers", "0"]):
        r = subprocess.run([*_command(), "serve", *args], capture_output=True, text=True, timeout=60)
        assert r.returncode == 3 and r.stderr.startswith("symtutor: error: ") and r.stderr.count("\n") == 1, r.stderr


def test_wrong_types_are_not_coerced(server):
    post = lambda body: server.request("POST", "/api/v1/check", body)[0]  # noqa: E731
    assert post({"answer": "x", "expected": "x", "order": True}) == 422
    assert post({"answer": "x", "expected": "x", "order": "2"}) == 422
    assert post({"answer": "x", "expected": "x", "order": 2}) == 200
    assert server.request("POST", "/api/v1/practice", {"difficulty": "1"})[0] == 422
    assert server.request("POST", "/api/v1/practice", {"count": 1.5})[0] == 422


def test_the_schema_documents_every_answer_a_route_gives(server, schema):
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    assert {} in schema["security"]
    status, _, err = server.request("POST", "/api/v1/practice/nope/turn", {"action": "hint"})
    conforms(schema, "/api/v1/practice/{sid}/turn", "post", err, 404)
    conforms(schema, "/api/v1/practice/{sid}", "get", server.request("GET", "/api/v1/practice/nope")[2], 404)
    _, _, s = server.request("POST", "/api/v1/practice", {"count": 1, "topics": ["power_rule"]})
    server.request("POST", f"/api/v1/practice/{s['session']}/turn", {"action": "skip"})
    status, _, err = server.request("POST", f"/api/v1/practice/{s['session']}/turn", {"action": "hint"})
    assert status == 409
    conforms(schema, "/api/v1/practice/{sid}/turn", "post", err, 409)
    reply = _raw(server, b"POST /api/v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 12\r\nConnection: close\r\n\r\n" + b"[" * 12)
    assert reply.startswith(b"HTTP/1.1 400")
    conforms(schema, "/api/v1/check", "post", json.loads(reply.split(b"\r\n\r\n", 1)[1]), 400)
    assert _raw(server, b"HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_a_closed_connection_ends_even_when_a_worker_was_replaced_meanwhile(server):
    # a derivation that runs out of time: its worker is killed and a successor forked while this
    # connection is open; the successor must not keep the connection open after the server closed it
    n = 26
    body = json.dumps({"kind": "hessian", "expr": "*".join(f"sin(x{i})" for i in range(n)),
                       "variables": ",".join(f"x{i}" for i in range(n))}).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=20) as s:
        s.sendall(b"POST /api/v1/steps HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
        out = b""
        t0 = time.monotonic()
        while chunk := s.recv(65536):  # a socket.timeout here is the bug: the connection never ends
            out += chunk
        assert time.monotonic() - t0 < 15
    assert out.startswith((b"HTTP/1.1 422", b"HTTP/1.1 200"))
    assert server.request("GET", "/api/v1/topics")[0] == 200


def test_bound_to_another_loopback_address_it_answers_to_that_name(tmp_path):
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.2", 0))
    except OSError:
        pytest.skip("127.0.0.2 is not available here")
    with running("--host", "127.0.0.2", "--workers", "1", db=tmp_path / "p.sqlite3") as srv:
        assert srv.base.startswith("http://127.0.0.2:")
        assert srv.request("GET", "/api/v1/topics")[0] == 200  # the URL it printed works, no token on loopback
        status, _, err = srv.request("GET", "/api/v1/topics", headers={"Host": "attacker.example"})
        assert status == 403 and err["error"] == "forbidden_host"
