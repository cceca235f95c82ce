"""Shared fixtures, one per resource: the bundled KB (loaded on first use, never at
collection), the fixtures folders, the essay beside the repository, and the real CLI."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from kb.api import KnowledgeBase
    from kb.loader import Loaded

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kb" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: ``shared/`` sits beside the repository (in CI too, as a read-only copy).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
#: The facts of a scenario the essay never discussed (Example 3's shape), for classify tests.
EXAMPLE_FACTS = {
    "mesa_optimizer": True,
    "objective": "proxy",
    "proxy_diverges_in_training": False,
    "proxy_diverges_in_deployment": True,
    "training_converged": True,
    "capabilities_generalize": True,
}
ESSAY = SHARED / "seeds" / "000_d3d824ec668cdee1.txt"
INVALID = FIXTURES / "invalid"
#: The invalid fixtures, each with the messages it must produce in ``NAME.expected``.
CASES = sorted(p.stem for p in INVALID.glob("*.expected"))


def invalid_case(name: str) -> Path:
    """The Turtle file (or folder) of one invalid fixture."""
    folder = INVALID / name
    return folder if folder.is_dir() else INVALID / f"{name}.ttl"


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every Turtle file in ``folder`` by name, as bytes (to compare before and after)."""
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ttl"))}


@functools.cache
def bundled() -> Loaded:
    """The bundled KB, validated: loaded on first use, then shared by the whole session."""
    from kb.loader import load

    return load()


@pytest.fixture(scope="session")
def k() -> KnowledgeBase:
    """The bundled KB through the Python API (read-only: tests must not change it)."""
    from kb.api import KnowledgeBase

    return KnowledgeBase.load()


@pytest.fixture(scope="session")
def essay() -> Path:
    """The essay's text, which is not in the repository (its licence is unknown).

    CI lays ``shared/`` beside the clone, so there a missing essay fails; a plain clone
    without it skips the few tests that compare quotes with the essay, saying why.
    """
    if not ESSAY.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"the essay is expected at {ESSAY}")
        pytest.skip(f"the essay is not beside this clone ({ESSAY})")
    return ESSAY


#: A schema-valid KB whose every text field holds markup and control-character payloads.
HOSTILE_KB = FIXTURES / "hostile_site_kb"


def run_kb(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the real command line (``python -m kb.cli``) and capture its output.

    ``env`` adds (or overrides) environment variables for this run.
    """
    env = {k: v for k, v in os.environ.items() if k != "KB_DEBUG"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "kb.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        cwd=cwd or ROOT,
        env=env,
        timeout=300,
        check=False,
    )


KbCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kb_cli() -> KbCli:
    """The real ``kb`` command in a subprocess: ``kb_cli("validate", path)``."""
    return run_kb


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled KB's Turtle files."""
    target = tmp_path / "kb"
    shutil.copytree(DATA, target)
    return target


def build_site(
    out: Path, kb_path: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``kb site build`` (a strict mkdocs build) into ``out``, optionally from another KB."""
    args = ["site", "build", "--out", str(out)]
    if kb_path is not None:
        args += ["--kb", str(kb_path)]
    return run_kb(*args, env=env)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled KB, built once per test session."""
    out = tmp_path_factory.mktemp("site") / "build"
    result = build_site(out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of :data:`HOSTILE_KB`, built once per test session."""
    out = tmp_path_factory.mktemp("hostile") / "build"
    result = build_site(out, HOSTILE_KB)
    assert result.returncode == 0, result.stdout + result.stderr
    return out
