"""The query store: the KB's Turtle in pyoxigraph plus the verdicts the rules derive.

This module is on the fast path of the command line, so it imports neither rdflib nor
pydantic. Verdicts without a ``kb:basis`` are marked ``"stated"``; for every scenario and
approach without a verdict, the approach's rule adds one with ``kb:basis "derived"``, so
SPARQL sees both and can tell them apart. The derived verdicts' triples follow
``kb.models.Verdict``; a test exports the store and validates it against the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kb.errors import UsageError
from kb.paths import turtle_files
from kb.rules import FACT_PREDICATES, OBJECTIVE_KINDS, RULES, Facts, RuleVerdict
from kb.vocab import KB, RDF_TYPE, XSD, iri, slug_of, sparql_prefixes

_FACTS_QUERY = (
    "SELECT ?scenario "
    + " ".join(f"?{name}" for name in FACT_PREDICATES)
    + " WHERE { ?scenario a <"
    + KB
    + "Scenario> . "
    + " ".join(f"?scenario <{predicate}> ?{name} ." for name, predicate in FACT_PREDICATES.items())
    + " }"
)
_STATED_QUERY = (
    sparql_prefixes()
    + """
SELECT ?verdict ?scenario ?approach ?basis WHERE {
  ?verdict a kb:Verdict ; kb:scenario ?scenario ; kb:approach ?approach .
  OPTIONAL { ?verdict kb:basis ?basis }
}"""
)
_APPROACHES_QUERY = sparql_prefixes() + "SELECT ?approach WHERE { ?approach a kb:Approach }"


def derived_verdict_id(scenario: str, approach: str) -> str:
    """The id of the verdict the rules derive for a pair the essay does not state."""
    return f"derived-{scenario}-{approach}"


def load_store(paths: Sequence[str | Path] | None = None) -> ox.Store:
    """An in-memory store with the KB's triples and the derived verdicts."""
    store = ox.Store()
    for path in turtle_files(paths):
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except SyntaxError as error:
            raise UsageError(f"{path}:{error.lineno}: Turtle syntax error: {error.msg}") from None
    add_derived(store)
    return store


def _bool(term: ox.Literal) -> bool:
    return term.value in ("true", "1")


def add_derived(store: ox.Store) -> None:
    """Mark unmarked verdicts as stated and derive a verdict for every pair without one."""
    stated = set()
    quads: list[ox.Quad] = []
    basis = ox.NamedNode(KB + "basis")
    for row in store.query(_STATED_QUERY):
        stated.add((row["scenario"].value, row["approach"].value))
        if row["basis"] is None:
            quads.append(ox.Quad(row["verdict"], basis, ox.Literal("stated")))
    approaches = [row["approach"] for row in store.query(_APPROACHES_QUERY)]
    for row in store.query(_FACTS_QUERY):
        if row["objective"].value not in OBJECTIVE_KINDS:
            continue
        facts = Facts(
            **{
                name: row[name].value if name == "objective" else _bool(row[name])
                for name in FACT_PREDICATES
            }
        )
        for approach in approaches:
            approach_id = slug_of(approach.value)
            rule = RULES.get(approach_id or "")
            if rule is None or (row["scenario"].value, approach.value) in stated:
                continue
            quads.extend(_derived_quads(row["scenario"], approach, rule(facts)))
    store.extend(quads)


def _derived_quads(
    scenario: ox.NamedNode, approach: ox.NamedNode, verdict: RuleVerdict
) -> Iterable[ox.Quad]:
    scenario_id, approach_id = slug_of(scenario.value), slug_of(approach.value)
    node = ox.NamedNode(iri(derived_verdict_id(scenario_id or "", approach_id or "")))
    boolean = ox.NamedNode(XSD + "boolean")

    def triple(predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(node, ox.NamedNode(predicate), value)

    yield triple(RDF_TYPE, ox.NamedNode(KB + "Verdict"))
    yield triple(KB + "scenario", scenario)
    yield triple(KB + "approach", approach)
    yield triple(KB + "verdictValue", ox.Literal(verdict.value))
    yield triple(KB + "hedged", ox.Literal("true" if verdict.hedged else "false", datatype=boolean))
    yield triple(KB + "implied", ox.Literal("false", datatype=boolean))
    yield triple(KB + "inOwnWords", ox.Literal("false", datatype=boolean))
    yield triple(KB + "rationale", ox.Literal(verdict.reasoning))
    yield triple(KB + "basis", ox.Literal("derived"))
    if verdict.conflict:
        yield triple(KB + "conflict", ox.Literal(verdict.conflict))
