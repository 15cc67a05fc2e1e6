"""The commands behind the figures of ``docs/benchmarks.md``.

Every section of that page that gives figures names the ``python -m bench`` command that
produces them; ``python -m bench --commands`` prints them section by section, and a test checks
that every benchmark they name exists here."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
COMMAND = re.compile(r"`(python -m bench[^`]*)`")


def sections(text: str) -> list[tuple[str, str]]:
    """(heading, body) of each ``##`` section."""
    parts = re.split(r"^## +(.+)$", text, flags=re.MULTILINE)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def commands(body: str) -> list[str]:
    """The bench commands of a section; a command may be wrapped over lines in the text."""
    return [" ".join(match.split()) for match in COMMAND.findall(body)]


def named_benchmarks(command: str) -> list[str]:
    """The benchmarks a command runs: its ``--only`` list (all of them without one)."""
    words = shlex.split(command)
    if "--only" not in words:
        return ["*"]
    return words[words.index("--only") + 1].split(",")


def has_figures(body: str) -> bool:
    """A section with a table of figures (a Markdown table row holding a number)."""
    return any(line.startswith("|") and re.search(r"\d", line) for line in body.splitlines())


def doc_commands(path: Path = DOC) -> list[tuple[str, list[str]]]:
    return [(heading, commands(body)) for heading, body in sections(path.read_text())]


def print_commands(known: set[str], out) -> None:
    """Each section's heading and the commands that reproduce its figures."""
    for heading, found in doc_commands():
        print(f"{heading}:", file=out)
        for command in found:
            unknown = [n for n in named_benchmarks(command) if n != "*" and n not in known]
            flag = f"   (unknown: {', '.join(unknown)})" if unknown else ""
            print(f"    {command}{flag}", file=out)
