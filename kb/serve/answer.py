"""Answer one request against a store: a SPARQL query, a named question, or the question list.

Everything here is a plain function from a request to a :class:`Reply` (status, media type,
bytes), run inside a worker process by :mod:`kb.serve.pool` and testable without HTTP.
Refusals come first, before the store sees the text: updates and ``LOAD``, ``SERVICE``,
and a dataset (``FROM``, ``FROM NAMED``, ``default-graph-uri``, ``named-graph-uri``) other
than the KB's graph. Results stop at ``max_rows``: a query that would return more gets an
error, not a truncated answer.
"""

from __future__ import annotations

import json
import re
import xml.parsers.expat as expat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, cast

import pyoxigraph as ox

from kb.model.errors import UsageError
from kb.model.vocab import KB_GRAPH, PREFIXES, XSD
from kb.query import sandbox
from kb.query.engine import LocalBackend, run_question
from kb.query.nesting import TooDeep, check_nesting
from kb.query.scan import scan

JSON_TYPE = "application/json"
RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
#: The formats that can carry an ASK result: CSV and TSV define no boolean (SPARQL 1.1
#: Query Results CSV and TSV Formats, section 1), so an ASK negotiates among these alone.
BOOLEAN_FORMATS = [
    media for media in RESULT_FORMATS if media not in ("text/csv", "text/tab-separated-values")
]
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
#: A reply is labelled with its format's own media type (Protocol 2.1.6), whichever alias
#: the client asked for it by.
LABEL = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/plain": "application/n-triples",
}
DEFAULT_ROWS = 10_000
SERVICE_REFUSED = "SERVICE is not allowed: this endpoint answers from the KB alone, never fetching"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, media type and body, and any extra headers."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class Refused(Exception):
    """A request this endpoint will not answer, with the status and the reason."""

    def __init__(self, status: int, message: str, headers: tuple[tuple[str, str], ...] = ()):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


def error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> Reply:
    """The one error shape: ``{"error": {"status": ..., "message": ...}}``."""
    body = {"error": {"status": status, "message": message}}
    return Reply(status, JSON_TYPE, _json(body), headers)


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def json_reply(data: Any, status: int = 200) -> Reply:
    return Reply(status, JSON_TYPE, _json(data))


# --- the store ---------------------------------------------------------------------------


def store_dump(paths: Sequence[str] | None) -> bytes:
    """The KB's store (data plus derived verdicts) as N-Quads, for workers to load quickly.

    The triples are in the default graph and again in the graph named :data:`KB_GRAPH`, so
    ``FROM <KB_GRAPH>`` means the KB here as it does on a store loaded into that graph.
    """
    from kb.rdf.dataset import open_kb

    store = open_kb(paths, validate=False).store
    graph = ox.NamedNode(KB_GRAPH)
    store.extend([ox.Quad(q.subject, q.predicate, q.object, graph) for q in store])
    return cast(bytes, store.dump(format=ox.RdfFormat.N_QUADS))


def store_from_dump(data: bytes) -> ox.Store:
    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
    return store


# --- content negotiation ------------------------------------------------------------------


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer (media type) the Accept header prefers; the first offer is the default."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = []
    for order, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        specific = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
        if quality > 0 and media:
            ranges.append((-quality, -specific, order, media))
    for *_, media in sorted(ranges):
        if media == "*/*":
            return offers[0]
        if media.endswith("/*"):
            kind = media[:-1]
            matches = [offer for offer in offers if offer.startswith(kind)]
            if matches:
                return matches[0]
        elif media in offers:
            return media
    return None


def _pick(accept: str | None, offers: Sequence[str], what: str) -> str:
    chosen = negotiate(accept, offers)
    if chosen is None:
        raise Refused(406, f"cannot give {what} as {accept}; available: {', '.join(offers)}")
    return chosen


def _with_charset(media: str) -> str:
    media = LABEL.get(media, media)
    return media if media.endswith("json") else media + "; charset=utf-8"


# --- SPARQL ------------------------------------------------------------------------------


def check_dataset(iris: Iterable[str | None], where: str) -> None:
    """Only the KB's own graph may be named as a dataset; nothing is ever fetched."""
    for iri in iris:
        if iri != KB_GRAPH:
            shown = f"<{iri}>" if iri else "a relative or unresolved IRI"
            raise Refused(
                403,
                f"{where} {shown} is not allowed: this endpoint never fetches graphs, and the "
                f"only graph it has is <{KB_GRAPH}>",
            )


def answer_sparql(
    store: ox.Store,
    text: str,
    accept: str | None = None,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    max_rows: int = DEFAULT_ROWS,
    base_iri: str | None = None,
) -> Reply:
    """A query's results in the format the Accept header prefers, or an error.

    Relative IRIs in the query resolve against ``base_iri`` (the endpoint's URL), and the
    dataset follows SPARQL 1.1 Protocol 2.1.4 (see :func:`dataset_options`).
    """
    try:
        return _answer_sparql(store, text, accept, default_graphs, named_graphs, max_rows, base_iri)
    except Refused as refusal:
        return error(refusal.status, refusal.message, refusal.headers)


def _answer_sparql(
    store: ox.Store,
    text: str,
    accept: str | None,
    default_graphs: Sequence[str],
    named_graphs: Sequence[str],
    max_rows: int,
    base_iri: str | None,
) -> Reply:
    try:
        check_nesting(text)
    except TooDeep as problem:
        raise Refused(400, str(problem)) from None
    shape = scan(text)
    if shape.is_update:
        what = "LOAD" if shape.load else f"SPARQL Update ({shape.form})"
        raise Refused(403, f"{what} is not accepted: this endpoint is read-only")
    if shape.service:
        raise Refused(403, SERVICE_REFUSED)
    for iri, clause in zip(shape.datasets, shape.clauses, strict=True):
        check_dataset([iri], clause)
    check_dataset(default_graphs, "default-graph-uri")
    check_dataset(named_graphs, "named-graph-uri")
    options = dataset_options(default_graphs, named_graphs)
    try:
        result = store.query(text, base_iri=base_iri, **options)
        if isinstance(result, ox.QueryBoolean):
            media = _pick(accept, BOOLEAN_FORMATS, "an ASK result")
            data = cast(bytes, result.serialize(format=RESULT_FORMATS[media]))
            return Reply(200, _with_charset(media), data)
        if isinstance(result, ox.QuerySolutions):
            media = _pick(accept, list(RESULT_FORMATS), "SELECT results")
            return Reply(200, _with_charset(media), _solutions(result, media, max_rows))
        media = _pick(accept, list(GRAPH_FORMATS), "a graph")
        return Reply(200, _with_charset(media), _graph(result, media, max_rows))
    except SyntaxError as problem:
        raise Refused(400, f"malformed query: {problem.msg}") from None
    except (OSError, RuntimeError, ValueError) as problem:
        if sandbox.blocked_network(problem):  # a SERVICE the scan missed, stopped by the sandbox
            raise Refused(403, SERVICE_REFUSED) from None
        raise Refused(400, f"query failed: {problem}") from None


def dataset_options(default_graphs: Sequence[str], named_graphs: Sequence[str]) -> dict[str, Any]:
    """pyoxigraph's dataset arguments for the protocol's ``default-graph-uri`` and
    ``named-graph-uri`` (SPARQL 1.1 Protocol 2.1.4; Query 13.2).

    Given either, the two together are the whole dataset and the query's ``FROM`` and
    ``FROM NAMED`` are ignored: a default graph that is the merge of the
    ``default-graph-uri`` graphs (empty when only named graphs are given) and exactly the
    ``named-graph-uri`` graphs (none when only default graphs are given). Given neither,
    the query's own dataset clause applies, or else the store's default dataset.

    >>> dataset_options([], [])
    {}
    >>> dataset_options(["http://g/"], [])
    {'default_graph': [<NamedNode value=http://g/>], 'named_graphs': []}
    """
    if not default_graphs and not named_graphs:
        return {}
    return {  # each graph once: the merge of a graph with itself is that graph
        "default_graph": [ox.NamedNode(iri) for iri in dict.fromkeys(default_graphs)],
        "named_graphs": [ox.NamedNode(iri) for iri in dict.fromkeys(named_graphs)],
    }


def _too_many(max_rows: int, what: str) -> Refused:
    return Refused(
        422, f"the result has more than {max_rows} {what}, the limit; add a LIMIT or narrow it"
    )


def _solutions(solutions: ox.QuerySolutions, media: str, max_rows: int) -> bytes:
    names = [variable.value for variable in solutions.variables]
    rows = list(islice(solutions, max_rows + 1))
    if len(rows) > max_rows:
        raise _too_many(max_rows, "rows")
    document = {
        "head": {"vars": names},
        "results": {
            "bindings": [
                {name: _term_json(row[name]) for name in names if row[name] is not None}
                for row in rows
            ]
        },
    }
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    if RESULT_FORMATS[media] == ox.QueryResultsFormat.JSON:
        return data
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    written = cast(bytes, parsed.serialize(format=RESULT_FORMATS[media]))
    if RESULT_FORMATS[media] == ox.QueryResultsFormat.XML:
        _check_xml_chars(written, "these results")
    return written


#: Characters XML 1.0 cannot carry, raw or as a character reference.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _check_xml_chars(data: bytes, what: str) -> None:
    """Refuse rather than send XML that is not well-formed."""
    found = _NOT_XML.search(data)
    if found:
        code = ord(found.group().decode("utf-8"))
        raise Refused(
            406,
            f"cannot write {what} as XML: a value holds U+{code:04X}, which XML 1.0 cannot "
            "carry; ask for JSON, Turtle or N-Triples instead",
        )


def _term_json(term: Any) -> dict[str, Any]:
    """One term in SPARQL 1.1 Query Results JSON."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        found: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != XSD + "string":
            found["datatype"] = term.datatype.value
        return found
    if isinstance(term, ox.Triple):
        parts = ("subject", "predicate", "object")
        return {
            "type": "triple",
            "value": {part: _term_json(getattr(term, part)) for part in parts},
        }
    raise RuntimeError(f"cannot write term {term!r}")


def _graph(triples: Iterable[ox.Triple], media: str, max_rows: int) -> bytes:
    found = list(islice(triples, max_rows + 1))
    if len(found) > max_rows:
        raise _too_many(max_rows, "triples")
    rdf_format = GRAPH_FORMATS[media]
    prefixes = PREFIXES if rdf_format != ox.RdfFormat.N_TRIPLES else None
    data = ox.serialize(found, format=rdf_format, prefixes=prefixes)
    written = data if isinstance(data, bytes) else str(data).encode("utf-8")
    if rdf_format == ox.RdfFormat.RDF_XML:
        _check_rdf_xml(written, found)
    return written


def _check_rdf_xml(data: bytes, triples: list[ox.Triple]) -> None:
    """RDF/XML cannot write every graph (a predicate needs an XML local name; a value may
    hold a character XML cannot carry): refuse unless the document is well-formed XML
    and reads back with every triple, never dropping one silently."""
    _check_xml_chars(data, "this graph")
    parser = expat.ParserCreate(namespace_separator=" ")
    try:
        parser.Parse(data, True)
        whole = len(set(ox.parse(data, format=ox.RdfFormat.RDF_XML))) == len(set(triples))
    except (expat.ExpatError, SyntaxError, ValueError):
        whole = False
    if not whole:
        bad = [t.predicate.value for t in triples if not _LOCAL_NAME.search(t.predicate.value)]
        why = f": the predicate <{bad[0]}> has no XML local name" if bad else ""
        raise Refused(
            406,
            f"cannot write this graph as RDF/XML without losing triples{why}; ask for "
            "Turtle or N-Triples instead",
        )


#: An IRI that RDF/XML can write as a predicate ends in an XML name (NCName).
_LOCAL_NAME = re.compile(r"[A-Za-z_\u00C0-\uFFFD][\w.\-\u00B7\u00C0-\uFFFD]*$")


# --- named questions ----------------------------------------------------------------------


def question_list(base: str = "") -> list[dict[str, Any]]:
    """Every named question with its parameters and the route that answers it."""
    from kb.query.questions import registry

    return [
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type,
                    "optional": p.optional,
                    "description": p.description,
                }
                for p in q.parameters
            ],
            "example": q.example,
            "url": f"{base}/api/questions/{q.name}",
        }
        for q in registry().values()
    ]


def answer_question(store: ox.Store, name: str, arguments: dict[str, str]) -> Reply:
    """A named question's rows as JSON, through the engine every other face uses."""
    from kb.query.questions import registry

    if name not in registry():
        return error(404, f"no question named {name!r}; see /api/questions")
    try:
        rows = run_question(LocalBackend(store=store), name, dict(arguments))
    except UsageError as problem:
        return error(400, str(problem))
    return json_reply({"question": name, "arguments": arguments, "rows": rows})
