"""What the query commands print on a terminal: the answer, and the reasons beneath it.

A compact table carries the values a reader scans (approach, verdict, hedge, basis,
evidence); the rationale each row rests on follows in full, wrapped to the terminal.
Labels come from the KB with one query, so long ids give way to readable names. These
queries are the project's own text with ids bound as terms, so, like the named questions,
they run as they are (no sandboxed child for them in the Python API). Pure Python over
SPARQL rows: the fast query path imports no pydantic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kb.model.schema_table import VERDICT_LOOKS
from kb.model.vocab import iri
from kb.query.output import cell, paint, paragraph, table, terminal_width

if TYPE_CHECKING:
    from kb.model.cruxes import Crux
    from kb.model.rules import RuleVerdict
    from kb.query.engine import Backend

#: The style of each verdict value when colour is on (the words are always printed).
VERDICT_STYLES = {value: look.style for value, look in VERDICT_LOOKS.items()}


def verdict_style(value: str) -> str | None:
    return VERDICT_STYLES.get(value)


def values_rows(name: str, ids: Iterable[str]) -> str:
    """A VALUES block binding ``?name`` to the IRI of each id (pyoxigraph writes each term)."""
    terms = " ".join(str(ox.NamedNode(iri(i))) for i in sorted(set(ids)))
    return f"VALUES ?{name} {{ {terms} }}\n"


#: The predicates that carry an entity's human label (each kind's ``label`` field; a test
#: keeps this equal to the models, which the fast path does not import).
LABEL_PREDICATES = ("rdfs:label", "skos:prefLabel", "foaf:name", "dcterms:title")


def labels(backend: Backend, ids: Iterable[str]) -> dict[str, str]:
    """The human label of each id that has one (ids without one are left out)."""
    from kb.query.engine import select, with_prefixes

    wanted = set(ids)
    if not wanted:
        return {}
    query = (
        "SELECT ?e ?label WHERE {\n"
        + values_rows("e", wanted)
        + "?e "
        + "|".join(LABEL_PREDICATES)
        + " ?label }"
    )
    return {str(row["e"]): str(row["label"]) for row in select(backend, with_prefixes(query))}


def evidence_counts(backend: Backend, verdict_ids: Iterable[str]) -> dict[str, int]:
    """How many of the essay's sentences (evidence quotes) each verdict rests on."""
    from kb.query.engine import select, with_prefixes

    wanted = set(verdict_ids)
    if not wanted:
        return {}
    query = (
        "SELECT ?v (COUNT(?q) AS ?n) WHERE {\n"
        + values_rows("v", wanted)
        + "OPTIONAL { ?v kb:evidence ?q } } GROUP BY ?v"
    )
    return {str(row["v"]): int(str(row["n"])) for row in select(backend, with_prefixes(query))}


def basis_of(row: Mapping[str, Any]) -> str:
    """ "stated", "implied" (stated by implication) or "derived" (by the approach's rule)."""
    if row.get("basis") == "derived":
        return "derived"
    return "implied" if row.get("implied") else "stated"


def marks_of(row: Mapping[str, Any]) -> str:
    """The basis, then ``hedged`` when the essay (or the rule) hedges the verdict."""
    return basis_of(row) + (", hedged" if row.get("hedged") else "")


#: How each kind of failure (:data:`kb.model.schema_table.FAILURE_KINDS`; a test keeps them equal)
#: shows: its code in the matrix, its word in a table column, and in a sentence.
FAILURE_LOOKS = {
    "inner-alignment-failure": ("IF", "inner", "inner alignment failure"),
    "generalization-failure": ("GF", "generalization", "generalization failure"),
    "capability-failure": ("CF", "capability", "capability failure"),
    "no-failure": ("NF", "none", "no failure"),
    "uncertain": ("?F", "uncertain", "failure uncertain"),
}


def failure_short(kind: str | None) -> str:
    """How a table names a kind of failure: ``inner``, ``generalization``, ``none``, ..."""
    return FAILURE_LOOKS.get(kind, ("", kind, ""))[1] if kind else ""


def failure_code(kind: str | None) -> str:
    """The kind of failure as the matrix marks it: ``IF``, ``GF``, ``CF``, ``NF``, ``?F``."""
    return FAILURE_LOOKS.get(kind, (kind, "", ""))[0] if kind else ""


def what(row: Mapping[str, Any]) -> str:
    """A verdict in words: its value, and how it classifies the failure when it does."""
    failure = row.get("failure")
    words = FAILURE_LOOKS.get(failure, ("", "", failure))[2] if failure else ""
    return "; ".join(p for p in (row.get("verdict") or "", words) if p)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def heading(label: str | None, entity_id: str) -> str:
    return cell(f"{label} ({entity_id})" if label and label != entity_id else entity_id)


def reasons(items: Sequence[tuple[str, str, str | None]], width: int, colour: bool = False) -> str:
    """Each ``(title, text, conflict)`` as a title line and the text wrapped beneath it."""
    out = []
    for title, text, conflict in items:
        block = paint(title, "bold", colour) + "\n" + paragraph(text, width, "  ")
        if conflict:
            block += paragraph("Conflict: " + conflict, width, "  ")
        out.append(block)
    return "\n".join(out)


def verdicts_text(
    backend: Backend, rows: Sequence[dict[str, Any]], scenario: str, colour: bool = False
) -> str:
    """``kb verdicts`` on a terminal: the scenario's label, a compact table of the verdicts,
    the rationale of each in full, and the sources the evidence comes from."""
    from kb.query.matrix import approach_rank

    rows = sorted(rows, key=lambda r: approach_rank(r["approach"]))
    width = terminal_width()
    names = labels(backend, [scenario, *(r["source"] for r in rows if r.get("source"))])
    counts = evidence_counts(backend, [r["id"] for r in rows])
    out = [paint(heading(names.get(scenario), scenario), "bold", colour) + "\n\n"]
    failures = any(r.get("failure") for r in rows)
    compact = [
        {
            "approach": r["approach"],
            "verdict": r.get("verdict") or "—",
            **({"failure": failure_short(r.get("failure")) or "—"} if failures else {}),
            "marks": marks_of(r),
            "evidence": plural(counts.get(r["id"], 0), "quote") if counts.get(r["id"]) else "—",
        }
        for r in rows
    ]
    out.append(table(compact, width, colour, {"verdict": verdict_style}))
    if not rows:
        return "".join(out)
    out.append("\n")
    out.append(
        reasons(
            [(f"{r['approach']}: {what(r)}", r["rationale"], r.get("conflict")) for r in rows],
            width,
            colour,
        )
    )
    sources = sorted({r["source"] for r in rows if r.get("source")})
    if sources:
        out.append(
            "\n"
            + paragraph(
                "Evidence from: " + "; ".join(heading(names.get(s), s) for s in sources), width
            )
        )
    return "".join(out)


def classify_text(verdicts: Mapping[str, RuleVerdict], colour: bool = False) -> str:
    """``kb classify`` on a terminal: each approach's verdict, then its full rationale."""
    width = terminal_width()
    rows = {
        a: {"verdict": v.value, "failure": v.failure, "hedged": v.hedged}
        for a, v in verdicts.items()
    }
    failures = any(v.failure for v in verdicts.values())
    compact = [
        {
            "approach": approach,
            "verdict": v.value or "—",
            **({"failure": failure_short(v.failure) or "—"} if failures else {}),
            "hedged": v.hedged,
        }
        for approach, v in verdicts.items()
    ]
    out = table(compact, width, colour, {"verdict": verdict_style}) + "\n"
    return out + reasons(
        [(f"{a}: {what(rows[a])}", v.rationale, v.conflict) for a, v in verdicts.items()],
        width,
        colour,
    )


def cruxes_text(crux: Crux, width: int | None = None) -> str:
    """A :class:`kb.model.cruxes.Crux` for a terminal: the statement, then the minimal pairs."""
    from kb.model.cruxes import facts_key

    width = width or terminal_width()
    out = [
        paragraph(
            f"{crux.a} and {crux.b} disagree on {plural(len(crux.disagreements), 'combination')}"
            f" of the {crux.coherent} whose facts neither rule calls contradictory.",
            width,
        )
    ]
    if crux.statement:
        out.append("\nThey disagree exactly when one of these holds:\n")
        for term in crux.statement:
            out.append(
                paragraph("; ".join(c.text() for c in term), width, "  - ").replace(
                    "\n  - ", "\n    "
                )
            )
    if crux.minimal_pairs:
        out.append(
            "\n"
            + paragraph(
                "Minimal pairs: scenarios one fact apart where one approach changes its verdict "
                "and the other keeps it (facts spelt one character each, in the order of "
                "`kb classify`; the explorer page reads the same spelling).",
                width,
            )
        )
    for changes, keeps in ((crux.a, crux.b), (crux.b, crux.a)):
        rows = [
            {
                "fact": m.fact,
                "scenarios": f"{facts_key(m.before)} -> {facts_key(m.after)}",
                f"{changes}": f"{m.changed_from} -> {m.changed_to}",
                f"{keeps} keeps": m.kept,
            }
            for m in crux.minimal_pairs
            if m.changes == changes
        ]
        if rows:
            out.append("\n" + paragraph(f"{changes} changes, {keeps} does not:", width) + "\n")
            out.append(table(rows, width))
    return "".join(out)
