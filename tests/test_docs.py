"""Every command has help text and a README entry; the README's Python example runs."""

from __future__ import annotations

import argparse
import re

from conftest import ROOT

from kb.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                found.append((full, sub.description or ""))
                found.extend(_commands(sub, full + " "))
    return found


def test_every_command_has_help_and_a_readme_entry() -> None:
    commands = _commands(build_parser())
    assert len(commands) >= 15
    for name, description in commands:
        assert description.strip(), f"kb {name} has no help text"
        assert f"kb {name}" in README, f"README.md does not mention `kb {name}`"


def test_readme_python_example_runs() -> None:
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    k = namespace["k"]
    assert k.get("example-3").id == "example-3"


def test_readme_outputs_are_what_the_commands_print() -> None:
    """Each ``$ kb ...`` line of a console block followed by output prints exactly that output
    (at 80 columns, without colour): `python scripts/readme_outputs.py` rewrites them."""
    from readme_outputs import commands, run

    shown = commands(README)
    assert len(shown) >= 3
    for command, output in shown:
        assert run(command) == output, (
            f"README shows stale output for `{command}`: run scripts/readme_outputs.py"
        )
