"""What every benchmark script prints: the machine it ran on and a spread, never one number.

Figures from a shared machine move with its load, so each script repeats its measurements,
prints min, median and max, and compares with a baseline doing the same work in the same
run (a ratio survives a busy machine better than a time does).
"""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from pathlib import Path


def machine() -> str:
    """Cores, CPU model, load average and Python: enough to tell two runs' machines apart."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"machine: {os.cpu_count()} cores{f' ({model})' if model else ''}, "
        f"load average {load}; Python {platform.python_version()} on {platform.system()}"
    )


def spread(values: Sequence[float], scale: float = 1.0, unit: str = "", digits: int = 1) -> str:
    """``median M (min A, max B)`` of ``values`` times ``scale``, with ``unit``."""
    low, mid, high = (scale * v for v in (min(values), statistics.median(values), max(values)))
    return f"{mid:.{digits}f}{unit} (min {low:.{digits}f}, max {high:.{digits}f})"


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """Run-by-run ratios of paired measurements (taken alternately, so under the same load)."""
    return [n / d for n, d in zip(numerators, denominators, strict=True)]
