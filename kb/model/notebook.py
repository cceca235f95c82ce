"""How entities and verdict lists show at a Python prompt and in Jupyter.

A one-line ``repr`` names the kind, the id and the label; ``_repr_html_`` is a table of
the fields (for a verdict list, the verdict matrix). Every KB text is HTML-escaped.
"""

from __future__ import annotations

import html
from typing import Any

#: Longest one-line repr; a longer label is cut there (the full label is one attribute away).
REPR_WIDTH = 120


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def summary(item: object) -> str:
    """What an entity or verdict row is, in a few words."""
    if hasattr(item, "scenario") and hasattr(item, "approach"):
        value = getattr(item, "value", None) or ""
        marks = [m for m in ("hedged", "implied") if getattr(item, m, False)]
        if getattr(item, "basis", "stated") == "derived":
            marks.append("derived")
        extra = f" ({', '.join(marks)})" if marks else ""
        return f"{item.approach} on {item.scenario}: {value}{extra}"
    return str(getattr(item, "display_label", "") or "")


def _value_html(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_value_html(v) for v in value)
    return html.escape(str(value))


def fields_html(item: Any) -> str:
    """An HTML table of an entity's set fields, headed by its kind, id and summary."""
    data = item.model_dump(exclude_none=True)
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(name)}</th>"
        f"<td style='text-align:left'>{_value_html(value)}</td></tr>"
        for name, value in data.items()
        if value not in ([], "")
    )
    caption = f"{type(item).__name__} {item.id}: {' '.join(summary(item).split())}"
    return f"<table><caption>{html.escape(caption)}</caption><tbody>{rows}</tbody></table>"


class Displayable:
    """Mixed into the models: a short repr and an HTML table for notebooks."""

    def __repr__(self) -> str:
        head = f"<{type(self).__name__} {getattr(self, 'id', '')}: "
        return head + _short(summary(self), max(REPR_WIDTH - len(head) - 1, 20)) + ">"

    def _repr_html_(self) -> str:
        return fields_html(self)
