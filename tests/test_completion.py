"""Shell completion, as bash runs it: the function `register-python-argcomplete kb` installs,
called the way bash calls it on a Tab, offering commands, question names and entity ids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from kb import KnowledgeBase
from kb.query.questions import registry

BIN = Path(sys.executable).parent


def complete(line: str) -> list[str]:
    """What bash offers for ``line`` (cursor at its end) after the README's install line."""
    words = line.split(" ")
    script = (
        'eval "$(register-python-argcomplete kb)"\n'
        'COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< "$1"\n'
        '[[ "$1" == *" " ]] && COMP_WORDS+=("")\n'
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMP_TYPE=9\n"
        '_python_argcomplete kb "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    result = subprocess.run(
        ["bash", "-c", script, "bash", line],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert words
    return [word.strip() for word in result.stdout.splitlines() if word.strip()]


def test_commands_complete() -> None:
    assert complete("kb ma") == ["matrix"]
    assert {"verdicts", "validate"} <= set(complete("kb v"))


def test_question_names_complete() -> None:
    assert complete("kb ask ") == sorted(registry())
    assert complete("kb ask disag") == ["disagreements"]
    assert complete("kb ask disagreements ") == ["a=", "b="]


def test_entity_ids_complete(k: KnowledgeBase) -> None:
    scenarios = sorted(s.id for s in k.all() if type(s).__name__ == "Scenario")
    assert complete("kb verdicts ") == scenarios
    assert complete("kb verdicts example-3 --approach o") == [
        "objective-focused",
        "optimization-focused",
    ]
    assert complete("kb show evan") == ["evan-hubinger"]
    assert "derived-birth-control-objective-focused" in complete("kb show derived-b")


def test_completion_reads_the_kb_given(kb_copy: Path) -> None:
    scenarios = kb_copy / "scenarios.ttl"
    scenarios.write_text(
        scenarios.read_text(encoding="utf-8").replace("id:example-5 ", "id:example-55 "),
        encoding="utf-8",
    )
    assert "example-55" in complete(f"kb verdicts --kb {kb_copy} example-5")
