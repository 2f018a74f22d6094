"""The ``symtutor`` command.

Each sub-command parses its arguments, calls one library function and prints
the result: two-dimensional text by default, ``--latex`` or ``--json`` on
request.  A mistake in the input is reported as one line on standard error
with exit code 1; a usage error exits with 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

import sympy as sp

from . import __version__, server
from .checking import MODES, check
from .calculus import derivative, gradient, hessian, jacobian, taylor, taylor_remainder_bound
from .errors import ParseError, SymtutorError
from .parsing import parse
from .render import expr_latex, expr_pretty, expr_text, render_steps
from .steps import derivative_steps, gradient_steps, hessian_steps, jacobian_steps

__all__ = ["main"]

_EPILOG = """examples:
  symtutor practice
  symtutor progress --plot progress.png
  symtutor derive "x^2 sin(x)" --wrt x --steps
  symtutor gradient "x^2 y + y^3"
  symtutor jacobian "(x^2 y, 5x + sin(y))" --vars x,y
  symtutor hessian "x^3 + x y^2" --steps
  symtutor taylor "exp(x) cos(y)" --at 0,0 --order 3
  symtutor check "2x cos(x^2)" --expected "2 x cos(x^2)"
  symtutor topics
  symtutor generate chain_rule --seed 7 --difficulty 2 -n 10 --format md -o chain.md
  symtutor generate exercises/week2.yaml --format pdf -o week2.pdf

Type maths as you would write it: 2x sin(x), x^2, e^(x y), sqrt(x), ln(x).
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, exit code 2
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _output_options(p: argparse.ArgumentParser, *, steps: bool = True) -> None:
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="print LaTeX instead of 2-D text")
    fmt.add_argument("--json", action="store_true", help="print a JSON object (for scripts)")
    fmt.add_argument("--markdown", action="store_true", help="print Markdown with LaTeX maths")
    if steps:
        p.add_argument("--steps", action="store_true", help="show the derivation step by step")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symtutor",
        description="A symbolic-calculus tutor for the calculus behind machine learning.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"symtutor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser(
        "derive",
        help="differentiate an expression",
        description="Differentiate an expression, optionally showing every step.",
        epilog='example: symtutor derive "x^2 sin(x)" --wrt x --steps',
    )
    p.add_argument("expr", help='the expression, e.g. "x^2 sin(x)"')
    p.add_argument("--wrt", metavar="VAR", help="the variable (needed when there are several)")
    p.add_argument("--order", type=int, default=1, help="how many times to differentiate (default 1)")
    p.add_argument("--function", action="append", default=[], metavar="NAME",
                   help="read NAME(...) as an unknown function, e.g. --function f")
    _output_options(p)

    for name, what in (("gradient", "the gradient (column of partial derivatives)"),
                       ("hessian", "the Hessian (matrix of second partial derivatives)")):
        p = sub.add_parser(name, help=f"{what} of a scalar function",
                           description=f"Compute {what} of a scalar function.",
                           epilog=f'example: symtutor {name} "x^2 y + y^3" --vars x,y')
        p.add_argument("expr", help="the function")
        p.add_argument("--vars", metavar="X,Y,...", help="the variables, in order (default: all, sorted)")
        _output_options(p)

    p = sub.add_parser("jacobian", help="the Jacobian of a vector function",
                       description="Compute the Jacobian: one row per output, one column per variable.",
                       epilog='example: symtutor jacobian "(x^2 y, 5x + sin(y))" --vars x,y')
    p.add_argument("expr", help='the functions as a vector, e.g. "(x^2 y, 5x + sin(y))"')
    p.add_argument("--vars", metavar="X,Y,...", help="the variables, in order (default: all, sorted)")
    _output_options(p)

    p = sub.add_parser("taylor", help="a Taylor polynomial",
                       description="The Taylor polynomial about a point, up to and including a degree.",
                       epilog='example: symtutor taylor "exp(x) cos(y)" --at 0,0 --order 3')
    p.add_argument("expr", help="the function")
    p.add_argument("--at", required=True, metavar="A,B,...", help="the expansion point, one coordinate per variable "
                   "(write --at=-1,2 when it starts with a minus sign)")
    p.add_argument("--order", type=int, required=True, help="the highest degree kept")
    p.add_argument("--vars", metavar="X,Y,...", help="the variables, in order (default: all, sorted)")
    p.add_argument("--interval", metavar="LO,HI",
                   help="also bound the error on this interval, Lagrange form; "
                   "write --interval=-0.5,0.5 when it starts with a minus sign")
    _output_options(p, steps=False)
    p = sub.add_parser("check", help="check an answer against the expected one",
                       description="Check a typed answer. Exit code 0 when it is correct, 1 otherwise.",
                       epilog='example: symtutor check "2x cos(x^2)" --expected "2 x cos(x^2)"')
    p.add_argument("answer", help="the answer, as typed")
    p.add_argument("--expected", required=True, help="the right answer")
    p.add_argument("--mode", default="equivalent", choices=MODES, help="how to compare (default: equivalent)")
    p.add_argument("--variables", metavar="X,Y,...", help="the names the answer may use (default: those of --expected)")
    p.add_argument("--function", dest="of", metavar="F",
                   help="the function that was differentiated (to name mistakes in differentiating)")
    p.add_argument("--wrt", metavar="VAR", help="the variable it was differentiated with respect to")
    p.add_argument("--at", metavar="A,B,...", help="taylor mode: the expansion point")
    p.add_argument("--order", type=int, help="taylor mode: the order")
    p.add_argument("--tolerance", type=float, help="numeric mode: a relative tolerance")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds allowed for the check (default 1)")
    p.add_argument("--json", action="store_true", help="print a JSON object (for scripts)")
    sub.add_parser("topics", help="list the exercise topics",
                   description="List the exercise topics, by course week, with their difficulty levels.")

    p = sub.add_parser(
        "generate",
        help="generate exercises or a worksheet",
        description="Generate exercises on a topic, or the set a YAML spec describes, and export them.",
        epilog="examples:\n  symtutor generate chain_rule --seed 7 --difficulty 2 -n 10 --format md -o chain.md\n"
        "  symtutor generate exercises/week2.yaml --format pdf -o week2.pdf",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("source", help="a topic id (see 'symtutor topics') or a YAML spec file")
    p.add_argument("--seed", type=int, default=0, help="the first seed (default 0); exercise k uses seed + k")
    p.add_argument("--difficulty", type=int, default=1, choices=(1, 2, 3), help="1, 2 or 3 (default 1)")
    p.add_argument("-n", "--count", type=int, default=1, help="how many exercises (default 1)")
    p.add_argument("--format", default="md", choices=("md", "tex", "pdf", "json", "moodle", "ipynb"),
                   help="md (default), tex (worksheet and -key.tex), pdf, json, moodle or ipynb")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (default: standard output; pdf needs a file)")
    p = sub.add_parser(
        "practice",
        help="a practice drill that remembers your progress",
        description="Practise: exercises chosen from your history, checked as you type them. At the prompt, "
        "type an answer, or: hint (the next hint; each lowers the score), steps (the worked solution; the "
        "exercise then scores nothing), skip, quit, help. Without a terminal, answers are read from standard "
        "input, one per line.",
        epilog="examples:\n  symtutor practice\n  symtutor practice --week 2 --count 5\n"
        "  symtutor practice --topic chain_rule --difficulty 3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--topic", action="append", default=[], metavar="T", help="practise this topic (repeatable)")
    p.add_argument("--week", type=int, choices=range(1, 7), metavar="N", help="practise the topics of week N (1-6)")
    p.add_argument("--difficulty", type=int, choices=(1, 2, 3), help="fix the difficulty (default: adaptive)")
    p.add_argument("--count", type=int, default=10, help="how many exercises (default 10)")
    p.add_argument("--seed", type=int, help="seed of the first exercise (default: from your history)")
    p.add_argument("--db", metavar="PATH", help="the progress store (default: $SYMTUTOR_DB or your data folder)")
    p.add_argument("--json", action="store_true", help="print a machine-readable transcript at the end")

    p = sub.add_parser("backprop", help="assignment 1: train a network to draw a heart",
                       description="Train the 1-6-7-2 sigmoid network by backpropagation (Jacobians derived by "
                       "the engine) to draw the heart curve.",
                       epilog="example: symtutor backprop --iterations 10000 --aggression 7 --seed 0 --plot heart.png")
    p.add_argument("--iterations", type=int, default=10_000, help="steps of steepest descent (default 10000)")
    p.add_argument("--aggression", type=float, default=3.5, help="the step size (default 3.5)")
    p.add_argument("--noise", type=float, default=1.0, help="the noise on each Jacobian (default 1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights and the noise (default 0)")
    p.add_argument("--plot", metavar="FILE.png", help="save the curves and the cost history")
    p.add_argument("--derivation", action="store_true", help="show the chain rule through the network first")

    p = sub.add_parser("heights", help="assignment 2: fit a Gaussian to a heights histogram",
                       description="Fit a Gaussian to the heights histogram by steepest descent on χ².",
                       epilog="example: symtutor heights --plot heights.png")
    p.add_argument("--mu", type=float, default=155, help="starting μ in cm (default 155)")
    p.add_argument("--sig", type=float, default=6, help="starting σ in cm (default 6)")
    p.add_argument("--steps", type=int, default=50, help="steps of steepest descent (default 50)")
    p.add_argument("--aggression", type=float, default=2000, help="the step size (default 2000)")
    p.add_argument("--plot", metavar="FILE.png", help="save the fit and the χ² map with the descent path")

    p = sub.add_parser("progress", help="your mastery per topic",
                       description="Show your mastery per topic, plot it, or export every attempt.")
    p.add_argument("--db", metavar="PATH", help="the progress store (default: $SYMTUTOR_DB or your data folder)")
    p.add_argument("--plot", metavar="FILE.png", help="save a chart of accuracy over time and mastery per topic")
    p.add_argument("--export", choices=("csv",), help="print every attempt as CSV")
    server.add_parser(sub)
    return parser


class _Progress:
    """A one-line progress bar on standard error, for sets of more than a handful of items."""

    def __init__(self, label: str):
        self.label = label
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total <= 5 or not sys.stderr.isatty():
            return
        width = 30
        filled = width * done // total
        sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        self.shown = True
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def _topics(args) -> int:
    from .exercises.core import TOPICS, topics

    topics()
    week = None
    for t in TOPICS.values():
        if t.week != week:
            week = t.week
            print(f"week {week}")
        print(f"  {t.id:24} {t.description}")
        for level, text in enumerate(t.levels, 1):
            print(f"  {'':24}   {level}: {text}")
    return 0


def _generate(args) -> int:
    from pathlib import Path

    from . import export
    from .exercises.sets import from_spec, load_spec

    progress = _Progress("generating")
    if args.source.endswith((".yaml", ".yml")) or Path(args.source).is_file():
        if not Path(args.source).is_file():
            raise SymtutorError(f"no such spec file: {args.source}")
        s = load_spec(args.source, progress=progress)
    else:
        if args.count < 1:
            raise SymtutorError("-n must be at least 1")
        spec = {"title": f"{args.source.replace('_', ' ').capitalize()} (difficulty {args.difficulty})",
                "items": [{"topic": args.source, "difficulty": args.difficulty, "count": args.count, "seed": args.seed}]}
        s = from_spec(spec, progress=progress)
    fmt = args.format
    if fmt == "pdf":
        if not args.output:
            raise SymtutorError("--format pdf needs -o FILE.pdf")
        sheet, key = export.to_pdf(s, args.output)
        print(f"wrote {sheet} and {key}", file=sys.stderr)
        return 0
    if fmt == "tex":
        sheet, key = export.to_latex(s)
        if args.output:
            out = Path(args.output)
            out.write_text(sheet, encoding="utf-8")
            keyfile = out.with_name(out.stem + "-key" + out.suffix)
            keyfile.write_text(key, encoding="utf-8")
            print(f"wrote {out} and {keyfile}", file=sys.stderr)
            return 0
        text = sheet
    else:
        text = {"md": export.to_markdown, "json": export.dump, "moodle": export.to_moodle,
                "ipynb": export.to_notebook}[fmt](s)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(s.items)} exercises to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


_HELP = """Type your answer as you would write it: 2x cos(x^2), e^(x y), (a, b) for a vector.
Commands: hint (the next hint; each lowers the score), steps (the worked solution; the exercise then
scores nothing), skip, quit, help."""


def _pretty(value) -> str:
    from .render import expr_pretty

    return "\n".join("    " + line for line in expr_pretty(value).splitlines())


def _practice(args) -> int:
    from .exercises.core import TOPICS, topics
    from .practice import Practice
    from .progress import ProgressStore

    topics()
    chosen = list(args.topic)
    if args.week:
        chosen += [t.id for t in TOPICS.values() if t.week == args.week]
    if args.count < 1:
        raise SymtutorError("--count must be at least 1")
    interactive = sys.stdin.isatty()
    quiet = args.json
    transcript = []

    def say(text: str = "") -> None:
        if not quiet:
            print(text, flush=True)

    with ProgressStore(args.db) as store:
        session = Practice(store, topics=chosen or None, difficulty=args.difficulty, count=args.count, seed=args.seed)
        say(f"symtutor practice: {args.count} exercise(s). Type 'help' for the commands.")
        quit_now = False
        while not quit_now:
            ex = session.next()
            if ex is None:
                break
            say()
            say(f"Exercise {len(session.shown)}/{args.count} - {ex.topic.replace('_', ' ')} (difficulty {ex.difficulty})")
            say(ex.prompt)
            function = dict(ex.options).get("function")
            if function is not None:
                say(_pretty(function))
            record = {"exercise": ex.id, "prompt": ex.prompt, "events": []}
            transcript.append(record)
            while True:
                if interactive and not quiet:
                    try:
                        line = input("> ")
                    except EOFError:
                        line = "quit"
                else:
                    line = sys.stdin.readline()
                    if not line:
                        line = "quit"
                turn = session.handle(line)
                event = {"input": line.strip(), "kind": turn.kind}
                if turn.feedback is not None:
                    event.update(status=turn.feedback.status, message=turn.feedback.message,
                                 understood=turn.feedback.understood, diagnosis=turn.feedback.diagnosis)
                if turn.attempt is not None:
                    event.update(recorded=turn.attempt.status, score=turn.attempt.score)
                record["events"].append(event)
                if turn.kind == "quit":
                    quit_now = True
                    break
                if turn.kind == "help":
                    say(_HELP)
                elif turn.kind in ("hint", "skip"):
                    say(turn.text)
                elif turn.kind == "steps":
                    say(turn.text)
                elif turn.feedback is not None:
                    fb = turn.feedback
                    if fb.understood:
                        say("understood as:")
                        say(_pretty(parse(fb.understood, variables=ex.variables)))
                    label = {"correct": "Correct", "incorrect": "Not right", "invalid": "Could not read that",
                             "undecided": "Undecided"}[fb.status]
                    say(f"{label}: {fb.message}" if fb.status != "correct" else fb.message)
                    if fb.status == "incorrect":
                        say("Try again, or type hint, steps or skip.")
                if turn.done:
                    break
        summary = session.summary()
        say()
        say(f"Done: {summary.exercises} exercise(s) in {summary.seconds:.0f} s.")
        for topic, (total, n) in summary.scores.items():
            say(f"  {topic:26} {total:.2f} / {n}")
        say(f"Practise next: {summary.suggestion}")
        if quiet:
            print(json.dumps({"session": session.session, "exercises": transcript,
                              "summary": {"exercises": summary.exercises, "seconds": round(summary.seconds, 3),
                                          "scores": {t: {"score": round(v[0], 4), "exercises": v[1]}
                                                     for t, v in summary.scores.items()},
                                          "suggestion": summary.suggestion}}, indent=2, ensure_ascii=False))
    return 0


def _progress(args) -> int:
    import csv

    from .exercises.core import TOPICS, topics
    from .practice import topic_states
    from .progress import ProgressStore

    topics()
    with ProgressStore(args.db) as store:
        history = store.attempts()
        if args.export == "csv":
            writer = csv.writer(sys.stdout)
            writer.writerow(["at", "session", "exercise_id", "topic", "difficulty", "answer", "status", "score",
                             "hints", "seconds"])
            for a in history:
                writer.writerow([a.at, a.session, a.exercise_id, a.topic, a.difficulty, a.answer, a.status,
                                 a.score, a.hints, a.seconds])
            return 0
        states = topic_states(history, list(TOPICS))
        print(f"{len(history)} attempt(s) in {store.path}")
        print(f"{'topic':26} {'week':>4} {'level':>5} {'mastery':>8} {'attempts':>8}  last seen")
        for t in TOPICS.values():
            s = states[t.id]
            seen = s.last_seen[:10] if s.last_seen else "-"
            print(f"{t.id:26} {t.week:4d} {s.level:5d} {s.mastery:8.0%} {s.attempts:8d}  {seen}")
        if args.plot:
            from .plotting import plot_progress

            plot_progress(history, states, args.plot)
            print(f"wrote {args.plot}")
    return 0


def _backprop(args) -> int:
    import numpy as np

    from .assignments import backprop as bp

    if args.derivation:
        print("\n".join(bp.derivation()))
        print()
    rng = np.random.default_rng(args.seed)
    x, y = bp.training_data()
    params = bp.init_params(rng)
    bar = _Progress("training")
    step = max(1, args.iterations // 100)

    def tick(i, _p):
        if i % step == 0:
            bar(i, args.iterations)

    result = bp.train(params, x, y, iterations=args.iterations, aggression=args.aggression, noise=args.noise,
                      rng=rng, callback=tick if sys.stderr.isatty() else None)
    print(f"cost after {args.iterations} iterations: {result.costs[-1]:.6g} (from {result.costs[0]:.6g})")
    if args.plot:
        from .plotting import cost_history, heart_training, save_figure

        def draw(_fig, left, right):
            heart_training(left, x, y, result.snapshots)
            cost_history(right, result.iterations, result.costs)

        save_figure(args.plot, draw, figsize=(11, 5), ncols=2)
        print(f"wrote {args.plot}")
    return 0


def _heights(args) -> int:
    from .assignments import heights as h

    x, y = h.heights_data()
    r = h.fit(x, y, mu=args.mu, sig=args.sig, steps=args.steps, aggression=args.aggression)
    print(f"after {args.steps} steps: μ = {r.mu:.4f} cm, σ = {r.sig:.4f} cm, χ² = {r.chi2:.6g}")
    if args.plot:
        from .plotting import chi2_contours, histogram_fit, save_figure

        def draw(_fig, left, right):
            histogram_fit(left, x, y, r.mu, r.sig, h.model)
            chi2_contours(right, x, y, r.path, h.chi2)

        save_figure(args.plot, draw, figsize=(12, 5), ncols=2)
        print(f"wrote {args.plot}")
    return 0


def _check(args) -> int:
    point = [parse(c) for c in args.at.split(",")] if args.at else None
    fb = check(
        args.answer,
        parse(args.expected),
        variables=args.variables,
        mode=args.mode,
        tolerance=args.tolerance,
        function=parse(args.of) if args.of else None,
        wrt=args.wrt,
        point=point,
        order=args.order,
        timeout=args.timeout,
    )
    if args.json:
        print(json.dumps({
            "status": fb.status, "correct": fb.correct, "score": fb.score, "message": fb.message,
            "diagnosis": fb.diagnosis, "parsed": fb.parsed, "understood": fb.understood,
            "wrong_entries": [list(e) for e in fb.wrong_entries],
        }, indent=2, ensure_ascii=False))
    else:
        print(f"{fb.status.upper()}: {fb.message}")
        if fb.understood:
            print(f"understood as: {fb.understood}")
    return 0 if fb.correct else 1


def _variables(expr, names: str | None):
    if names:
        return [n.strip() for n in names.split(",") if n.strip()]
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if not free:
        raise SymtutorError("the expression has no variables; name them with --vars")
    return free


def _format(args, value) -> str:
    if args.latex:
        return expr_latex(value)
    if args.markdown:
        return f"$${expr_latex(value)}$$"
    return expr_pretty(value)


def _emit(args, payload: dict, value, tree=None) -> None:
    if args.json:
        payload = dict(payload)
        payload["result"] = expr_text(value)
        payload["latex"] = expr_latex(value)
        if tree is not None:
            payload["steps"] = render_steps(tree)
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if tree is not None:
        fmt = "latex" if args.latex else "markdown" if args.markdown else "text"
        print(render_steps(tree, fmt=fmt))
        print()
    print(_format(args, value))


def _derive(args) -> int:
    expr = parse(args.expr, functions=args.function)
    if args.wrt:
        var = args.wrt
    else:
        free = sorted(expr.free_symbols, key=lambda s: s.name)
        if len(free) != 1:
            names = ", ".join(map(str, free)) or "none"
            raise SymtutorError(f"the expression has variables {names}; choose one with --wrt")
        var = free[0]
    result = derivative(expr, var, order=args.order)
    tree = None
    if args.steps:
        if args.order != 1:
            raise SymtutorError("--steps shows first derivatives; use --order 1")
        tree = derivative_steps(expr, var)
    _emit(args, {"command": "derive", "input": args.expr, "variable": str(var), "order": args.order},
          result, tree)
    return 0


def _matrix_command(args, compute, steps) -> int:
    expr = parse(args.expr)
    variables = _variables(expr if not isinstance(expr, sp.MatrixBase) else sp.Matrix(expr), args.vars)
    result = compute(expr, variables)
    tree = steps(expr, variables) if args.steps else None
    _emit(args, {"command": args.command, "input": args.expr, "variables": [str(v) for v in variables]},
          result, tree)
    return 0


def _taylor(args) -> int:
    expr = parse(args.expr)
    variables = _variables(expr, args.vars)
    point = [parse(c) for c in args.at.split(",")]
    poly = taylor(expr, variables, point=point, order=args.order)
    payload = {"command": "taylor", "input": args.expr, "variables": [str(v) for v in variables],
               "point": [expr_text(p) for p in point], "order": args.order}
    bound = None
    if args.interval:
        try:
            lo, hi = (float(parse(v)) for v in args.interval.split(","))
        except (ValueError, TypeError):
            raise SymtutorError("--interval takes two numbers, e.g. --interval -0.5,0.5") from None
        bound = taylor_remainder_bound(expr, variables, point=point, order=args.order, interval=(lo, hi))
        payload["remainder_bound"] = bound.bound
    _emit(args, payload, poly)
    if bound is not None and not args.json:
        print()
        print(f"On [{lo:g}, {hi:g}]: {bound}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``symtutor`` command with ``argv`` (default: the process arguments).

    Examples:
        >>> main(["derive", "x^3", "--wrt", "x"])
           2
        3⋅x
        0
    """
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    handlers = {
        "derive": _derive,
        "gradient": lambda a: _matrix_command(a, gradient, gradient_steps),
        "jacobian": lambda a: _matrix_command(a, jacobian, jacobian_steps),
        "hessian": lambda a: _matrix_command(a, hessian, hessian_steps),
        "taylor": _taylor,
        "check": _check,
        "topics": _topics,
        "generate": _generate,
        "practice": _practice,
        "progress": _progress,
        "backprop": _backprop,
        "heights": _heights,
        "serve": server.main,
    }
    try:
        return handlers[args.command](args)
    except BrokenPipeError:  # the reader went away (symtutor topics | head): not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open until exit
        return 0
    except SymtutorError as exc:
        print(f"symtutor: error: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: SymtutorError) -> str:
    if isinstance(exc, ParseError):
        where = f" (at character {exc.position + 1})" if exc.position is not None else ""
        return f"{exc.message}{where}"
    return str(exc).splitlines()[0]


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
