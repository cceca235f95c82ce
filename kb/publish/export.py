"""Whole-KB dumps (the query store: data plus derived verdicts) in Turtle, N-Triples, JSON-LD."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from kb.model.vocab import PREFIXES

RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


def triples_to_text(
    triples: Iterable[ox.Triple], fmt: str, prefixes: Mapping[str, str] = PREFIXES
) -> str:
    """Triples serialized by pyoxigraph, with ``prefixes`` (default: the KB's) where the
    format has them."""
    rdf_format = RDF_FORMATS[fmt]
    relabelled = _stable_blank_nodes(list(triples))
    ordered = sorted(relabelled, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    chosen = dict(prefixes) if fmt in ("ttl", "jsonld") else None
    data = ox.serialize(ordered, format=rdf_format, prefixes=chosen)
    return data.decode("utf-8") if isinstance(data, bytes) else str(data)


def _stable_blank_nodes(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples with blank nodes (the cells of author lists) renamed by where they are
    reached from named subjects, so that the same KB always exports the same text."""
    by_subject: dict[object, list[ox.Triple]] = defaultdict(list)
    for triple in triples:
        by_subject[triple.subject].append(triple)
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def key(triple: ox.Triple) -> tuple[str, str]:
        blank = isinstance(triple.object, ox.BlankNode)
        return (triple.predicate.value, "" if blank else str(triple.object))

    def visit(node: object) -> None:
        pending = [node]
        while pending:
            current = pending.pop()
            for triple in sorted(by_subject.get(current, []), key=key, reverse=True):
                target = triple.object
                if isinstance(target, ox.BlankNode) and target not in labels:
                    labels[target] = ox.BlankNode(f"b{len(labels)}")
                    pending.append(target)

    named = [s for s in by_subject if not isinstance(s, ox.BlankNode)]
    for subject in sorted(named, key=str):
        visit(subject)
    for subject in by_subject:  # blank nodes no named subject reaches (none in a valid KB)
        if isinstance(subject, ox.BlankNode) and subject not in labels:
            labels[subject] = ox.BlankNode(f"b{len(labels)}")
            visit(subject)

    def relabelled(triple: ox.Triple) -> ox.Triple:
        subject, target = triple.subject, triple.object
        if isinstance(subject, ox.BlankNode):
            subject = labels.get(subject, subject)
        if isinstance(target, ox.BlankNode):
            target = labels.get(target, target)
        return ox.Triple(subject, triple.predicate, target)

    return [relabelled(t) for t in triples]


def export_text(paths: Sequence[str | Path] | None, fmt: str) -> str:
    """The store of ``paths`` (default: the bundled KB) in one format."""
    from kb.rdf.dataset import open_kb

    store = open_kb(paths, validate=False).store
    return triples_to_text((q.triple for q in store), fmt)
