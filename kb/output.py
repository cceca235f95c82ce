"""Render rows for the terminal and for programs: table (fits 80 columns), JSON, CSV, TSV."""

from __future__ import annotations

import csv
import io
import json
import shutil
import textwrap
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


#: Narrowest a table column may get; with more columns than fit, rows print as records.
MIN_COLUMN = 10


def table(rows: Sequence[dict[str, Any]], width: int | None = None) -> str:
    """A plain-text table no wider than ``width`` (default: terminal, at most 80).

    Columns shrink (longest first, cut with "…") down to :data:`MIN_COLUMN`; when even
    that is too wide, each row prints as a record instead, one wrapped field per line.
    """
    if not rows:
        return "(no rows)\n"
    width = width or min(80, shutil.get_terminal_size((80, 24)).columns)
    columns = list(rows[0])
    cells = [[_cell(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    budget = width - 2 * (len(columns) - 1)
    if sum(min(w, MIN_COLUMN) for w in widths) > budget:
        return records(rows, width)
    while sum(widths) > budget:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, size: int) -> str:
        return text if len(text) <= size else text[: max(size - 1, 0)] + "…"

    lines = ["  ".join(fit(c, w).ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(fit(v, w).ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def records(rows: Sequence[dict[str, Any]], width: int = 80) -> str:
    """Each row as ``field  value`` lines, values wrapped to fit ``width``; rows apart."""
    key_width = max(len(key) for row in rows for key in row)
    value_width = max(width - key_width - 2, 20)
    blocks = []
    for row in rows:
        lines = []
        for key, value in row.items():
            wrapped = textwrap.wrap(_cell(value), value_width) or [""]
            lines.append(f"{key.ljust(key_width)}  {wrapped[0]}".rstrip())
            lines += [f"{'':{key_width}}  {more}" for more in wrapped[1:]]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


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
