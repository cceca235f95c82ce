"""Every benchmark script runs at a tiny size, so none rots (no timing is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow
SCRIPTS = ROOT / "scripts"


def run_script(name: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(SCRIPTS / name), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "machine: " in result.stdout and "cores" in result.stdout
    return result.stdout


@pytest.mark.parametrize("fmt", ["json", "table"])
def test_bench_cli_smoke(fmt: str) -> None:
    out = run_script("bench_cli.py", "--runs", "1", "--format", fmt)
    assert "ratio: " in out and "(min " in out and f"--format {fmt}" in out
    assert "CPU ratio: " in out


def test_bench_scale_smoke(tmp_path: Path) -> None:
    out = run_script(
        "bench_scale.py", "--sizes", "300", "--repeat", "1", "--runs", "1",
        "--workdir", str(tmp_path),
    )  # fmt: skip
    assert "| 300 |" in out and "load / baseline" in out
    assert "rows; x" in out  # questions timed only where they return rows


def test_bench_site_smoke(tmp_path: Path) -> None:
    out = run_script(
        "bench_site.py", "--entities", "20", "--runs", "1", "--synthetic-only",
        "--keep", str(tmp_path),
    )  # fmt: skip
    assert "kb=synthetic 20" in out and "ratio=" in out and "pages=" in out
