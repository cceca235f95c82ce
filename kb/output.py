"""Render rows for the terminal and for programs: table (fits 80 columns), JSON, CSV, TSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Sequence
from typing import Any

FORMATS = ("table", "json", "csv", "tsv")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_cell(v) for v in value)
    return " ".join(str(value).split())


def table(rows: Sequence[dict[str, Any]], width: int | None = None) -> str:
    """A plain-text table no wider than ``width`` (default: terminal, at most 80)."""
    if not rows:
        return "(no rows)\n"
    width = width or min(80, shutil.get_terminal_size((80, 24)).columns)
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    budget = width - 2 * (len(columns) - 1)
    while sum(widths) > budget and max(widths) > 6:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[: max(size - 1, 0)] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(fit(v, w).ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def delimited(rows: Sequence[dict[str, Any]], delimiter: str) -> str:
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) if not isinstance(v, str) else v for k, v in row.items()})
    return buffer.getvalue()


def render(rows: Sequence[dict[str, Any]], fmt: str) -> str:
    """Rows in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return delimited(rows, ",")
    if fmt == "tsv":
        return delimited(rows, "\t")
    return table(rows)
