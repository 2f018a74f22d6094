"""Load on `symtutor serve`'s /check beside the same checks in-process, in one run.

    python benchmarks/bench_serve.py [--seconds 5] [--requests 50000] [--workers N]

Starts `symtutor serve` on a free loopback port, warms it with one pass over
benchmarks/check_corpus.json, then for 1, 8, 32 and 128 concurrent clients
(raw asyncio sockets with keep-alive, each client sending its next request when the last is
answered) posts the corpus's answers to /api/v1/check for ``--seconds`` and
prints requests/s, p50 and p99 latency, and how many answers were 503s, other
errors, or no answer within 10 s (a hang).  Then it sends ``--requests`` more at
32 clients and prints the resident memory of the server and its workers
before and after.  The baseline is the same corpus checked in this process
with ``symtutor.check`` (one sandbox), one at a time.

The bar: at 32 clients p99 under 100 ms and no errors; at 128, overload
answered with 503s, never a hang; memory flat within 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from symtutor import check

CORPUS = Path(__file__).with_name("check_corpus.json")


def bodies() -> list[dict]:
    out = []
    for p in json.loads(CORPUS.read_text())["pairs"]:
        b = {"answer": p["answer"], "expected": p["expected"], "variables": p["variables"]}
        for k in ("function", "wrt", "mode", "point", "order", "tolerance"):
            if p.get(k) is not None:
                b[k] = (p[k].strip("()").split(",") if isinstance(p[k], str) else [str(c) for c in p[k]]) if k == "point" else p[k]
        out.append(b)
    return out


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def in_process(items) -> list[float]:
    times = []
    for b in items:
        kw = {k: v for k, v in b.items() if k not in ("answer", "expected")}
        t = time.perf_counter()
        check(b["answer"], b["expected"], **kw)
        times.append(time.perf_counter() - t)
    return times


def start_server(workers: int | None, db: Path):
    cmd = [str(Path(sys.executable).with_name("symtutor")), "serve", "--port", "0", "--db", str(db)]
    if workers:
        cmd += ["--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r"(http://[^/]+)/\?token=", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the server did not start: {line!r}")
    threading.Thread(target=proc.stdout.read, daemon=True).start()
    return proc, m.group(1)


def rss(proc) -> int:
    p = psutil.Process(proc.pid)
    return sum(q.memory_info().rss for q in [p, *p.children(recursive=True)])


def encode(host: str, items) -> list[bytes]:
    """Each request once, as the bytes sent on the wire (HTTP/1.1, keep-alive)."""
    out = []
    for b in items:
        body = json.dumps(b).encode()
        out.append(b"POST /api/v1/check HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n%s" % (host.encode(), len(body), body))
    return out


async def _exchange(reader, writer, request: bytes) -> tuple[int, dict]:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers


async def load(base: str, items, clients: int, *, seconds: float | None = None, requests: int | None = None):
    """``clients`` keep-alive connections on raw asyncio sockets (a light client: the server gets the CPU)."""
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    wire = encode(f"{host}:{port}", items)
    lat, codes, hangs = [], {}, 0
    deadline = time.perf_counter() + seconds if seconds else None
    left = [requests or 0]

    async def one(k: int):
        nonlocal hangs
        i = k
        conn = None
        while True:
            if deadline is not None and time.perf_counter() > deadline:
                break
            if requests is not None:
                if left[0] <= 0:
                    break
                left[0] -= 1
            if conn is None:
                conn = await asyncio.open_connection(host, int(port))
            t = time.perf_counter()
            try:
                status, headers = await asyncio.wait_for(_exchange(*conn, wire[i % len(wire)]), 10.0)
                codes[status] = codes.get(status, 0) + 1
                if status == 200:
                    lat.append(time.perf_counter() - t)
                elif status == 503:
                    await asyncio.sleep(float(headers.get("retry-after", "1")) / 10)
                if headers.get("connection") == "close":
                    conn[1].close()
                    conn = None
            except asyncio.TimeoutError:
                hangs += 1
                conn[1].close()
                conn = None
            except (OSError, asyncio.IncompleteReadError):
                codes["conn"] = codes.get("conn", 0) + 1
                conn = None
            i += clients
        if conn is not None:
            conn[1].close()

    t0 = time.perf_counter()
    await asyncio.gather(*(one(k) for k in range(clients)))
    return lat, codes, hangs, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="seconds of load at each level (default 5)")
    ap.add_argument("--requests", type=int, default=50_000, help="requests for the memory run (default 50000)")
    ap.add_argument("--workers", type=int, help="server workers (default: one per core)")
    args = ap.parse_args()
    items = bodies()
    base_times = in_process(items)  # warm
    base_times = in_process(items)
    print(f"in-process symtutor.check over {len(items)} corpus pairs: p50 {pct(base_times, .5) * 1e3:.2f} ms, "
          f"p99 {pct(base_times, .99) * 1e3:.2f} ms, {len(items) / sum(base_times):.0f} checks/s (one at a time)")
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = start_server(args.workers, Path(tmp) / "p.sqlite3")
        try:
            asyncio.run(load(base, items, 4, requests=len(items) * 3))  # warm every worker's caches
            print(f"{'clients':>7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'200':>7} {'503':>7} {'other':>6} {'hangs':>6}"
                  f" {'p50 vs in-process':>18}")
            for clients in (1, 8, 32, 128):
                lat, codes, hangs, elapsed = asyncio.run(load(base, items, clients, seconds=args.seconds))
                ok = codes.get(200, 0)
                other = sum(v for k, v in codes.items() if k not in (200, 503))
                print(f"{clients:7d} {ok / elapsed:8.0f} {pct(lat, .5) * 1e3:8.2f} {pct(lat, .99) * 1e3:8.2f} "
                      f"{ok:7d} {codes.get(503, 0):7d} {other:6d} {hangs:6d} "
                      f"{pct(lat, .5) / pct(base_times, .5):17.1f}x")
            before = rss(proc)
            lat, codes, hangs, elapsed = asyncio.run(load(base, items, 32, requests=args.requests))
            after = rss(proc)
            print(f"memory (server + workers, RSS): {before / 2**20:.1f} MB before, {after / 2**20:.1f} MB after "
                  f"{args.requests} requests at 32 clients ({(after - before) / before:+.1%}); "
                  f"{args.requests / elapsed:.0f} req/s, p99 {pct(lat, .99) * 1e3:.1f} ms, codes {codes}, hangs {hangs}")
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
