"""The README's claims: its quick start, and the output it shows."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from symtutor.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", README, flags=re.S)


def test_quick_start_has_two_commands():
    start = README.index("## Quick start")
    end = README.index("##", start + 5)
    commands = [b.strip() for b in re.findall(r"```\n(.*?)```", README[start:end], flags=re.S)]
    assert len(commands) == 2
    assert commands[0].startswith("python3 -m venv .venv") and "pip install . && symtutor " in commands[0]
    assert commands[1].startswith("python3 -m venv .venv") and 'pip install ".[test]" && pytest' in commands[1]


def test_ci_runs_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text()
    assert "README.md" in script
    pattern = re.search(r"grep -E '([^']+)' README\.md", script).group(1)
    matches = [line for line in README.splitlines() if re.search(pattern, line)]
    assert len(matches) == 1 and re.search(r"&& pytest( [^&;|]*)?$", matches[0])


def test_the_shown_derivation_is_what_the_command_prints(capsys):
    shown = next(b for b in _blocks() if b.startswith("d/dx [sqrt(cos(x)^2 + 1)]"))
    assert main(["derive", "sqrt(1 + cos(x)^2)", "--wrt", "x", "--steps"]) == 0
    assert capsys.readouterr().out == shown


def test_ci_script_is_valid_bash():
    assert subprocess.run(["bash", "-n", str(ROOT / ".ci" / "run")]).returncode == 0
