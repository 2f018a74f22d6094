"""The child side of the notebook sandbox: run a submitted notebook's code, then call its graded functions.

This file runs as a script in its own ``python -I`` process (never imported by symtutor).  It reads
``job.json`` from its working folder (the scratch folder), sets its resource limits, installs an audit
hook that refuses anything beyond the scratch folder (files outside it, sockets, new processes, native
code), runs the code cells one by one, and then calls each graded function on the hidden cases with the
notebook's given helpers replaced by reference ones, watching (a profile function) that it runs none of
symtutor's own code and starts no thread.  Everything it learns goes back as JSON lines on the
file descriptor named by ``SYMTUTOR_RESULT_FD``; the learner's own output is capped and dropped.
"""

import json
import os
import signal
import sys

_write = os.write
_RESULT_FD = -1  # set by main() from SYMTUTOR_RESULT_FD
_dumps = json.dumps


def _send(obj):
    data = (_dumps(obj) + "\n").encode()
    view = memoryview(data)
    while view:
        try:
            n = _write(_RESULT_FD, view)
        except OSError:
            return
        view = view[n:]


def _limits(job):
    import resource

    mem = int(job["memory_bytes"])
    for res, value in ((resource.RLIMIT_AS, mem), (resource.RLIMIT_CPU, int(job["cpu_seconds"])),
                       (resource.RLIMIT_FSIZE, int(job["file_bytes"])), (resource.RLIMIT_CORE, 0)):
        try:
            resource.setrlimit(res, (value, value))
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an over-long file write fails instead of killing


def _seccomp():
    """A kernel filter (x86-64 Linux): no fork, exec or sockets, and signals only to itself.

    The audit hook refuses these too; the filter holds even against code that gets round the hook.
    Threads stay allowed (clone with CLONE_THREAD).  Returns whether the filter is on.
    """
    import ctypes
    import platform
    import struct

    if sys.platform != "linux" or platform.machine() != "x86_64":
        return False
    pid = os.getpid()
    allow, eperm, enosys = 0x7FFF0000, 0x00050000 | 1, 0x00050000 | 38
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06
    # (code, jump-if-true label, jump-if-false label, k); labels are resolved below
    prog = [
        (ld, None, None, 4), (jeq, None, "allow", 0xC000003E),  # arch: x86-64 only
        (ld, None, None, 0),
        *[(jeq, "eperm", None, nr) for nr in (57, 58, 59, 322, 41, 42, 49, 53, 101, 310, 311)],
        (jeq, "enosys", None, 435),  # clone3: the C library then uses clone, filtered next
        (jeq, "clone", None, 56),
        *[(jeq, "self", None, nr) for nr in (62, 200, 234)],  # kill, tkill, tgkill
        (ret, None, None, allow),
        ("clone", ld, None, None, 16), (jset, "allow", "eperm", 0x00010000),
        ("self", ld, None, None, 16), (jeq, "allow", "eperm", pid),
        ("allow", ret, None, None, allow), ("eperm", ret, None, None, eperm), ("enosys", ret, None, None, enosys),
    ]
    labels, rows = {}, []
    for row in prog:
        if isinstance(row[0], str):
            labels[row[0]] = len(rows)
            row = row[1:]
        rows.append(row)
    code = b""
    for i, (op, jt, jf, k) in enumerate(rows):
        t = labels[jt] - i - 1 if jt else 0
        f = labels[jf] - i - 1 if jf else 0
        code += struct.pack("HBBI", op, t, f, k)
    buf = ctypes.create_string_buffer(code)
    fprog = struct.pack("HxxxxxxQ", len(rows), ctypes.addressof(buf))
    fbuf = ctypes.create_string_buffer(fprog)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return False
    return libc.prctl(22, 2, ctypes.addressof(fbuf), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def _no_more_processes():
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
    except (ValueError, OSError):
        pass


class _Capped:
    """sys.stdout / sys.stderr for the learner's code: keeps a count, drops everything past the cap."""

    def __init__(self, cap, flood):
        self.cap, self.count, self.flood = cap, 0, flood

    def write(self, s):
        n = len(s) if isinstance(s, str) else 0
        self.count += n
        if self.count > self.cap:
            self.flood()
        return n

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    encoding = "utf-8"


def _audit_hook(scratch, read_roots, record, permit=(False,)):
    """Refuse files outside scratch (reads: also the Python installation), sockets, processes, native code.

    ``permit[0]`` true lets this process (never the notebook: it is false while the notebook's code runs) set the
    profile function that watches the graded calls.
    """
    scratch = scratch.rstrip("/")
    roots = tuple(r.rstrip("/") for r in read_roots)
    fspath, perm, isdir = os.fspath, PermissionError, os.path.isdir
    # builtins bound here: the notebook may rebind the names in builtins, never these
    _isinstance, _len, _any, _str, _bytes, _int, _type_error = isinstance, len, any, str, bytes, int, TypeError

    def norm(p):
        if _isinstance(p, _bytes):
            p = p.decode("utf-8", "replace")
        if not p.startswith("/"):
            p = scratch + "/" + p
        parts = []
        for part in p.split("/"):
            if part in ("", "."):
                continue
            if part == "..":
                if parts:
                    parts.pop()
                continue
            parts.append(part)
        return "/" + "/".join(parts)

    def inside(p, root):
        return p == root or p.startswith(root + "/")

    def path_of(arg):
        if _isinstance(arg, _int) or arg is None:
            return None
        try:
            return norm(fspath(arg))
        except _type_error:
            return "?"

    written, max_files = [0], 100  # with RLIMIT_FSIZE, a bound on what the notebook can put on disk

    def refuse(kind, detail):
        record(kind, detail)
        raise perm(f"{detail}: not allowed while grading")

    blocked_process = {"os.fork", "os.forkpty", "os.exec", "os.posix_spawn", "os.spawn", "os.system",
                       "subprocess.Popen", "pty.spawn", "os.kill", "os.killpg", "signal.pthread_kill"}
    blocked_native = {"ctypes.dlopen", "ctypes.dlsym", "ctypes.cdata", "ctypes.string_at", "ctypes.wstring_at",
                      "ctypes.call_function", "ctypes.addressof"}
    blocked_intro = {"gc.get_objects", "gc.get_referrers", "gc.get_referents", "sys.addaudithook",
                     "os.chdir", "os.chroot", "os.symlink", "os.link", "sys.setprofile", "sys.settrace"}
    writes = {"os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate", "os.utime",
              "os.chflags", "os.lchflags", "os.setxattr", "os.removexattr", "shutil.rmtree", "os.mkfifo",
              "os.mknod"}
    reads = {"os.listdir", "os.scandir", "glob.glob", "os.getxattr", "os.listxattr"}
    modules = {"_posixsubprocess", "_multiprocessing", "ctypes", "_ctypes", "pty", "mmap", "_xxsubinterpreters",
               "faulthandler", "resource"}

    def hook(event, args):
        if event == "open":
            path = path_of(args[0])
            if path is None:
                return
            mode = args[1] if _len(args) > 1 and _isinstance(args[1], _str) else "r"
            flags = args[2] if _len(args) > 2 and _isinstance(args[2], _int) else 0
            writing = _any(c in mode for c in "wax+") or flags & 0o3 or flags & 0o100 or flags & 0o1000
            if inside(path, scratch):
                if writing:
                    written[0] += 1
                    if written[0] > max_files:
                        refuse("file", f"writing more than {max_files} files")
                return
            if not writing and (path in ("/dev/null", "/dev/urandom") or _any(inside(path, r) for r in roots)):
                if isdir(path):  # a folder's descriptor would let dir_fd= reach past the paths checked here
                    refuse("file", f"opening the folder {path} (outside the notebook's folder)")
                return
            refuse("file", f"{'writing' if writing else 'reading'} {path} (outside the notebook's folder)")
        elif event in writes:
            path = path_of(args[0]) if args else "?"
            if path is None or inside(path, scratch):
                return
            refuse("file", f"{event.split('.')[-1]} on {path} (outside the notebook's folder)")
        elif event == "os.rename":
            for a in args[:2]:
                path = path_of(a)
                if path is not None and not inside(path, scratch):
                    refuse("file", f"rename of {path} (outside the notebook's folder)")
        elif event in reads:
            path = path_of(args[0]) if args else None
            if path is None or inside(path, scratch) or _any(inside(path, r) for r in roots):
                return
            refuse("file", f"listing {path} (outside the notebook's folder)")
        elif event.startswith("socket."):
            refuse("network", f"network access ({event})")
        elif event in blocked_process:
            refuse("process", f"starting or signalling a process ({event})")
        elif event in blocked_native:
            refuse("native", f"native code ({event})")
        elif event == "sys.setprofile" and permit[0]:
            return
        elif event in blocked_intro:
            refuse("sandbox", f"{event}")
        elif event == "import" and args and args[0] in modules:
            refuse("sandbox", f"importing {args[0]}")
        elif event in ("urllib.Request", "http.client.connect", "ftplib.connect", "smtplib.connect",
                       "telnetlib.Telnet.open", "webbrowser.open"):
            refuse("network", f"network access ({event})")

    return hook


class _NoShell:
    """get_ipython() for a notebook run as plain Python: every magic is a no-op."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _withheld(name):
    def withheld(*args, **kwargs):
        raise PermissionError(f"symtutor's own {name} is not available to a graded function")

    return withheld


def _disarm(compiled):
    """Every function of symtutor's own, and the engine's ``compiled`` derivatives, raise from now on, however kept.

    A reference the notebook kept, or a thread it left running, still reaches the same function object, and
    it is the function's code that is replaced.
    """
    import types

    targets = [(fn, "compiled derivative") for fn in compiled]
    for name, mod in list(sys.modules.items()):
        if name != "symtutor" and not name.startswith("symtutor."):
            continue
        for value in list(vars(mod).values()):
            for v in [value, *vars(value).values()] if isinstance(value, type) else [value]:
                if isinstance(v, types.FunctionType) and getattr(v, "__module__", None) == name:
                    targets.append((v, v.__name__))
    for fn, what in targets:
        _refuse(fn, what)


def _refuse(fn, what):
    """Make ``fn`` raise PermissionError from now on, for every reference to it (its code is replaced)."""
    import types

    if not isinstance(fn, types.FunctionType) or fn.__code__.co_freevars:
        return
    message = f"symtutor's own {what} is not available to a graded function"
    space = {}
    source = f"def withheld(*args, **kwargs):\n    raise PermissionError({message!r})"
    exec(compile(source, "<withheld>", "exec"), space)  # safe: a constant stub of ours, no learner text
    try:
        fn.__code__ = space["withheld"].__code__
    except (ValueError, TypeError):
        pass


def _withhold_answers(assignment):
    """Before the notebook runs: symtutor's answers to this assignment are out of its reach from the start.

    Otherwise a cell could compute them (for the hidden cases, which a cell can read from this process) while
    the engine is still there.  The training and the descent the notebook runs still work; its in-notebook
    check, which compares with those answers, says it does not run while grading.
    """

    class NotWhileGrading:
        def __init__(self, *args, **kwargs):
            pass

        def __str__(self):
            return "(the in-notebook check does not run while the notebook is graded)"

    if assignment == "backprop":
        mod = sys.modules.get("symtutor.assignments.backprop")
        names = ("jacobians", "_backprop", "_variant", "diagnose")
    else:
        mod = sys.modules.get("symtutor.assignments.heights")
        names = ("jacobian", "steepest_step", "_derivatives", "fit", "diagnose_derivative", "diagnose_step")
    if mod is None:
        return
    for n in names:
        _refuse(getattr(mod, n, None), n)
    mod.check = NotWhileGrading
    if assignment == "heights":
        compiled = mod._compiled()  # f stays (the descent's χ² needs it); the derivatives go
        for n in ("dfdmu", "dfdsig"):
            _refuse(getattr(compiled, n), "compiled derivative")
        _refuse(getattr(mod._compiled, "__wrapped__", None), "_compiled")


class _Overtime(BaseException):
    pass


def _on_alarm(signum, frame):
    raise _Overtime()


def _decode(obj):
    import numpy as np

    if isinstance(obj, dict) and "shape" in obj:
        return np.array(obj["data"], dtype=float).reshape(obj["shape"])
    if isinstance(obj, list):
        return [_decode(o) for o in obj]
    return obj


def _reference_backprop(ns, np):
    exp, cosh = np.exp, np.cosh

    def sigma(z):
        return 1 / (1 + exp(-z))

    def d_sigma(z):
        return cosh(z / 2) ** (-2) / 4

    def network_function(a0):
        z1 = ns["W1"] @ a0 + ns["b1"]
        a1 = sigma(z1)
        z2 = ns["W2"] @ a1 + ns["b2"]
        a2 = sigma(z2)
        z3 = ns["W3"] @ a2 + ns["b3"]
        a3 = sigma(z3)
        return a0, z1, a1, z2, a2, z3, a3

    return {"sigma": sigma, "d_sigma": d_sigma, "network_function": network_function}


def _reference_heights(ns, np):
    exp, sqrt, pi = np.exp, np.sqrt, np.pi

    def f(x, mu, sig):
        return exp(-((x - mu) ** 2) / (2 * sig**2)) / sqrt(2 * pi) / sig

    def dfdmu(x, mu, sig):
        return f(x, mu, sig) * (x - mu) / sig**2

    def dfdsig(x, mu, sig):
        return f(x, mu, sig) * (-1 / sig + (x - mu) ** 2 / sig**3)

    return {"f": f, "dfdmu": dfdmu, "dfdsig": dfdsig}


def _strip_magics(source):
    lines = []
    for line in source.splitlines():
        s = line.lstrip()
        lines.append("" if s.startswith(("%", "!")) else line)
    return "\n".join(lines)


def main():
    global _RESULT_FD
    import time

    _RESULT_FD = int(os.environ["SYMTUTOR_RESULT_FD"])

    clock = time.monotonic
    start = clock()
    with open("job.json", encoding="utf-8") as fh:
        job = json.load(fh)
    os.remove("job.json")
    scratch = os.getcwd()
    _limits(job)

    import numpy as np  # imported before the hook: its own setup reads files and loads libraries

    for name in job.get("preload", ()):
        try:
            __import__(name)
        except Exception:
            pass
    try:
        _withhold_answers(job["assignment"])
    except Exception:
        pass
    np_module = np
    np_parts = [np, np.linalg, np.random, np.fft]
    np_snapshots = [dict(vars(m)) for m in np_parts]
    import builtins

    builtins_snapshot = dict(vars(builtins))

    incidents = []

    def record(kind, detail):
        if len(incidents) < 50 and (kind, detail) not in incidents:
            incidents.append((kind, detail))

    def flush_incidents():
        while incidents:
            kind, detail = incidents.pop(0)
            _send({"kind": "incident", "type": kind, "detail": detail})

    flooded = []

    def flood():
        if not flooded:
            flooded.append(True)
            record("output", f"the notebook printed more than {job['output_chars']:,} characters; the rest was dropped")

    out = _Capped(int(job["output_chars"]), flood)
    sys.stdout = sys.stderr = out
    # the fork-and-exec primitive has no audit event of its own: take it out of reach
    sys.modules.pop("_posixsubprocess", None)
    if "subprocess" in sys.modules:
        sys.modules["subprocess"]._posixsubprocess = None
    ns = {"__name__": "__main__", "__builtins__": __builtins__, "display": lambda *a, **k: None,
          "get_ipython": lambda: _NoShell()}
    read_roots = [p for p in sys.path if p and os.path.isabs(p)] + list(job.get("read_roots", ()))
    _no_more_processes()
    try:
        filtered = _seccomp()
    except Exception:
        filtered = False
    if not filtered:
        record("sandbox", "the kernel filter on processes and sockets is not available here; the audit hook stands alone")
    permit = [False]
    sys.addaudithook(_audit_hook(scratch, read_roots, record, permit))
    signal.signal(signal.SIGALRM, _on_alarm)
    setitimer, ITIMER_REAL = signal.setitimer, signal.ITIMER_REAL

    deadline = float(job["notebook_seconds"])  # from the start of this process
    budget = deadline
    for index, source in job["cells"]:
        left = deadline - (clock() - start)
        if left <= 0:
            _send({"kind": "cell", "index": index, "error": "skipped: the notebook's time ran out"})
            continue
        budget = min(left, deadline * 0.4)  # one cell that loops leaves time for the cells after it
        # the parent stops a cell that outlives its budget (one that shuts out the alarm) and runs the notebook
        # again without it
        _send({"kind": "start", "index": index, "budget": budget})
        try:
            code = compile(_strip_magics(source), f"<cell {index}>", "exec")
            setitimer(ITIMER_REAL, budget)
            try:
                exec(code, ns)  # safe: the learner's cell, run on purpose in this sandboxed child
            finally:
                setitimer(ITIMER_REAL, 0)
        except _Overtime:
            _send({"kind": "cell", "index": index, "error": f"did not finish within {budget:.3g} s; stopped"})
        except MemoryError:
            _send({"kind": "cell", "index": index, "error": "ran out of memory"})
        except SystemExit:
            _send({"kind": "cell", "index": index, "error": "called exit(); the rest of the cell was skipped"})
        except BaseException as exc:
            _send({"kind": "cell", "index": index, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})
        flush_incidents()

    # undo what the notebook did to numpy before the graded functions run
    changed = []
    for part, snapshot in zip(np_parts, np_snapshots):
        prefix = part.__name__.replace("numpy", "np")
        now = vars(part)
        names = sorted(k for k, v in snapshot.items() if now.get(k) is not v)  # replaced or deleted
        for k in names:
            setattr(part, k, snapshot[k])
        changed += [f"{prefix}.{k}" for k in names]
    if sys.modules.get("numpy") is not np_module:
        changed.append("the module itself")
        sys.modules["numpy"] = np_module
    for k, v in list(ns.items()):
        if k in ("np", "numpy") and v is not np_module:
            changed.append(f"the name {k}")
            ns[k] = np_module
    if changed:
        record("numpy", "the notebook changed numpy (" + ", ".join(changed[:5]) + "); it was restored before testing")
    touched = sorted(k for k, v in builtins_snapshot.items() if vars(builtins).get(k) is not v)
    for k in touched:
        setattr(builtins, k, builtins_snapshot[k])
    if touched:
        record("sandbox", "the notebook changed Python's builtins (" + ", ".join(touched[:5]) + "); they were restored")
    flush_incidents()

    signal.signal(signal.SIGALRM, _on_alarm)  # a cell may have taken the alarm away: the calls need it back
    _send({"kind": "calls"})
    # symtutor's own code, and the engine's compiled derivatives, are watched for while a graded function runs: a
    # reference the notebook kept before the names below were withheld still does not answer for it
    blocked, kept = set(), []
    packages = {os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep}  # where symtutor is
    if getattr(sys.modules.get("symtutor"), "__file__", None):
        packages.add(os.path.dirname(os.path.abspath(sys.modules["symtutor"].__file__)) + os.sep)
    packages = tuple(packages)
    here = __file__
    borrowed = []
    import _thread

    start_thread = _thread.start_new_thread

    def watch(frame, event, arg):
        if borrowed:
            return
        if event == "call":
            code = frame.f_code
            if code in blocked:
                borrowed.append("symtutor's own compiled derivative")
            elif code.co_filename.startswith(packages) and code.co_filename != here:
                borrowed.append(f"symtutor's own {code.co_name}")
        elif event == "c_call" and arg is start_thread:
            borrowed.append("starting a thread")

    def watched(on):
        permit[0] = True
        try:
            sys.setprofile(watch if on else None)
        finally:
            permit[0] = False

    # the graded functions answer for themselves: symtutor's own answers are out of their reach
    for modname, names in (("symtutor.assignments.backprop", ("jacobians", "_backprop", "_variant", "_compiled")),
                           ("symtutor.assignments.heights", ("jacobian", "steepest_step", "_derivatives",
                                                             "_compiled", "fit", "descend"))):
        mod = sys.modules.get(modname)
        compiled = getattr(mod, "_compiled", None)
        if getattr(compiled, "cache_info", None) is not None and compiled.cache_info().currsize:
            # what the notebook may have kept of the engine's compiled derivatives, under any name
            kept.extend(v for v in vars(compiled()).values() if callable(v))
            blocked.update(getattr(v, "__code__", None) for v in kept)
        for n in names if mod is not None else ():
            setattr(mod, n, _withheld(n))
    _disarm(kept)
    refs = {"backprop": _reference_backprop, "heights": _reference_heights}[job["assignment"]](ns, np_module)
    missing = object()
    skip = dict(job.get("skip_functions", {}))  # function -> why: it stopped or ended the process before
    for k, call in enumerate(job["calls"]):
        if call["function"] in skip:
            _send({"kind": "result", "call": k, "error": list(skip[call["function"]])})
            continue
        fn = ns.get(call["function"])
        if not callable(fn):
            _send({"kind": "result", "call": k, "missing": True})
            continue
        g = getattr(fn, "__globals__", ns)
        names = list(call.get("globals", {})) + list(call.get("swap", ()))
        saved = {n: g.get(n, missing) for n in names}
        try:
            for n, v in call.get("globals", {}).items():
                g[n] = _decode(v)
            for n in call.get("swap", ()):
                g[n] = refs[n]
            args = [_decode(a) for a in call["args"]]
            left = float(job["calls_seconds"]) - (clock() - start)
            if left <= 0:
                raise _Overtime()
            _send({"kind": "call", "call": k, "budget": min(float(job["call_seconds"]), left)})
            borrowed.clear()
            value = arr = bad = None
            setitimer(ITIMER_REAL, min(float(job["call_seconds"]), left))
            watched(True)
            try:
                value = fn(*args)
                if value is not None and value is not Ellipsis:
                    try:  # inside the bounds: turning the value into numbers may run the notebook's code too
                        arr = np_module.asarray(value, dtype=float)
                    except Exception as exc:
                        bad = f"{type(value).__name__}: {exc}"[:300]
            finally:
                watched(False)
                setitimer(ITIMER_REAL, 0)
            if borrowed:
                result = {"kind": "result", "call": k, "error": ["PermissionError", f"{borrowed[0]} is not available "
                                                                 "to a graded function"]}
            elif value is None or value is Ellipsis:
                result = {"kind": "result", "call": k, "unwritten": True}
            else:
                if bad is not None:
                    result = {"kind": "result", "call": k, "error": ["BadValue", bad]}
                else:
                    if arr.size > 1_000_000:
                        result = {"kind": "result", "call": k, "error": ["BadValue", f"an array of {arr.size} numbers"]}
                    else:
                        result = {"kind": "result", "call": k,
                                  "value": {"shape": list(arr.shape), "data": arr.ravel().tolist()}}
        except _Overtime:
            result = {"kind": "result", "call": k, "error": ["Timeout", f"took longer than {job['call_seconds']} s"]}
        except MemoryError:
            result = {"kind": "result", "call": k, "error": ["MemoryError", "ran out of memory"]}
        except BaseException as exc:
            result = {"kind": "result", "call": k, "error": [type(exc).__name__, str(exc)[:300]]}
        finally:
            for n, v in saved.items():
                if v is missing:
                    g.pop(n, None)
                else:
                    g[n] = v
        _send(result)
        flush_incidents()
    _send({"kind": "done"})
    os._exit(0)  # no interpreter shutdown: threads the notebook started do not hold the process


if __name__ == "__main__":
    try:
        main()
    except MemoryError:
        os._exit(86)  # the parent reads this status as "out of memory"
