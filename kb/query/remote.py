"""A SPARQL 1.1 Protocol client: the KB's questions against any endpoint, not just the bundled one.

:class:`RemoteBackend` is a :class:`kb.query.engine.Backend` that POSTs each query as a form to
one URL (``kb serve``, Virtuoso, Fuseki, ...) and parses the answer with pyoxigraph, so
remote results are the same Python objects as local ones. It talks to that host only: no
proxies from the environment, and a redirect is an error, not a hop elsewhere.

Endpoints differ; what is smoothed over here:

- SELECT and ASK ask for SPARQL XML results first (Virtuoso's JSON says ``typed-literal``,
  which is also accepted); CONSTRUCT and DESCRIBE ask for N-Triples, since some
  endpoints answer 406 to one Accept header offering both kinds;
- an ASK answered as a one-row table (Virtuoso's ``__ASK_RETVAL``) becomes a boolean.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from kb.model.errors import UsageError
from kb.query.scan import scan

if TYPE_CHECKING:
    from kb.query.engine import Backend, QueryResult
    from kb.rdf.loader import Loaded

RESULTS_ACCEPT = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
_RESULT_TYPES = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str):
        raise UsageError(
            f"{req.full_url} redirects ({code}) to {newurl}; give that URL if you trust it"
        )


class RemoteBackend:
    """Queries over the SPARQL 1.1 Protocol to one endpoint URL.

    ``default_graph`` is sent as ``default-graph-uri`` (for stores that keep the KB in a
    named graph); it can also be given in the URL, as in
    ``http://host/sparql?default-graph-uri=https://w3id.org/inner-alignment-kb/``, which is
    how ``--endpoint`` takes it. ``timeout`` is in seconds; ``max_bytes`` bounds a response.
    """

    def __init__(
        self,
        url: str,
        default_graph: str | None = None,
        timeout: float = 60.0,
        max_bytes: int = 256 * 1024 * 1024,
    ):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"endpoint {url!r} is not an http(s) URL")
        params = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        graphs = [value for key, value in params if key == "default-graph-uri"]
        if graphs:
            if len(graphs) > 1 or default_graph not in (None, graphs[0]):
                raise UsageError(f"endpoint {url!r}: give one default-graph-uri")
            default_graph = graphs[0]
            rest = urllib.parse.urlencode([(k, v) for k, v in params if k != "default-graph-uri"])
            url = urllib.parse.urlunsplit(parts._replace(query=rest))
        self.url = url
        self.default_graph = default_graph
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())

    def __repr__(self) -> str:
        return f"RemoteBackend({self.url!r})"

    def query(self, sparql: str) -> QueryResult:
        form = scan(sparql).form
        graph = form in ("CONSTRUCT", "DESCRIBE")
        media, body = self._post(sparql, GRAPH_ACCEPT if graph else RESULTS_ACCEPT)
        if media in _GRAPH_TYPES:
            return _triples(body, _GRAPH_TYPES[media], self.url)
        if media not in _RESULT_TYPES:
            raise UsageError(f"{self.url} answered with {media or 'no Content-Type'}, not results")
        if _RESULT_TYPES[media] == ox.QueryResultsFormat.JSON:
            body = _standard_json(body)
        try:
            result = ox.parse_query_results(body, format=_RESULT_TYPES[media])
        except SyntaxError as problem:
            raise UsageError(f"{self.url} sent results that do not parse: {problem.msg}") from None
        if form == "ASK" and isinstance(result, ox.QuerySolutions):
            return _ask_table(result)
        return result

    #: A user's query is the remote endpoint's to evaluate (and to keep off the network).
    untrusted_query = query

    def _post(self, sparql: str, accept: str) -> tuple[str, bytes]:
        fields = {"query": sparql}
        if self.default_graph:
            fields["default-graph-uri"] = self.default_graph
        request = urllib.request.Request(
            self.url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            headers={
                "Accept": accept,
                "Content-Type": "application/x-www-form-urlencoded",
                "User-Agent": "inner-alignment-kb",
            },
            method="POST",
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                media = response.headers.get_content_type()
                body = response.read(self.max_bytes + 1)
        except urllib.error.HTTPError as problem:
            raise UsageError(f"{self.url} answered {problem.code}: {_reason(problem)}") from None
        except (urllib.error.URLError, OSError) as problem:
            reason = getattr(problem, "reason", problem)
            raise UsageError(f"cannot reach {self.url}: {reason}") from None
        if len(body) > self.max_bytes:
            raise UsageError(f"{self.url} sent more than {self.max_bytes} bytes")
        return media.lower(), body


def _reason(problem: urllib.error.HTTPError) -> str:
    """The endpoint's own message: our JSON error shape, or the first lines of its text."""
    try:
        text = problem.read(64 * 1024).decode("utf-8", errors="replace")
    except OSError:
        text = ""
    try:
        return str(json.loads(text)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        pass
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    shown = " ".join(lines[:3]) or str(problem.reason)
    return shown if len(shown) <= 300 else shown[:297] + "..."


def _standard_json(body: bytes) -> bytes:
    """SPARQL JSON with Virtuoso's ``typed-literal`` read as the standard ``literal``."""
    if b"typed-literal" not in body:
        return body
    try:
        document = json.loads(body)
    except ValueError:
        return body
    for row in document.get("results", {}).get("bindings", []):
        for value in row.values():
            if value.get("type") == "typed-literal":
                value["type"] = "literal"
    return json.dumps(document).encode("utf-8")


def _ask_table(solutions: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as a table: true if a row says so (Virtuoso: ``__ASK_RETVAL`` 1)."""
    answer = False
    for row in solutions:
        values = [term.value for term in row if term is not None]
        answer = answer or not values or any(v in ("1", "true") for v in values)
    document = json.dumps({"head": {}, "boolean": answer}).encode("utf-8")
    result = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    assert isinstance(result, ox.QueryBoolean)
    return result


def _triples(body: bytes, rdf_format: ox.RdfFormat, url: str) -> list[ox.Triple]:
    try:
        return [quad.triple for quad in ox.parse(body, format=rdf_format)]
    except SyntaxError as problem:
        raise UsageError(f"{url} sent RDF that does not parse: {problem.msg}") from None


ENTITIES_QUERY = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def fetch_entities(backend: Backend) -> Loaded:
    """The KB behind an endpoint, derived verdicts included, as validated models."""
    from kb.query.engine import construct
    from kb.rdf.loader import from_triples

    return from_triples(construct(backend, ENTITIES_QUERY), getattr(backend, "url", "endpoint"))
