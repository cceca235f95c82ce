"""Rewrite the outputs shown in README.md's console blocks with what the commands print.

    python scripts/readme_outputs.py [--check]

Each ``$ kb ...`` line followed by output lines is run (80 columns, no colour) and its
output replaced. ``tests/test_docs.py`` fails when an output is stale; run this after a
change to the data or to what a command prints.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)
COMMAND = re.compile(r"^\$ (kb [^\n]*)\n((?:(?!\$ )[^\n]*\n)+)", re.M)


def run(command: str) -> str:
    """What ``command`` (a README line, comment dropped) prints at 80 columns, no colour."""
    argv = shlex.split(command.split("  #")[0])[1:]
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"COLUMNS": "80", "NO_COLOR": "1"},
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"`{command}` failed: {result.stderr.strip()}")
    return result.stdout


def commands(text: str) -> list[tuple[str, str]]:
    """Each ``(command, shown output)`` of the README's console blocks."""
    return [pair for block in BLOCK.findall(text) for pair in COMMAND.findall(block)]


def rewrite(text: str) -> str:
    def block(match: re.Match[str]) -> str:
        body = COMMAND.sub(lambda m: f"$ {m[1]}\n{run(m[1])}", match[1])
        return f"```console\n{body}```"

    return BLOCK.sub(block, text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    text = README.read_text(encoding="utf-8")
    new = rewrite(text)
    if args.check:
        return 1 if new != text else 0
    if new != text:
        README.write_text(new, encoding="utf-8")
        print(f"rewrote {README.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
