"""Whole-KB dumps (the query store: data plus derived verdicts) in Turtle, N-Triples, JSON-LD."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kb.vocab import PREFIXES

RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def triples_to_text(triples: Iterable[ox.Triple], fmt: str) -> str:
    """Triples serialized by pyoxigraph, with the KB's prefixes where the format has them."""
    rdf_format = RDF_FORMATS[fmt]
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    options = {"prefixes": PREFIXES} if fmt in ("ttl", "jsonld") else {}
    data = ox.serialize(ordered, format=rdf_format, **options)
    return data.decode("utf-8") if isinstance(data, bytes) else str(data)


def export_text(paths: Sequence[str | Path] | None, fmt: str) -> str:
    """The store of ``paths`` (default: the bundled KB) in one format."""
    from kb.store import load_store

    store = load_store(paths)
    return triples_to_text((q.triple for q in store), fmt)
