"""The ``symtutor`` command.

Each sub-command parses its arguments, calls one library function and prints
the result: two-dimensional text by default, ``--latex`` or ``--json`` on
request.  A sub-command is registered in :func:`_build_parser` with
``_command(sub, name, handler, ...)`` and its options; ``handler(args)``
calls the library and returns the exit code.

A mistake is reported as one line on standard error, never a traceback.  The
exit codes (:data:`EXIT_CODES`):

* 0: done (for ``check``: the answer is correct);
* 1: ``check`` only: the answer is not correct (incorrect, unreadable, or
  undecided within the time bound; ``--json`` says which);
* 2: a usage error (an unknown option, a missing or malformed argument);
* 3: an error in what was given (an expression that cannot be read, a spec,
  file or progress store that cannot be used, a folder that does not exist);
* 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import sympy as sp

from . import __version__, server
from .checking import MODES, check
from .calculus import derivative, gradient, hessian, jacobian, taylor, taylor_remainder_bound
from .errors import InvalidArgumentError, ParseError, SymtutorError
from .exercises.spec import MAX_EXERCISES, MAX_SEED
from .grading import command as grade_command
from .parsing import parse
from .render import expr_latex, expr_pretty, expr_text, render_steps
from .steps import derivative_steps, gradient_steps, hessian_steps, jacobian_steps

__all__ = ["main", "EXIT_CODES"]

EXIT_OK, EXIT_NOT_CORRECT, EXIT_USAGE, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_CODES = {
    EXIT_OK: "done (check: the answer is correct)",
    EXIT_NOT_CORRECT: "check: the answer is not correct (incorrect, unreadable or undecided)",
    EXIT_USAGE: "usage error (an unknown option, a missing or malformed argument)",
    EXIT_ERROR: "error in what was given (an expression, file, spec or store that cannot be used)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
}

MAX_ORDER = 20
"""The most times ``derive --order`` differentiates."""
MAX_TAYLOR_ORDER = 20
"""The highest degree ``taylor --order`` (and ``check --order``) accepts."""
MAX_VARIANTS = 100
"""The most variants of each item ``generate --format moodle --variants`` makes."""
MAX_TIMEOUT = 3600.0
"""The longest time bound ``check --timeout`` accepts, in seconds."""

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
An expression may start with a minus sign: symtutor derive "-x^2" --wrt x.

exit codes:
  0    done (check: the answer is correct)
  1    check: the answer is not correct (incorrect, unreadable, or undecided in time)
  2    usage error (an unknown option, a missing or malformed argument)
  3    error in what was given (an expression, file, folder, spec or store that cannot be used)
  130  interrupted (Ctrl-C)
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line that says where to look, with exit code 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self.escaped: set[str] = set()

    def error(self, message):
        for token in self.escaped:  # show values as they were typed
            message = message.replace(repr(token), repr(token[1:])).replace(" " + token, " " + token[1:])
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def _command(sub, name: str, handler, *, help: str, description: str | None = None,
             epilog: str | None = None) -> argparse.ArgumentParser:
    """Register the sub-command ``name``: ``handler(args)`` runs it and returns the exit code."""
    p = sub.add_parser(name, help=help, description=description or help, epilog=epilog,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(handler=handler)
    return p


# ---- argument types: a bad value is a usage error (exit 2) that says what is wanted --------------


def _count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text.strip()!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _count_upto(limit: int):
    def count(text: str) -> int:
        n = _count(text)
        if n > limit:
            raise argparse.ArgumentTypeError(f"must be at most {limit:,}, not {n:,}")
        return n

    count.__name__ = "count"
    return count


def _order(limit: int):
    def order(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, not {text.strip()!r}") from None
        if not 0 <= n <= limit:
            raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {limit}, not {n}")
        return n

    order.__name__ = "order"
    return order


def _positive(limit: float | None = None, *, unit: str = ""):
    def positive(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, not {text.strip()!r}") from None
        if not (0 < x < math.inf) or (limit is not None and x > limit):
            most = f" up to {limit:g}" if limit is not None else ""
            raise argparse.ArgumentTypeError(f"must be a positive number{unit}{most}, not {text.strip()!r}")
        return x

    positive.__name__ = "number"
    return positive


def _finite(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text.strip()!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text.strip()!r}")
    return x


def _seed(text: str) -> int:
    n = _whole(text)
    if not 0 <= n <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_SEED:,}, not {text.strip()!r}")
    return n


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text.strip()!r}") from None


_PLOT_HELP = "save a chart to FILE (.png, .pdf or .svg)"


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

    p = _command(sub, "derive", _derive, help="differentiate an expression",
                 description="Differentiate an expression, optionally showing every step.",
                 epilog='examples:\n  symtutor derive "x^2 sin(x)" --wrt x --steps\n  symtutor derive "-x^2" --wrt x')
    p.add_argument("expr", help='the expression, e.g. "x^2 sin(x)"')
    p.add_argument("--wrt", metavar="VAR", help="the variable (needed when there are several)")
    p.add_argument("--order", type=_order(MAX_ORDER), default=1,
                   help=f"how many times to differentiate (default 1, at most {MAX_ORDER})")
    p.add_argument("--function", action="append", default=[], metavar="NAME",
                   help="read NAME(...) as an unknown function, e.g. --function f")
    _output_options(p)

    for name, what, handler in (
        ("gradient", "the gradient (column of partial derivatives)", _gradient),
        ("hessian", "the Hessian (matrix of second partial derivatives)", _hessian),
    ):
        p = _command(sub, name, handler, help=f"{what} of a scalar function",
                     description=f"Compute {what} of a scalar function.",
                     epilog=f'example: symtutor {name} "x^2 y + y^3" --vars x,y')
        p.add_argument("expr", help="the function")
        p.add_argument("--vars", metavar="X,Y,...", help="the variables, in order (default: all, sorted)")
        _output_options(p)

    p = _command(sub, "jacobian", _jacobian, help="the Jacobian of a vector function",
                 description="Compute the Jacobian: one row per output, one column per variable.",
                 epilog='example: symtutor jacobian "(x^2 y, 5x + sin(y))" --vars x,y')
    p.add_argument("expr", help='the functions as a vector, e.g. "(x^2 y, 5x + sin(y))"')
    p.add_argument("--vars", metavar="X,Y,...", help="the variables, in order (default: all, sorted)")
    _output_options(p)

    p = _command(sub, "taylor", _taylor, help="a Taylor polynomial",
                 description="The Taylor polynomial about a point, up to and including a degree.",
                 epilog='examples:\n  symtutor taylor "exp(x) cos(y)" --at 0,0 --order 3\n'
                 '  symtutor taylor "exp(x)" --at -1 --order 2 --interval -1.5,-0.5')
    p.add_argument("expr", help="the function")
    p.add_argument("--at", required=True, metavar="A,B,...", help="the expansion point, one coordinate per variable")
    p.add_argument("--order", type=_order(MAX_TAYLOR_ORDER), required=True,
                   help=f"the highest degree kept (at most {MAX_TAYLOR_ORDER})")
    p.add_argument("--vars", metavar="X,Y,...", help="the variables, in order (default: all, sorted)")
    p.add_argument("--interval", metavar="LO,HI", help="also bound the error on this interval, Lagrange form")
    _output_options(p, steps=False)

    p = _command(sub, "check", _check, help="check an answer against the expected one",
                 description="Check a typed answer. Exit code 0 when it is correct; 1 when it is not (incorrect, "
                 "unreadable, or undecided within the time bound); 2 for a usage error; 3 when --expected or "
                 "another option cannot be used.",
                 epilog='examples:\n  symtutor check "2x cos(x^2)" --expected "2 x cos(x^2)"\n'
                 '  symtutor check "-sin(x)" --expected "-sin(x)"')
    p.add_argument("answer", help="the answer, as typed")
    p.add_argument("--expected", required=True, help="the right answer")
    p.add_argument("--mode", default="equivalent", choices=MODES, help="how to compare (default: equivalent)")
    p.add_argument("--variables", metavar="X,Y,...", help="the names the answer may use (default: those of --expected)")
    p.add_argument("--function", dest="of", metavar="F",
                   help="the function that was differentiated (to name mistakes in differentiating)")
    p.add_argument("--wrt", metavar="VAR", help="the variable it was differentiated with respect to")
    p.add_argument("--at", metavar="A,B,...", help="taylor mode: the expansion point")
    p.add_argument("--order", type=_order(MAX_TAYLOR_ORDER), help="taylor mode: the order")
    p.add_argument("--tolerance", type=_positive(), help="numeric mode: a relative tolerance, e.g. 1e-3")
    p.add_argument("--timeout", type=_positive(MAX_TIMEOUT, unit=" of seconds"), default=1.0,
                   help=f"seconds allowed for the check (default 1, at most {MAX_TIMEOUT:g})")
    p.add_argument("--json", action="store_true", help="print a JSON object (for scripts)")

    _command(sub, "topics", _topics, help="list the exercise topics",
             description="List the exercise topics, by course week, with their difficulty levels.")

    p = _command(
        sub, "generate", _generate,
        help="generate exercises or a worksheet",
        description="Generate exercises on a topic, or the set a YAML spec describes, and export them. "
        "The folder of -o FILE must exist.",
        epilog="examples:\n  symtutor generate chain_rule --seed 7 --difficulty 2 -n 10 --format md -o chain.md\n"
        "  symtutor generate exercises/week2.yaml --format pdf -o week2.pdf",
    )
    p.add_argument("source", help="a topic id (see 'symtutor topics'), a YAML spec file, or a set exported as JSON")
    p.add_argument("--seed", type=_seed, default=0, help="the first seed (default 0); exercise k uses seed + k")
    p.add_argument("--difficulty", type=_whole, default=1, choices=(1, 2, 3), help="1, 2 or 3 (default 1)")
    p.add_argument("-n", "--count", type=_count_upto(MAX_EXERCISES), default=1,
                   help=f"how many exercises (default 1, at most {MAX_EXERCISES})")
    p.add_argument("--format", default="md", choices=("md", "tex", "pdf", "json", "moodle", "ipynb"),
                   help="md (default), tex (worksheet and -key.tex), pdf, json, moodle or ipynb")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write (default: standard output; pdf needs a file)")
    p.add_argument("--variants", type=_count_upto(MAX_VARIANTS), default=1, metavar="N",
                   help="moodle only: N verified seeds of each generated item, each item its own question category "
                   f"(at most {MAX_VARIANTS}, and at most {MAX_EXERCISES} questions in all)")

    p = _command(
        sub, "practice", _practice,
        help="a practice drill that remembers your progress",
        description="Practise: exercises chosen from your history, checked as you type them. At the prompt, "
        "type an answer, or: hint (the next hint; each lowers the score), steps (the worked solution; the "
        "exercise then scores nothing), skip, quit, help. The arrow keys edit the line and recall earlier "
        "answers. Ctrl-C ends the session with its summary (exit code 130). Without a terminal, answers "
        "are read from standard input, one per line.",
        epilog="examples:\n  symtutor practice\n  symtutor practice --week 2 --count 5\n"
        "  symtutor practice --topic chain_rule --difficulty 3",
    )
    p.add_argument("--topic", action="append", default=[], metavar="T", help="practise this topic (repeatable)")
    p.add_argument("--week", type=_whole, choices=range(1, 7), metavar="N", help="practise the topics of week N (1-6)")
    p.add_argument("--difficulty", type=_whole, choices=(1, 2, 3), help="fix the difficulty (default: adaptive)")
    p.add_argument("--count", type=_count, default=10, help="how many exercises (default 10)")
    p.add_argument("--seed", type=_seed, help="seed of the first exercise (default: from your history)")
    p.add_argument("--db", metavar="PATH", help="the progress store (default: $SYMTUTOR_DB or your data folder; "
                   "the folder of PATH must exist)")
    p.add_argument("--json", action="store_true", help="print a machine-readable transcript at the end")

    p = _command(sub, "backprop", _backprop, help="assignment 1: train a network to draw a heart",
                 description="Train the 1-6-7-2 sigmoid network by backpropagation (Jacobians derived by "
                 "the engine) to draw the heart curve.",
                 epilog="example: symtutor backprop --iterations 10000 --aggression 7 --seed 0 --plot heart.png")
    p.add_argument("--iterations", type=_count_upto(1_000_000), default=10_000,
                   help="steps of steepest descent (default 10000, at most 1000000)")
    p.add_argument("--aggression", type=_finite, default=3.5, help="the step size (default 3.5)")
    p.add_argument("--noise", type=_finite, default=1.0, help="the noise on each Jacobian (default 1)")
    p.add_argument("--seed", type=_seed, default=0, help="seed of the initial weights and the noise (default 0)")
    p.add_argument("--plot", metavar="FILE", help="save the curves and the cost history (.png, .pdf or .svg)")
    p.add_argument("--derivation", action="store_true", help="show the chain rule through the network first")

    p = _command(sub, "heights", _heights, help="assignment 2: fit a Gaussian to a heights histogram",
                 description="Fit a Gaussian to the heights histogram by steepest descent on χ².",
                 epilog="example: symtutor heights --plot heights.png")
    p.add_argument("--mu", type=_finite, default=155, help="starting μ in cm (default 155)")
    p.add_argument("--sig", type=_positive(), default=6, help="starting σ in cm (default 6)")
    p.add_argument("--steps", type=_count_upto(100_000), default=50,
                   help="steps of steepest descent (default 50, at most 100000)")
    p.add_argument("--aggression", type=_finite, default=2000, help="the step size (default 2000)")
    p.add_argument("--plot", metavar="FILE", help="save the fit and the χ² map with the descent path "
                   "(.png, .pdf or .svg)")

    p = _command(sub, "progress", _progress, help="your mastery per topic",
                 description="Show your mastery per topic, plot it, or export every attempt.")
    p.add_argument("--db", metavar="PATH", help="the progress store (default: $SYMTUTOR_DB or your data folder)")
    p.add_argument("--plot", metavar="FILE", help="save a chart of accuracy over time and mastery per topic "
                   "(.png, .pdf or .svg)")
    p.add_argument("--export", choices=("csv",), help="print every attempt as CSV")
    grade_command.add_parser(sub)
    server.add_parser(sub)
    return parser


# ---- values that start with a minus sign ----------------------------------------------------------------


def _option_strings(parser: argparse.ArgumentParser) -> tuple[set[str], set[str]]:
    """(every option string of ``parser``, its short options that take a value)."""
    every, valued = set(), set()
    for action in parser._actions:  # argparse keeps no public list of a parser's options
        every.update(action.option_strings)
        if action.nargs != 0:
            valued.update(o for o in action.option_strings if len(o) == 2)
    return every, valued


def _subparsers(parser: argparse.ArgumentParser) -> dict:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices
    return {}  # pragma: no cover


def _protect_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """Let values start with "-": an answer "-x^2", a point --at -1,2.

    A word after the sub-command that starts with one "-" but is no option of
    it is a value: it is handed to argparse with a leading space (which it
    reads as a value), and the space is taken off again after parsing.
    """
    subs = _subparsers(parser)
    at = next((k for k, t in enumerate(argv) if not t.startswith("-")), None)
    if at is None or argv[at] not in subs:
        return argv
    sub = subs[argv[at]]
    every, valued = _option_strings(sub)
    out = list(argv)
    for k in range(at + 1, len(argv)):
        t = argv[k]
        if t == "--":
            break
        if len(t) > 1 and t[0] == "-" and t[1] != "-" and t not in every and t[:2] not in valued:
            out[k] = " " + t
            sub.escaped.add(out[k])
    return out


def _unprotect(args: argparse.Namespace, escaped: set[str]) -> None:
    for name, value in vars(args).items():
        if isinstance(value, str) and value in escaped:
            setattr(args, name, value[1:])
        elif isinstance(value, list):
            setattr(args, name, [v[1:] if isinstance(v, str) and v in escaped else v for v in value])


# ---- files the command writes --------------------------------------------------------------------------


def _check_output(path: str, what: str = "-o") -> Path:
    """A path a file can be written to, or an error that says why not (before any work is done)."""
    p = Path(path)
    if p.is_dir():
        raise InvalidArgumentError(f"{what} {path} is a folder: give a file name, e.g. {p / 'out'}{p.suffix}")
    if not p.parent.is_dir():
        raise InvalidArgumentError(f"cannot write {path}: the folder {p.parent} does not exist (create it first)")
    return p


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a full disk leaves no half-written file (nor an old one changed).

    A regular file is written beside itself and renamed over; a device, pipe or symbolic link is written through.
    """
    data = text.encode("utf-8")
    if path.is_symlink() or (path.exists() and not path.is_file()):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise InvalidArgumentError(f"cannot write {path}: {exc.strerror or exc}") from None
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise InvalidArgumentError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _check_plot(path: str) -> Path:
    p = _check_output(path, "--plot")
    from matplotlib.backend_bases import FigureCanvasBase

    kinds = FigureCanvasBase.get_supported_filetypes()
    if p.suffix.lower().lstrip(".") not in kinds:
        raise InvalidArgumentError(f"--plot {path}: name a .png, .pdf or .svg file "
                                   f"(the formats are {', '.join(sorted(kinds))})")
    return p


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
    from . import export
    from .exercises.sets import from_spec, load_spec

    if args.output is not None and not args.output.strip():
        raise InvalidArgumentError("-o needs a file name, e.g. -o worksheet.md (leave -o out to print)")
    if Path(args.source).is_dir():
        raise InvalidArgumentError(f"{args.source} is a folder: give a YAML spec file or a topic id (symtutor topics)")
    out = _check_output(args.output) if args.output else None
    if args.format == "pdf" and out is None:
        raise InvalidArgumentError("--format pdf needs -o FILE.pdf")
    progress = _Progress("generating")
    if args.source.endswith(".json") and Path(args.source).is_file():  # a set exported before: export it again
        from .export.jsonfile import MAX_JSON

        with open(args.source, encoding="utf-8", errors="replace") as fh:
            s = export.load(fh.read(MAX_JSON + 1), source=Path(args.source).name)
    elif args.source.endswith((".yaml", ".yml")) or Path(args.source).is_file():
        if not Path(args.source).exists():
            raise InvalidArgumentError(f"no such spec file: {args.source}")
        s = load_spec(args.source, progress=progress)
    else:
        spec = {"title": f"{args.source.replace('_', ' ').capitalize()} (difficulty {args.difficulty})",
                "items": [{"topic": args.source, "difficulty": args.difficulty, "count": args.count, "seed": args.seed}]}
        s = from_spec(spec, progress=progress)
    fmt = args.format
    if fmt == "moodle" and args.variants > 1 and len(s.items) * args.variants > MAX_EXERCISES:
        raise InvalidArgumentError(f"--variants {args.variants} would make {len(s.items) * args.variants:,} questions "
                                   f"from {len(s.items)} exercises; at most {MAX_EXERCISES} in all")
    if fmt == "pdf":
        sheet, key = export.to_pdf(s, str(out))
        print(f"wrote {sheet} and {key}", file=sys.stderr)
        return EXIT_OK
    if fmt == "tex":
        sheet, key = export.to_latex(s)
        if out is not None:
            keyfile = _check_output(str(out.with_name(out.stem + "-key" + out.suffix)))
            _write(out, sheet)
            _write(keyfile, key)
            print(f"wrote {out} and {keyfile}", file=sys.stderr)
            return EXIT_OK
        text = sheet
    else:
        text = {"md": export.to_markdown, "json": export.dump,
                "moodle": lambda s: export.to_moodle(s, variants=args.variants),
                "ipynb": export.to_notebook}[fmt](s)
    if out is not None:
        _write(out, text)
        print(f"wrote {len(s.items)} exercises to {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


_HELP = """Type your answer as you would write it: 2x cos(x^2), e^(x y), (a, b) for a vector.
Commands: hint (the next hint; each lowers the score), steps (the worked solution; the exercise then
scores nothing), skip, quit, help. Ctrl-C ends the session with its summary."""

_UNREAD = "I could not read your answer: "
_COMMANDS = ("hint", "steps", "skip", "quit", "help")
_MAX_LINE = 20_000  # characters of one answer read from standard input (longer ones are refused as too long)


def _pretty(value) -> str:
    return "\n".join("    " + line for line in expr_pretty(value).splitlines())


def _line_editing() -> None:
    """Arrow keys, history and Tab-completion of the commands at the practice prompt (when readline exists)."""
    try:
        import readline
    except ImportError:  # pragma: no cover - Python built without readline
        return

    def complete(text, state):
        matches = [c for c in _COMMANDS if c.startswith(text.lower())]
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_history_length(1000)
    if "libedit" in (readline.__doc__ or ""):  # pragma: no cover - macOS
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")


def _read_line() -> str:
    line = sys.stdin.readline(_MAX_LINE)
    if len(line) == _MAX_LINE and not line.endswith("\n"):
        rest = line
        while rest and not rest.endswith("\n"):  # the rest of an over-long line is not a new answer
            rest = sys.stdin.readline(_MAX_LINE)
    return line if line else "quit"


def _practice(args) -> int:
    from .exercises.core import TOPICS, topics
    from .practice import Practice, plain
    from .progress import ProgressStore

    topics()
    chosen = list(args.topic)
    if args.week:
        chosen += [t.id for t in TOPICS.values() if t.week == args.week]
    quiet = args.json
    if sys.stdin is None:  # started with standard input closed (<&-)
        raise InvalidArgumentError("practice reads answers from standard input, which is closed; "
                                   "run it in a terminal or give it input")
    interactive = sys.stdin.isatty() and not quiet
    transcript = []

    def say(text: str = "") -> None:
        if not quiet:
            print(text, flush=True)

    def ask() -> str:
        if not interactive:
            return _read_line()
        try:
            return input("> ")
        except EOFError:
            print()
            return "quit"

    if interactive:
        _line_editing()
    with ProgressStore(args.db) as store:
        session = Practice(store, topics=chosen or None, difficulty=args.difficulty, count=args.count, seed=args.seed)
        interrupted = False
        try:
            say(f"symtutor practice: {args.count} exercise(s). Type 'help' for the commands.")
            quit_now = False
            while not quit_now:
                ex = session.next()
                if ex is None:
                    break
                say()
                say(f"Exercise {len(session.shown)}/{args.count} - {ex.topic.replace('_', ' ')} "
                    f"(difficulty {ex.difficulty})")
                say(plain(ex.prompt))
                function = dict(ex.options).get("function")
                if function is not None:
                    say(_pretty(function))
                record = {"exercise": ex.id, "prompt": ex.prompt, "events": []}
                transcript.append(record)
                while True:
                    line = ask()
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
                    elif turn.kind == "hint":
                        say(plain(turn.text))
                    elif turn.kind in ("skip", "steps"):
                        say(plain(turn.text))
                    elif turn.feedback is not None:
                        fb = turn.feedback
                        if fb.understood:  # as it was read, not simplified: 1/2 + (x - 2)/4 stays so
                            say(f"understood as: {fb.understood}")
                        label = {"correct": "Correct", "incorrect": "Not right", "invalid": "Could not read that",
                                 "undecided": "Undecided"}[fb.status]
                        message = fb.message
                        if fb.status == "invalid" and message.startswith(_UNREAD):  # said once, by the label
                            message = message[len(_UNREAD):]
                        say(f"{label}: {message}" if fb.status != "correct" else message)
                        if fb.status == "incorrect":
                            say("Try again, or type hint, steps or skip.")
                    if turn.done:
                        break
        except KeyboardInterrupt:
            interrupted = True
            say()
            say("Interrupted: the attempts so far are recorded.")
        summary = session.summary()
        say()
        say(f"Done: {summary.exercises} exercise(s) in {summary.seconds:.0f} s.")
        for topic, (total, n) in summary.scores.items():
            say(f"  {topic:26} {total:.2f} / {n}")
        say(f"Practise next: {summary.suggestion}")
        if quiet:
            print(json.dumps({"session": session.session, "exercises": transcript, "interrupted": interrupted,
                              "summary": {"exercises": summary.exercises, "seconds": round(summary.seconds, 3),
                                          "scores": {t: {"score": round(v[0], 4), "exercises": v[1]}
                                                     for t, v in summary.scores.items()},
                                          "suggestion": summary.suggestion}}, indent=2, ensure_ascii=False))
    return EXIT_INTERRUPTED if interrupted else EXIT_OK


def _progress(args) -> int:
    import csv

    from .exercises.core import TOPICS, topics
    from .practice import topic_states
    from .progress import ProgressStore, default_path

    plot = _check_plot(args.plot) if args.plot else None
    topics()
    path = Path(args.db) if args.db else default_path()
    if args.db is None and not path.exists():
        history = []  # nothing practised yet: nothing to open, and nothing created
    else:
        with ProgressStore(path, create=False) as store:
            history = store.attempts()
    if args.export == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["at", "session", "exercise_id", "topic", "difficulty", "answer", "status", "score",
                         "hints", "seconds"])
        for a in history:
            writer.writerow([a.at, a.session, a.exercise_id, a.topic, a.difficulty, a.answer, a.status,
                             a.score, a.hints, a.seconds])
        return EXIT_OK
    states = topic_states(history, list(TOPICS))
    print(f"{len(history)} attempt(s) in {path}" + ("" if history else " (start with: symtutor practice)"))
    print(f"{'topic':26} {'week':>4} {'level':>5} {'mastery':>8} {'attempts':>8}  last seen")
    for t in TOPICS.values():
        st = states[t.id]
        seen = st.last_seen[:10] if st.last_seen else "-"
        print(f"{t.id:26} {t.week:4d} {st.level:5d} {st.mastery:8.0%} {st.attempts:8d}  {seen}")
    if plot is not None:
        from .plotting import plot_progress

        plot_progress(history, states, str(plot))
        print(f"wrote {plot}")
    return EXIT_OK


class _Quiet:
    """Floating-point trouble in a descent (overflow, division by zero) is reported once, after it, not as warnings."""

    def __enter__(self):
        import numpy as np

        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)
        self._errstate = np.errstate(all="ignore")
        self._errstate.__enter__()
        return self

    def __exit__(self, kind, exc, tb):
        self._errstate.__exit__(kind, exc, tb)
        self._warnings.__exit__(kind, exc, tb)
        if kind is not None and issubclass(kind, ArithmeticError):
            raise InvalidArgumentError(_DIVERGED) from None
        return False


_DIVERGED = ("the descent broke down (a value overflowed or was divided by zero): "
             "try a smaller --aggression or another starting point")


def _diverged(*values) -> bool:
    import numpy as np

    return not all(np.all(np.isfinite(np.asarray(v, dtype=float))) for v in values)


def _backprop(args) -> int:
    import numpy as np

    from .assignments import backprop as bp

    plot = _check_plot(args.plot) if args.plot else None
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

    with _Quiet():
        result = bp.train(params, x, y, iterations=args.iterations, aggression=args.aggression, noise=args.noise,
                          rng=rng, callback=tick if sys.stderr.isatty() else None)
    if _diverged(result.costs[-1]):
        raise InvalidArgumentError(_DIVERGED)
    print(f"cost after {args.iterations} iterations: {result.costs[-1]:.6g} (from {result.costs[0]:.6g})")
    if plot is not None:
        from .plotting import cost_history, heart_training, save_figure

        def draw(_fig, left, right):
            heart_training(left, x, y, result.snapshots)
            cost_history(right, result.iterations, result.costs)

        save_figure(str(plot), draw, figsize=(11, 5), ncols=2)
        print(f"wrote {plot}")
    return EXIT_OK


def _heights(args) -> int:
    from .assignments import heights as h

    plot = _check_plot(args.plot) if args.plot else None
    x, y = h.heights_data()
    with _Quiet():
        r = h.fit(x, y, mu=args.mu, sig=args.sig, steps=args.steps, aggression=args.aggression)
    if _diverged(r.mu, r.sig, r.chi2):
        raise InvalidArgumentError(_DIVERGED)
    print(f"after {args.steps} steps: μ = {r.mu:.4f} cm, σ = {r.sig:.4f} cm, χ² = {r.chi2:.6g}")
    if plot is not None:
        from .plotting import chi2_contours, histogram_fit, save_figure

        def draw(_fig, left, right):
            histogram_fit(left, x, y, r.mu, r.sig, h.model)
            chi2_contours(right, x, y, r.path, h.chi2)

        save_figure(str(plot), draw, figsize=(12, 5), ncols=2)
        print(f"wrote {plot}")
    return EXIT_OK


def _check(args) -> int:
    from .exercises.spec import _undefined

    point = _point(args.at) if args.at else None
    expected = parse(args.expected)
    if _undefined(expected):  # no answer could be right: a mistake in the command, not a verdict
        raise InvalidArgumentError(f"--expected {args.expected} is undefined or infinite; give a defined expression")
    fb = check(
        args.answer,
        expected,
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
    return EXIT_OK if fb.correct else EXIT_NOT_CORRECT


# ---- the derivations: computed in the sandbox, within COMPUTE_TIMEOUT --------------------------------------

COMPUTE_TIMEOUT = 60.0
"""Seconds that derive, gradient, jacobian, hessian and taylor may take (in a worker with a memory bound)."""


def _bounded(text_of, args) -> int:
    from .sandbox import SandboxMemoryError, SandboxTimeout, default_sandbox

    try:
        text = default_sandbox().run(_in_worker, text_of, args, timeout=COMPUTE_TIMEOUT)
    except SandboxTimeout:
        raise InvalidArgumentError(f"the computation took longer than {COMPUTE_TIMEOUT:g} s, so it was stopped; "
                                   "try a simpler expression or a lower order") from None
    except SandboxMemoryError:
        raise InvalidArgumentError("the computation needed too much memory, so it was stopped; "
                                   "try a simpler expression or a lower order") from None
    print(text)
    return EXIT_OK


def _in_worker(text_of, args) -> str:
    try:
        return text_of(args)
    except ParseError as exc:  # its position does not survive pickling: send the line it would print
        raise InvalidArgumentError(_one_line(exc)) from None


def _point(text: str) -> list:
    """The coordinates of ``--at``: each a finite real number or a symbol, never oo, zoo, nan or I."""
    point = [parse(c) for c in text.split(",")]
    for c in point:
        if isinstance(c, sp.MatrixBase) or c.has(sp.oo, -sp.oo, sp.zoo, sp.nan, sp.I) or c.is_finite is False:
            raise InvalidArgumentError(f"--at takes finite real coordinates, e.g. --at 0,1, not {expr_text(c)!r}")
    return point


def _variables(expr, names: str | None):
    if names:
        return [n.strip() for n in names.split(",") if n.strip()]
    free = sorted(expr.free_symbols, key=lambda s: s.name)
    if not free:
        raise InvalidArgumentError("the expression has no variables; name them with --vars")
    return free


def _format(args, value) -> str:
    if args.latex:
        return expr_latex(value)
    if args.markdown:
        return f"$${expr_latex(value)}$$"
    return expr_pretty(value)


def _emit(args, payload: dict, value, tree=None) -> str:
    if args.json:
        payload = dict(payload)
        payload["result"] = expr_text(value)
        payload["latex"] = expr_latex(value)
        if tree is not None:
            payload["steps"] = render_steps(tree)
        return json.dumps(payload, indent=2, ensure_ascii=False)
    parts = []
    if tree is not None:
        fmt = "latex" if args.latex else "markdown" if args.markdown else "text"
        parts += [render_steps(tree, fmt=fmt), ""]
    parts.append(_format(args, value))
    return "\n".join(parts)


def _derive_text(args) -> str:
    expr = parse(args.expr, functions=args.function)
    if args.wrt:
        var = args.wrt
    else:
        free = sorted(expr.free_symbols, key=lambda s: s.name)
        if len(free) != 1:
            names = ", ".join(map(str, free)) or "none"
            raise InvalidArgumentError(f"the expression has variables {names}; choose one with --wrt")
        var = free[0]
    if args.steps and args.order != 1:
        raise InvalidArgumentError("--steps shows first derivatives; use --order 1")
    result = derivative(expr, var, order=args.order)
    tree = derivative_steps(expr, var) if args.steps else None
    return _emit(args, {"command": "derive", "input": args.expr, "variable": str(var), "order": args.order},
                 result, tree)


_MATRIX = {"gradient": (gradient, gradient_steps), "jacobian": (jacobian, jacobian_steps),
           "hessian": (hessian, hessian_steps)}


def _matrix_text(args) -> str:
    compute, steps = _MATRIX[args.command]
    expr = parse(args.expr)
    variables = _variables(expr if not isinstance(expr, sp.MatrixBase) else sp.Matrix(expr), args.vars)
    result = compute(expr, variables)
    tree = steps(expr, variables) if args.steps else None
    return _emit(args, {"command": args.command, "input": args.expr, "variables": [str(v) for v in variables]},
                 result, tree)


def _taylor_text(args) -> str:
    expr = parse(args.expr)
    variables = _variables(expr, args.vars)
    point = _point(args.at)
    bounds = None
    if args.interval:
        try:
            lo, hi = (float(parse(v)) for v in args.interval.split(","))
        except (ValueError, TypeError):
            raise InvalidArgumentError("--interval takes two numbers, e.g. --interval -0.5,0.5") from None
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            raise InvalidArgumentError("--interval takes two finite numbers, the lower first, e.g. --interval -0.5,0.5")
        bounds = (lo, hi)
    poly = taylor(expr, variables, point=point, order=args.order)
    payload = {"command": "taylor", "input": args.expr, "variables": [str(v) for v in variables],
               "point": [expr_text(p) for p in point], "order": args.order}
    bound = None
    if bounds is not None:
        bound = taylor_remainder_bound(expr, variables, point=point, order=args.order, interval=bounds)
        payload["remainder_bound"] = bound.bound
    text = _emit(args, payload, poly)
    if bound is not None and not args.json:
        text += f"\n\nOn [{bounds[0]:g}, {bounds[1]:g}]: {bound}"
    return text


def _derive(args) -> int:
    return _bounded(_derive_text, args)


def _gradient(args) -> int:
    return _bounded(_matrix_text, args)


_jacobian = _hessian = _gradient


def _taylor(args) -> int:
    return _bounded(_taylor_text, args)


# ---- the edge ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``symtutor`` command with ``argv`` (default: the process arguments); return the exit code.

    Examples:
        >>> main(["derive", "-x^3", "--wrt", "x"])
            2
        -3⋅x
        0
    """
    _tolerant_streams()
    parser = _build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(_protect_values(parser, argv))
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    _unprotect(args, _subparsers(parser)[args.command].escaped)
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader went away (symtutor topics | head): not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - stays open until exit
        return EXIT_OK
    except KeyboardInterrupt:
        print("\nsymtutor: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except SymtutorError as exc:
        return _fail(_one_line(exc))
    except OSError as exc:
        return _fail(_os_message(exc))
    except Exception as exc:
        if type(exc).__module__.split(".")[0] == "yaml":  # a spec that is not valid YAML
            return _fail(f"the spec is not valid YAML: {_first_line(exc)}")
        raise  # a bug: its traceback is wanted


def _fail(message: str) -> int:
    print(f"symtutor: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _tolerant_streams() -> None:
    """Text that cannot be decoded or encoded is replaced, never a UnicodeError."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # pragma: no cover - a closed or unusual stream
                pass


def _first_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split("\n")[:1]).strip()
    return text or type(exc).__name__


def _os_message(exc: OSError) -> str:
    what = exc.strerror or _first_line(exc)
    if exc.filename is not None:
        return f"{exc.filename}: {what}"
    return what


def _one_line(exc: SymtutorError) -> str:
    if isinstance(exc, ParseError):
        where = f" (at character {exc.position + 1})" if exc.position is not None else ""
        return f"{exc.message}{where}"
    return _first_line(exc)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
