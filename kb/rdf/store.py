"""The query store: the KB's Turtle in pyoxigraph plus the verdicts the rules derive.

This module is on the fast path of the command line, so it imports neither rdflib nor
pydantic. Verdicts without a ``kb:basis`` are marked ``"stated"``; for every scenario and
approach without a verdict, the approach's rule adds one with ``kb:basis "derived"``, so
SPARQL sees both and can tell them apart. The derived verdicts' triples are written from
the verdict's rows of :mod:`kb.model.schema_table`, the table ``kb.model.models.Verdict`` reads too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from kb.model.errors import UsageError
from kb.model.rules import derive
from kb.model.schema_table import (
    FACTS,
    KIND_BY_NAME,
    OBJECTIVE_KINDS,
    VERDICT_FIELDS,
    ScenarioFacts,
)
from kb.model.vocab import RDF_TYPE, XSD, expand, iri, slug_of, sparql_prefixes
from kb.rdf.paths import read_kb_file, turtle_files

_FACTS_QUERY = (
    "SELECT ?scenario "
    + " ".join(f"?{fact.name}" for fact in FACTS)
    + " WHERE { ?scenario a <"
    + expand(KIND_BY_NAME["Scenario"].rdf_type)
    + "> . "
    + " ".join(
        f"?scenario <{expand(fact.curie)}> ?{fact.name} ."
        if fact.default is None
        else f"OPTIONAL {{ ?scenario <{expand(fact.curie)}> ?{fact.name} }}"
        for fact in FACTS
    )
    + " }"
)
_TENTATIVE_QUERY = (
    sparql_prefixes() + "SELECT ?scenario WHERE { ?scenario a kb:Scenario ; kb:tentative true }"
)
_STATED_QUERY = sparql_prefixes() + (
    "SELECT ?verdict ?scenario ?approach ?basis WHERE {{ ?verdict a {} ; {} ?scenario ; "
    "{} ?approach . OPTIONAL {{ ?verdict {} ?basis }} }}"
).format(
    KIND_BY_NAME["Verdict"].rdf_type,
    *(VERDICT_FIELDS[name].curie for name in ("scenario", "approach", "basis")),
)
_APPROACHES_QUERY = (
    sparql_prefixes()
    + f"SELECT ?approach WHERE {{ ?approach a {KIND_BY_NAME['Approach'].rdf_type} }}"
)
_BOOLEAN = ox.NamedNode(XSD + "boolean")


def load_store(paths: Sequence[str | Path] | None = None) -> ox.Store:
    """An in-memory store with the KB's triples and the derived verdicts, unvalidated.

    The fast path of :func:`kb.rdf.dataset.open_kb`: pyoxigraph parses each file once, in Rust.
    """
    store = ox.Store()
    for path in turtle_files(paths):
        try:
            data = read_kb_file(path)
        except UsageError as error:
            raise UsageError(f"{path}: {error}") from None
        try:
            store.bulk_load(data, format=ox.RdfFormat.TURTLE)
        except SyntaxError as error:
            raise UsageError(f"{path}:{error.lineno}: Turtle syntax error: {error.msg}") from None
    add_derived(store)
    return store


def _bool(term: ox.Literal) -> bool:
    return term.value in ("true", "1")


def _select(store: ox.Store, sparql: str) -> ox.QuerySolutions:
    return cast(ox.QuerySolutions, store.query(sparql))


def add_derived(
    store: ox.Store, derived: Iterable[tuple[str, dict[str, Any]]] | None = None
) -> None:
    """Mark unmarked verdicts as stated and add the derived verdicts' triples.

    ``derived`` gives them as (id, fields) pairs (see :func:`kb.model.rules.derive`); without it
    they are derived here from the facts in the store.
    """
    stated = set()
    quads: list[ox.Quad] = []
    basis = ox.NamedNode(VERDICT_FIELDS["basis"].iri)
    for row in _select(store, _STATED_QUERY):
        stated.add((row["scenario"].value, row["approach"].value))
        if row["basis"] is None:
            quads.append(ox.Quad(row["verdict"], basis, ox.Literal("stated")))
    if derived is None:
        derived = _derive_from_store(store, stated)
    for verdict_id, fields in derived:
        quads.extend(verdict_quads(verdict_id, fields))
    store.extend(quads)


def _derive_from_store(
    store: ox.Store, stated: set[tuple[str, str]]
) -> list[tuple[str, dict[str, Any]]]:
    approaches = [slug_of(row["approach"].value) for row in _select(store, _APPROACHES_QUERY)]
    facts: dict[str, ScenarioFacts] = {}
    for row in _select(store, _FACTS_QUERY):
        scenario = slug_of(row["scenario"].value)
        if scenario is None or row["objective"].value not in OBJECTIVE_KINDS:
            continue
        values: dict[str, Any] = {
            fact.name: row[fact.name].value if fact.name == "objective" else _bool(row[fact.name])
            for fact in FACTS
            if row[fact.name] is not None
        }
        facts[scenario] = ScenarioFacts(**values)
    pairs = {(slug_of(s) or "", slug_of(a) or "") for s, a in stated}
    tentative = {slug_of(row["scenario"].value) for row in _select(store, _TENTATIVE_QUERY)}
    return derive(facts, [a for a in approaches if a], pairs, {t for t in tentative if t})


def verdict_quads(verdict_id: str, fields: dict[str, Any]) -> list[ox.Quad]:
    """A verdict's triples from its fields, each under its predicate in the schema table."""
    node = ox.NamedNode(iri(verdict_id))
    quads = [
        ox.Quad(
            node, ox.NamedNode(RDF_TYPE), ox.NamedNode(expand(KIND_BY_NAME["Verdict"].rdf_type))
        )
    ]
    for name, value in fields.items():
        predicate = VERDICT_FIELDS[name]
        for item in value if isinstance(value, list | tuple) else (value,):
            if item is None:
                continue
            obj: ox.NamedNode | ox.Literal
            if predicate.refs:
                obj = ox.NamedNode(iri(str(item)))
            elif isinstance(item, bool):
                obj = ox.Literal("true" if item else "false", datatype=_BOOLEAN)
            else:
                obj = ox.Literal(str(item))
            quads.append(ox.Quad(node, ox.NamedNode(predicate.iri), obj))
    return quads
