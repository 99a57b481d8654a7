"""The README's tour, executed (issue 13, point 7): every `$ watchfloor ...` command between the
README's tour markers runs, in order, in a fresh store beside a copy of examples/, and its
output must be what the README shows under it. So the README cannot drift from the code: the
dates, the board's order, the case and its drafted notice, the review's counts.

What the README shows is matched line by line (trailing spaces and blank lines aside). A line
"…" stands for any number of lines; a line ending in " …" matches any line that starts with
what comes before it (for what differs per run: paths of the fresh store, a deadline counted
from now, a digest). Output with no expected lines under it is not checked, only the exit code.
`$ export NAME=value` sets the environment of the commands after it.

WATCHFLOOR_TOUR_PRINT=1 prints each command's actual output, to refresh the README by hand.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
BEGIN, END = "<!-- tour: begin -->", "<!-- tour: end -->"
ANY = "…"
COLUMNS = "150"


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


def tour_steps(text: str) -> list[Step]:
    """The commands of the README's tour (every part between the markers, in order) with the
    output shown under each."""
    parts = [chunk.split(END, 1)[0] for chunk in text.split(BEGIN)[1:]]
    steps: list[Step] = []
    in_block = continued = False
    for line in "\n".join(parts).splitlines():
        if line.startswith("```"):
            in_block = not in_block
            continued = False
            continue
        if not in_block:
            continue
        if continued:
            steps[-1].command += " " + line.strip().removesuffix("\\").strip()
            continued = line.rstrip().endswith("\\")
        elif line.startswith("$ "):
            steps.append(Step(line[2:].strip().removesuffix("\\").strip()))
            continued = line.rstrip().endswith("\\")
        elif steps and line.strip():
            steps[-1].expected.append(line.rstrip())
    return steps


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether `actual` is what `expected` shows, with its "…" wildcards."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == ANY:
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    line = actual[0]
    prefix = head.endswith(" " + ANY)
    ok = line.startswith(head[: -len(ANY)].rstrip()) if prefix else line == head
    return ok and matches(rest, actual[1:])


def _run(step: Step, cwd: Path, env: dict[str, str]) -> list[str]:
    words = shlex.split(step.command)
    assert words[0] == "watchfloor", f"the tour runs watchfloor commands only: {step.command}"
    done = subprocess.run(
        [sys.executable, "-m", "watchfloor.cli", *words[1:]],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [x.rstrip() for x in done.stdout.splitlines() if x.strip()]
    assert done.returncode == 0, f"$ {step.command}\n" + "\n".join(lines)
    return lines


def test_the_readme_tour_parser_reads_commands_outputs_and_wildcards() -> None:
    text = f"{BEGIN}\n```\n$ watchfloor a \\\n    --b c\nout 1 …\n…\n$ watchfloor d\n```\n{END}"
    steps = tour_steps(text)
    assert [(s.command, s.expected) for s in steps] == [
        ("watchfloor a --b c", ["out 1 …", "…"]),
        ("watchfloor d", []),
    ]
    assert matches(["out 1 …", "…"], ["out 1 and more", "x", "y"])
    assert not matches(["out 1 …"], ["out 2"])
    assert not matches(["a"], ["a", "b"])


def test_the_readme_tour_runs_as_shown(tmp_path: Path) -> None:
    steps = tour_steps(README.read_text(encoding="utf-8"))
    assert len(steps) >= 10 and any("threats" in s.command for s in steps)
    work = tmp_path / "tour"
    work.mkdir()
    shutil.copytree(REPO / "examples", work / "examples")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO / "src"),
        "WATCHFLOOR_HOME": str(tmp_path / "var"),
        "COLUMNS": COLUMNS,
        "HOME": str(tmp_path),
    }
    show = bool(os.environ.get("WATCHFLOOR_TOUR_PRINT"))
    failures = []
    for step in steps:
        if step.command.startswith("export "):
            name, _, value = step.command.removeprefix("export ").partition("=")
            env[name] = value
            continue
        actual = _run(step, work, env)
        if show:
            print(f"$ {step.command}\n" + "\n".join(actual))
        if step.expected and not matches(step.expected, actual):
            failures.append(
                f"$ {step.command}\n--- README shows:\n"
                + "\n".join(step.expected)
                + "\n--- it printed:\n"
                + "\n".join(actual)
            )
    assert not failures, "\n\n".join(failures)
