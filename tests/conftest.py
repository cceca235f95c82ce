"""Shared fixtures: paths to the bundled KB and to ``shared/``, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "kb" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: ``shared/`` sits beside the repository (in CI too, as a read-only copy).
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ESSAY = SHARED / "seeds" / "000_d3d824ec668cdee1.txt"
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
