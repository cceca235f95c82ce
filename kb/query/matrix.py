"""The verdict matrix: scenarios as rows, approaches as columns, in the essay's order.

One :class:`Matrix` built from the ``verdicts`` question's rows serves ``kb matrix`` (a
table fitting 80 columns, CSV, JSON, Markdown), ``KnowledgeBase.matrix()`` and the
notebook view of a verdict list. Cells carry the site's marks: hedged, derived, implied,
and each row whether the approaches disagree. Pure Python: no pydantic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from kb.model.schema_table import VERDICT_LOOKS
from kb.query.output import clean, table, terminal_width, wrap

if TYPE_CHECKING:
    import pandas

    from kb.query.engine import Backend

#: The marks a cell may carry, with the letter the terminal table uses and their meaning.
MARKS = {
    "hedged": ("h", "the essay hedges it"),
    "derived": ("d", "computed by the approach's rule, not stated in the essay"),
    "implied": ("i", "plainly implied by the essay, not said in so many words"),
}
#: The verdict values with their symbols and short forms, in the legend's order.
VALUES = {value: (look.symbol, look.short) for value, look in VERDICT_LOOKS.items()}
#: The mark on a row whose verdicts differ between approaches.
DISAGREE = "≠"


@dataclass(frozen=True)
class Cell:
    """One approach's verdict on one scenario, with its marks, and how the approach
    classifies the failure the scenario shows (when the verdict says). ``value`` is the
    verdict's value, as on every verdict object (``verdict`` in :meth:`as_dict`, as in the
    question's rows)."""

    value: str | None
    hedged: bool
    derived: bool
    implied: bool
    id: str
    failure: str | None = None

    @property
    def verdict(self) -> str | None:
        """Deprecated: :attr:`value`, the name every verdict uses."""
        import warnings

        warnings.warn("Cell.verdict is deprecated; use .value", DeprecationWarning, stacklevel=2)
        return self.value

    @property
    def marks(self) -> tuple[str, ...]:
        return tuple(m for m in MARKS if getattr(self, m))

    @property
    def text(self) -> str:
        """The verdict and the failure in words: ``inner-aligned; generalization-failure``."""
        return "; ".join(part for part in (self.value, self.failure) if part)

    def __str__(self) -> str:
        return self.text + (f" ({', '.join(self.marks)})" if self.marks else "")

    def short(self) -> str:
        """The cell as the terminal table prints it: ``✘ misaligned h d``, then the failure's
        code (``IF``, ``GF``, ...) when the verdict classifies it."""
        from kb.query.views import failure_code

        symbol, word = VALUES.get(self.value or "", ("", self.value or "—"))
        letters = " ".join(MARKS[m][0] for m in self.marks)
        failure = failure_code(self.failure)
        return " ".join(part for part in (symbol, word, letters, failure) if part)

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.value,
            "failure": self.failure,
            "hedged": self.hedged,
            "basis": "derived" if self.derived else "stated",
            "implied": self.implied,
            "id": self.id,
        }


@dataclass(frozen=True)
class Row:
    """One scenario's row: its id and label, whether the approaches disagree, its cells."""

    scenario: str
    label: str
    cells: Mapping[str, Cell]

    @property
    def disagree(self) -> bool:
        return len({(c.value, c.failure) for c in self.cells.values()}) > 1

    def as_dict(self) -> dict[str, Any]:
        """The row as a flat dict: scenario, label, one verdict text per approach, disagree."""
        return {
            "scenario": self.scenario,
            "label": self.label,
            **{a: str(c) for a, c in self.cells.items()},
            "disagree": self.disagree,
        }


class Matrix(Sequence[Row]):
    """The matrix as rows (one per scenario, in the essay's order); approaches in order."""

    def __init__(self, approaches: Sequence[tuple[str, str]], rows: Sequence[Row]):
        #: ``(id, label)`` of each approach, in column order.
        self.approaches = list(approaches)
        self.rows = list(rows)

    def __len__(self) -> int:
        return len(self.rows)

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        return self.rows[index]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __repr__(self) -> str:
        return f"<Matrix: {len(self.rows)} scenarios by {len(self.approaches)} approaches>"

    def to_pandas(self) -> pandas.DataFrame:
        """A pandas DataFrame indexed by scenario id (pandas is optional: install it first)."""
        try:
            import pandas
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install pandas") from None
        frame = pandas.DataFrame([row.as_dict() for row in self.rows])
        return frame.set_index("scenario") if len(frame) else frame

    def _repr_html_(self) -> str:
        return to_html(self)

    def headings(self) -> dict[str, str]:
        """A short heading for each approach: the first word of its id when those are unique."""
        firsts = [a.split("-")[0] for a, _ in self.approaches]
        unique = len(set(firsts)) == len(firsts)
        return {a: (f if unique else a) for (a, _), f in zip(self.approaches, firsts, strict=True)}


_SECTION = re.compile(r"Example (\d+)")


def essay_order(scenarios: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Scenario ids in the order the essay discusses them.

    The essay is laid out in numbered example sections, which each scenario's ``locator``
    names. Within a section the section's own example comes first, then its variants
    (``sub_case_of``), then the cases the essay compares with it, by label.
    """

    def key(item: tuple[str, Mapping[str, Any]]) -> tuple[int, int, str]:
        scenario_id, info = item
        heading = _SECTION.search(info.get("locator") or "")
        section = int(heading[1]) if heading else 10**6
        own = heading is not None and (info.get("label") or "").startswith(heading[0])
        rank = 0 if own and not info.get("sub_case_of") else 1 if info.get("sub_case_of") else 2
        return section, rank, (info.get("label") or scenario_id).lower()

    return [scenario_id for scenario_id, _ in sorted(scenarios.items(), key=key)]


def approach_rank(approach: str) -> tuple[int, str]:
    """The essay introduces the approaches in the order of their rules; others follow by id."""
    from kb.model.rules import RULES

    order = list(RULES)
    return (order.index(approach) if approach in order else len(order), approach)


def build(
    verdicts: Sequence[Mapping[str, Any]],
    scenarios: Mapping[str, Mapping[str, Any]],
    approaches: Mapping[str, str],
) -> Matrix:
    """The matrix from verdict rows (as the ``verdicts`` question gives them), scenario
    info (``label``, ``locator``, ``sub_case_of``) and approach labels, by id."""
    cells: dict[str, dict[str, Cell]] = {}
    for v in verdicts:
        cells.setdefault(v["scenario"], {})[v["approach"]] = Cell(
            value=v.get("verdict"),
            failure=v.get("failure"),
            hedged=bool(v["hedged"]),
            derived=v["basis"] == "derived",
            implied=bool(v.get("implied")),
            id=v["id"],
        )
    columns = sorted(approaches.items(), key=lambda item: approach_rank(item[0]))
    rows = [
        Row(
            s,
            scenarios[s].get("label") or s,
            {a: cells[s][a] for a, _ in columns if a in cells.get(s, {})},
        )
        for s in essay_order(scenarios)
        if s in cells
    ]
    return Matrix(columns, rows)


def load(backend: Backend) -> Matrix:
    """The matrix of a KB, from three queries against any backend."""
    from kb.query.engine import run_question, select, with_prefixes
    from kb.query.views import labels

    verdicts = run_question(backend, "verdicts", {})
    scenarios = select(
        backend,
        with_prefixes(
            "SELECT ?s ?locator ?sub_case_of WHERE { ?s a kb:Scenario "
            "OPTIONAL { ?s kb:locator ?locator } OPTIONAL { ?s kb:subCaseOf ?sub_case_of } }"
        ),
    )
    approach_ids = {str(v["approach"]) for v in verdicts}
    scenario_ids = [str(row["s"]) for row in scenarios]
    names = labels(backend, [*scenario_ids, *approach_ids])
    return build(
        verdicts,
        {s: {**row, "label": names.get(s)} for s, row in zip(scenario_ids, scenarios, strict=True)},
        {a: names.get(a, a) for a in approach_ids},
    )


# --- renderers ---------------------------------------------------------------------------


def legend(matrix: Matrix, short: bool = True) -> list[str]:
    """What the headings, symbols and marks mean, one item per line."""
    items = []
    if short:
        items += [f"{h} = {dict(matrix.approaches)[a]}" for a, h in matrix.headings().items()]
        items.append("  ".join(f"{s} {v}" for v, (s, _) in VALUES.items()))
        items += [f"{letter} = {name}: {meaning}" for name, (letter, meaning) in MARKS.items()]
    else:
        items += [f"{name}: {meaning}" for name, (_, meaning) in MARKS.items()]
    if any(c.failure for row in matrix for c in row.cells.values()):
        from kb.query.views import FAILURE_LOOKS

        kinds = ", ".join(
            (f"{code} {words}" if short else words) for code, _, words in FAILURE_LOOKS.values()
        )
        items.append(
            "beside the verdict on the system, how the approach classifies the failure the "
            f"scenario shows: {kinds}; — where the essay classifies only the failure"
        )
    items.append(f"{DISAGREE} = the approaches disagree on this scenario")
    return items


def to_text(matrix: Matrix, colour: bool = False, width: int | None = None) -> str:
    """The matrix for a terminal: short headings and cells, labels wrapped, a legend."""
    from kb.query.views import verdict_style

    width = width or terminal_width()
    headings = matrix.headings()
    rows = [
        {
            "": DISAGREE if row.disagree else "",
            "scenario": row.label,
            **{headings[a]: c.short() for a, c in row.cells.items()},
        }
        for row in matrix
    ]
    if not rows:
        return "(no rows)\n"
    styles = {h: (lambda text: verdict_style(_value_of(text))) for h in headings.values()}
    out = table(rows, width, colour, styles) + "\n"
    for item in legend(matrix):
        out += "\n".join(wrap(clean(item), width)) + "\n"
    return out


def _value_of(short: str) -> str:
    words = short.split()
    for value, (_, word) in VALUES.items():
        if word in words:
            return value
    return ""


def to_rows(matrix: Matrix) -> list[dict[str, Any]]:
    """Flat rows (CSV and pandas): scenario, label, one cell text per approach, disagree."""
    return [row.as_dict() for row in matrix]


def to_csv(matrix: Matrix) -> str:
    import csv
    import io

    buffer = io.StringIO()
    columns = ["scenario", "label", *(a for a, _ in matrix.approaches), "disagree"]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in to_rows(matrix):
        writer.writerow({**row, "disagree": "yes" if row["disagree"] else "no"})
    return buffer.getvalue()


def to_json(matrix: Matrix) -> str:
    import json

    data = {
        "approaches": [{"id": a, "label": label} for a, label in matrix.approaches],
        "rows": [
            {
                "scenario": row.scenario,
                "label": row.label,
                "disagree": row.disagree,
                "cells": {a: c.as_dict() for a, c in row.cells.items()},
            }
            for row in matrix
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def to_markdown(matrix: Matrix) -> str:
    """A Markdown table (full approach ids as headings), cells with symbol and marks."""
    head = ["Scenario", *(a for a, _ in matrix.approaches)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in matrix:
        first = _md(row.label) + f" (`{row.scenario}`)" + (f" {DISAGREE}" if row.disagree else "")
        cells = []
        for a, _ in matrix.approaches:
            cell = row.cells.get(a)
            if cell is None:
                cells.append("—")
                continue
            symbol = VALUES.get(cell.value or "", ("",))[0]
            marks = f" *{', '.join(cell.marks)}*" if cell.marks else ""
            cells.append(f"{symbol} {_md(cell.text)}{marks}".strip())
        lines.append("| " + " | ".join([first, *cells]) + " |")
    notes = "  \n".join(legend(matrix, short=False))
    return "\n".join(lines) + "\n\n" + notes + "\n"


def to_html(matrix: Matrix) -> str:
    """An HTML table for notebooks; every KB text is escaped."""
    import html

    e = html.escape
    head = "".join(f"<th>{e(label)}</th>" for _, label in matrix.approaches)
    body = []
    for row in matrix:
        mark = f" <span title='approaches disagree'>{DISAGREE}</span>" if row.disagree else ""
        cells = []
        for a, _ in matrix.approaches:
            cell = row.cells.get(a)
            if cell is None:
                cells.append("<td>—</td>")
                continue
            symbol = VALUES.get(cell.value or "", ("",))[0]
            marks = f" <em>{e(', '.join(cell.marks))}</em>" if cell.marks else ""
            cells.append(f"<td title='{e(cell.id)}'>{e(symbol)} {e(cell.text)}{marks}</td>")
        body.append(
            f"<tr><th title='{e(row.scenario)}'>{e(row.label)}{mark}</th>{''.join(cells)}</tr>"
        )
    return (
        "<table><thead><tr><th>Scenario</th>"
        + head
        + "</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table>"
    )


RENDERERS = {"csv": to_csv, "json": to_json, "markdown": to_markdown}


class VerdictList(list):
    """The verdicts a query returned: a plain list, shown as the verdict matrix in a notebook."""

    def __init__(
        self,
        rows: Iterable[Any],
        scenarios: Mapping[str, Mapping[str, Any]] | None = None,
        approaches: Mapping[str, str] | None = None,
    ):
        super().__init__(rows)
        self._scenarios = scenarios or {}
        self._approaches = approaches or {}

    def __repr__(self) -> str:
        scenarios = len({v.scenario for v in self})
        approaches = len({v.approach for v in self})
        return (
            f"<{len(self)} verdicts: {scenarios} scenario{'s' * (scenarios != 1)} by "
            f"{approaches} approach{'es' * (approaches != 1)}>"
        )

    def matrix(self) -> Matrix:
        """These verdicts as a :class:`Matrix` (rows in the essay's order)."""
        rows = [v.model_dump(by_alias=True) for v in self]  # as the question's rows
        scenarios = {r["scenario"]: self._scenarios.get(r["scenario"], {}) for r in rows}
        approaches = {
            r["approach"]: self._approaches.get(r["approach"], r["approach"]) for r in rows
        }
        return build(rows, scenarios, approaches)

    def _repr_html_(self) -> str:
        return self.matrix()._repr_html_()
