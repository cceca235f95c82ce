"""When each entity's data last changed, from the KB's git history.

``git blame`` each Turtle file once and keep, for every subject block (``id:slug a ...``
up to the next subject), the newest commit date among its lines. A KB outside a git
repository, or a machine without git, gets no dates: pages then show none.
"""

from __future__ import annotations

import datetime
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from kb.rdf.paths import turtle_files

_SUBJECT = re.compile(r"^id:([A-Za-z0-9_-]+)\s")
_TIME = re.compile(r"^committer-time (\d+)$")


def _blame(path: Path) -> list[int]:
    """The commit time of each line of ``path`` (empty when git cannot say)."""
    try:
        result = subprocess.run(
            ["git", "blame", "--line-porcelain", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if result.returncode != 0:
        return []
    return [int(m[1]) for line in result.stdout.splitlines() if (m := _TIME.match(line))]


def entity_dates(paths: Sequence[str | Path] | None = None) -> dict[str, str]:
    """Entity id → the date (YYYY-MM-DD, UTC) its Turtle last changed in git."""
    if shutil.which("git") is None:
        return {}
    newest: dict[str, int] = {}
    for path in turtle_files(paths):
        times = _blame(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(times) != len(lines):
            continue  # uncommitted edits or no history: no date rather than a wrong one
        subject = None
        for line, time in zip(lines, times, strict=True):
            if found := _SUBJECT.match(line):
                subject = found[1]
            if subject is not None:
                newest[subject] = max(newest.get(subject, 0), time)
    return {
        slug: datetime.datetime.fromtimestamp(time, datetime.UTC).date().isoformat()
        for slug, time in newest.items()
    }
