"""Render rows for the terminal and for programs: table (fits 80 columns), JSON, CSV, TSV.

Tables never cut text: a column too wide for the terminal wraps its cells onto more
lines, and when even that cannot fit, rows print as records. Colour is only ever added
to text that reads the same without it, and only on a terminal without ``NO_COLOR``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json", "csv", "tsv")

#: Widest a table gets, even on a wider terminal: longer lines are hard to read.
MAX_WIDTH = 80
#: Narrowest a table column may get; with more columns than fit, rows print as records.
MIN_COLUMN = 10


#: Control characters (C0 but whitespace, DEL, C1), which could drive the terminal.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in "\t\n\r"}


def clean(text: str) -> str:
    """The text with control characters shown as ``\\x1b``: KB text never drives the terminal."""
    return text.translate(_CONTROLS)


def cell(value: object) -> str:
    """A value as one line of text: yes/no for booleans, lists joined with commas, and
    control characters shown as ``\\x1b`` (KB text never drives the terminal)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return " ".join(clean(str(value)).split())


def terminal_width() -> int:
    """The width to lay text out in: the terminal's (or ``$COLUMNS``), at most 80."""
    return min(MAX_WIDTH, shutil.get_terminal_size((MAX_WIDTH, 24)).columns)


def colour_enabled(stream: TextIO | None = None) -> bool:
    """Colour only on a terminal, never with ``NO_COLOR`` set (no-color.org) or TERM=dumb."""
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


#: ANSI styles, by name; :func:`paint` adds them around text that already says everything.
STYLES = {"bold": "1", "dim": "2", "green": "32", "red": "31", "yellow": "33", "blue": "34"}


def paint(text: str, style: str | None, enabled: bool) -> str:
    if not enabled or not style or not text:
        return text
    return f"\x1b[{STYLES[style]}m{text}\x1b[0m"


def wrap(text: str, width: int) -> list[str]:
    """Words on lines no wider than ``width``; a word longer than that is split, never cut."""
    import textwrap  # only tables wrap; JSON output starts without it

    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


def _fit_widths(columns: list[str], cells: list[list[str]], budget: int) -> list[int] | None:
    """Column widths that fit ``budget``: the widest column gives way first, never below its
    heading, its longest word (ids and values stay whole) or :data:`MIN_COLUMN`; None when
    even those do not fit."""
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    floors = [
        min(widths[i], max(MIN_COLUMN, len(c), _longest_word([r[i] for r in cells])))
        for i, c in enumerate(columns)
    ]
    if sum(floors) > budget:
        return None
    while sum(widths) > budget:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def table(
    rows: Sequence[dict[str, Any]],
    width: int | None = None,
    colour: bool = False,
    styles: dict[str, Callable[[str], str | None]] | None = None,
) -> str:
    """A plain-text table no wider than ``width`` (default: :func:`terminal_width`).

    Cells too long for their column wrap onto further lines (rows with wrapped cells are
    set apart by a blank line); when even the narrowest columns are too wide, each row
    prints as a record instead. ``styles`` maps a column to a function giving a cell's
    style name (see :data:`STYLES`), used only when ``colour`` is on.

    >>> rows = [{"id": "example-3", "why": "a reason long enough to wrap onto a second line"}]
    >>> print(table(rows, width=40), end="")
    id         why
    ---------  -----------------------------
    example-3  a reason long enough to wrap
               onto a second line
    """
    if not rows:
        return "(no rows)\n"
    width = width or terminal_width()
    columns = list(rows[0])
    cells = [[cell(row.get(c)) for c in columns] for row in rows]
    widths = _fit_widths(columns, cells, width - 2 * (len(columns) - 1))
    if widths is None:
        return records(rows, width)
    styles = styles or {}

    def line(values: Sequence[str], painters: Sequence[str | None]) -> str:
        padded = [
            paint(v, style, colour) + " " * (w - len(v))
            for v, w, style in zip(values, widths, painters, strict=True)
        ]
        return "  ".join(padded).rstrip()

    out = [line(columns, ["bold"] * len(columns)), "  ".join("-" * w for w in widths)]
    wrapped_rows = [[wrap(v, w) for v, w in zip(r, widths, strict=True)] for r in cells]
    spaced = any(len(part) > 1 for r in wrapped_rows for part in r)
    for number, (wrapped, values) in enumerate(zip(wrapped_rows, cells, strict=True)):
        if spaced and number:
            out.append("")
        painters = [
            styles[c](v) if c in styles else None for c, v in zip(columns, values, strict=True)
        ]
        for depth in range(max(len(part) for part in wrapped)):
            out.append(
                line([part[depth] if depth < len(part) else "" for part in wrapped], painters)
            )
    return "\n".join(out) + "\n"


def records(rows: Sequence[dict[str, Any]], width: int = MAX_WIDTH) -> str:
    """Each row as ``field  value`` lines, values wrapped to fit ``width``; rows apart."""
    key_width = max(len(key) for row in rows for key in row)
    value_width = max(width - key_width - 2, 20)
    blocks = []
    for row in rows:
        lines = []
        for key, value in row.items():
            wrapped = wrap(cell(value), value_width)
            lines.append(f"{key.ljust(key_width)}  {wrapped[0]}".rstrip())
            lines += [f"{'':{key_width}}  {more}" for more in wrapped[1:]]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def paragraph(text: str, width: int, indent: str = "") -> str:
    """Text wrapped to ``width``, every line starting with ``indent``."""
    return "\n".join(indent + part for part in wrap(cell(text), width - len(indent))) + "\n"


def delimited(rows: Sequence[dict[str, Any]], delimiter: str) -> str:
    import csv

    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]), delimiter=delimiter, lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({k: cell(v) if not isinstance(v, str) else v for k, v in row.items()})
    return buffer.getvalue()


def render(rows: Sequence[dict[str, Any]], fmt: str, colour: bool = False) -> str:
    """Rows in one of :data:`FORMATS`."""
    if fmt == "json":
        return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return delimited(rows, ",")
    if fmt == "tsv":
        return delimited(rows, "\t")
    return table(rows, colour=colour)
