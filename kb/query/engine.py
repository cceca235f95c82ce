"""Run SPARQL and named questions against a backend: the bundled store or a remote endpoint.

The one place where questions are bound and executed, used by the command line, the
Python API, the endpoint's question routes and the site's cookbook.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, cast

import pyoxigraph as ox

from kb.model.errors import UnknownId, UsageError
from kb.model.vocab import BASE, KB_GRAPH, PREFIXES, iri, is_slug, slug_of
from kb.query import sandbox
from kb.query.nesting import check_nesting
from kb.query.questions import Parameter, Question, bind, kind_name, question, to_term
from kb.query.results import ResultRow, solutions_to_rows, values_clause

#: The base IRI of a local query (SPARQL 1.1 Protocol 2.3 asks a service to define one): the
#: KB's namespace, so ``<id/example-3>`` is the entity ``id:example-3``. The endpoint uses
#: its own URL instead.
LOCAL_BASE = BASE

QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list[ox.Triple]
"""pyoxigraph's result objects; a remote graph arrives as a list of triples."""


class Triples(list[ox.Triple]):
    """The triples a CONSTRUCT or DESCRIBE query returns: a list, with a type of its own so
    that an empty graph is told apart from an empty table."""


SparqlResult = list[ResultRow] | bool | Triples
"""What a raw query returns: rows for SELECT, a bool for ASK, :class:`Triples` for
CONSTRUCT and DESCRIBE (tell them apart with ``isinstance``)."""

Binding = str | int | float | bool | ox.NamedNode | ox.Literal
"""A value bound to a variable of a raw query (:func:`with_bindings` says how)."""


class Backend(Protocol):
    """Anything that answers SPARQL 1.1 queries with pyoxigraph result objects.

    ``query`` takes text this library wrote (named questions, lookups with bound values);
    ``untrusted_query`` takes a user's text.
    """

    def query(self, sparql: str) -> QueryResult: ...

    def untrusted_query(self, sparql: str) -> QueryResult: ...


SERVICE_REFUSED = "SERVICE is not allowed: queries answer from the KB alone, never fetching"


def dataset_refusal(iris: Sequence[str | None], where: str = "FROM") -> str | None:
    """Why a dataset other than the KB's own graph is refused, or None when it is the KB's."""
    for graph in iris:
        if graph != KB_GRAPH:
            shown = f"<{graph}>" if graph else "a relative or unresolved IRI"
            return (
                f"{where} {shown} is not allowed: graphs are never fetched, and the only "
                f"graph there is is the KB's, <{KB_GRAPH}>"
            )
    return None


class LocalBackend:
    """The KB's Turtle (plus derived verdicts) in an in-memory pyoxigraph store.

    ``store`` is one filled by :func:`kb.rdf.dataset.open_kb`; without it, ``paths`` are
    opened on the fast path (no models, no validation).
    """

    def __init__(self, paths: Sequence[str | Path] | None = None, store: ox.Store | None = None):
        if store is None:
            from kb.rdf.dataset import open_kb

            store = open_kb(paths, validate=False).store
        self.store = store

    def query(self, sparql: str) -> QueryResult:
        """Run text this library wrote against the store, in this process. Relative IRIs
        resolve against :data:`LOCAL_BASE`."""
        try:
            # The default graph, named: a FROM the checks missed still sees only the KB.
            return self.store.query(sparql, default_graph=ox.DefaultGraph(), base_iri=LOCAL_BASE)
        except SyntaxError as error:
            raise UsageError(f"SPARQL syntax error: {one_line(error.msg)}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise failure(error) from None

    def untrusted_query(self, sparql: str) -> QueryResult:
        """Run a user's query where it cannot reach the network (:mod:`kb.query.sandbox`): here
        if this process is isolated, else in an isolated child. SERVICE and a foreign FROM
        are refused first, for a clear message; the isolation is what makes them harmless.
        So is nesting deep enough to crash the parser (:mod:`kb.query.nesting`)."""
        from kb.query.scan import scan  # its tokenizer's patterns take a while to compile

        check_nesting(sparql)
        shape = scan(sparql)
        if shape.is_update:
            raise UsageError("SPARQL Update is not accepted: the KB is read-only")
        if shape.service:
            raise UsageError(SERVICE_REFUSED)
        for graph, clause in zip(shape.datasets, shape.clauses, strict=True):
            refusal = dataset_refusal([graph], clause)
            if refusal:
                raise UsageError(refusal)
        if sandbox.isolated():
            return self.query(sparql)
        portable = sandbox.run_isolated(_portable, self, sparql)
        if isinstance(portable, list):  # a graph's triples
            return portable
        return ox.parse_query_results(portable, format=ox.QueryResultsFormat.JSON)


def failure(error: Exception) -> UsageError:
    """The usage error for a query that failed while running (the engine's own error)."""
    if sandbox.blocked_network(error):
        return UsageError(SERVICE_REFUSED)
    return UsageError(f"SPARQL query failed: {one_line(str(error))}")


def _portable(backend: LocalBackend, sparql: str) -> bytes | list[ox.Triple]:
    """A query's result in a form that survives the trip from the isolated child: results
    as SPARQL JSON, a graph as its triples."""
    result = backend.query(sparql)
    try:
        if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
            return result.serialize(format=ox.QueryResultsFormat.JSON) or b""
        return list(result)
    except (OSError, RuntimeError, ValueError) as error:
        raise failure(error) from None


def one_line(text: str, limit: int = 200) -> str:
    """An error text on one line, cut to ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def with_bindings(backend: Backend, sparql: str, bindings: Mapping[str, Binding] | None) -> str:
    """A raw query with ``bindings`` (name → value) appended as a VALUES block.

    A string that is the id of an entity of this KB is bound as that entity's IRI, an
    ``http(s)`` string as an IRI, anything else as a literal (pass a pyoxigraph term to
    choose). pyoxigraph serializes each term, so user text stays data.
    """
    if not bindings:
        return sparql
    terms = []
    for name, value in bindings.items():
        if not name.isidentifier():
            raise UsageError(f"binding name {name!r} is not a valid SPARQL variable name")
        terms.append((name, _term(backend, value)))
    return sparql + values_clause(terms)


def _term(backend: Backend, value: Binding) -> ox.NamedNode | ox.Literal:
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, bool):
        return ox.Literal(value)
    text = str(value)
    if is_slug(text) and _exists(backend, ox.NamedNode(iri(text))):
        return ox.NamedNode(iri(text))
    if text.startswith(("http://", "https://")):
        try:
            return ox.NamedNode(text)
        except ValueError as error:
            raise UsageError(f"binding {text!r} is not a valid IRI: {error}") from None
    return ox.Literal(text)


def _exists(backend: Backend, entity: ox.NamedNode) -> bool:
    return bool(backend.query("ASK {" + values_clause([("e", entity)]) + "?e ?p ?o }"))


def with_prefixes(sparql: str) -> str:
    """Add the standard PREFIX lines a query does not declare itself."""
    declared = {
        line.split()[1].rstrip(":").lower()
        for line in sparql.splitlines()
        if line.strip().upper().startswith("PREFIX") and len(line.split()) > 1
    }
    missing = {p: ns for p, ns in PREFIXES.items() if p not in declared}
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in missing.items()) + sparql


def ids_of_type(backend: Backend, type_iri: str) -> list[str]:
    """Ids of every entity of one RDF class, for suggesting near ids in errors."""
    query = "SELECT ?e WHERE {" + values_clause([("type", ox.NamedNode(type_iri))]) + "?e a ?type }"
    solutions = cast(ox.QuerySolutions, backend.query(query))
    return sorted(s for s in (slug_of(row["e"].value) for row in solutions) if s)


def is_of_type(backend: Backend, entity: ox.NamedNode, type_iri: str) -> bool:
    """Whether ``entity`` is an instance of the class (one cheap ASK, whatever the KB's size)."""
    pairs = [("e", entity), ("type", ox.NamedNode(type_iri))]
    # The VALUES block opens the group: Virtuoso accepts no VALUES after an ASK.
    return bool(backend.query("ASK {" + values_clause(pairs) + "?e a ?type }"))


def bound_terms(
    backend: Backend, asked: Question, arguments: dict[str, Any]
) -> dict[Parameter, ox.NamedNode | ox.Literal]:
    """Check arguments against a question's parameters and the KB; the RDF term of each.

    An id that names no entity of the parameter's class raises :class:`UnknownId` with the
    nearest ids of that class.
    """
    _, bound = bind(asked, arguments)
    terms: dict[Parameter, ox.NamedNode | ox.Literal] = {}
    for parameter, value in bound.items():
        type_iri = parameter.type_iri
        if type_iri is None:
            terms[parameter] = to_term(parameter, value)
            continue
        try:
            term = to_term(parameter, value)
        except UnknownId:
            term = None
        if not (isinstance(term, ox.NamedNode) and is_of_type(backend, term, type_iri)):
            known = ids_of_type(backend, type_iri)
            raise UnknownId(f"{kind_name(parameter)} id for {parameter.name}", str(value), known)
        terms[parameter] = term
    return terms


def run_question(backend: Backend, name: str, arguments: dict[str, Any]) -> list[ResultRow]:
    """Answer a named question; arguments are checked and bound, never formatted in."""
    asked = question(name)
    return select(backend, asked.bound_query(bound_terms(backend, asked, arguments)))


def select(backend: Backend, sparql: str) -> list[ResultRow]:
    result = backend.query(sparql)
    if not isinstance(result, ox.QuerySolutions):
        raise UsageError("expected a SELECT query")
    return solutions_to_rows(result)


def construct(backend: Backend, sparql: str) -> list[ox.Triple]:
    result = backend.query(sparql)
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        raise UsageError("expected a CONSTRUCT or DESCRIBE query")
    return list(result)


def all_triples(backend: Backend) -> list[ox.Triple]:
    """Every triple of the KB behind a backend, derived verdicts included."""
    if isinstance(backend, LocalBackend):
        return [quad.triple for quad in backend.store]
    return construct(backend, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")


def run_sparql(
    backend: Backend, sparql: str, bindings: Mapping[str, Binding] | None = None
) -> SparqlResult:
    """A raw query: rows for SELECT, a bool for ASK, triples for CONSTRUCT and DESCRIBE."""
    prefixed = with_prefixes(sparql)
    added_lines = prefixed.count("\n") - sparql.count("\n")
    try:
        result = backend.untrusted_query(with_bindings(backend, prefixed, bindings))
        if isinstance(result, ox.QuerySolutions):
            return solutions_to_rows(result)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        return Triples(result)
    except UsageError as error:
        # Report positions in the user's query, not in the one with prefixes added.
        shifted = _POSITION.sub(
            lambda m: f"error at {max(int(m[1]) - added_lines, 1)}:{m[2]}", str(error)
        )
        raise UsageError(shifted) from None
    except (OSError, RuntimeError, ValueError) as error:
        raise failure(error) from None


_POSITION = re.compile(r"error at (\d+):(\d+)")


__all__ = [
    "Backend",
    "Binding",
    "LocalBackend",
    "SparqlResult",
    "Triples",
    "run_question",
    "run_sparql",
]
