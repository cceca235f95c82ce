"""The KB as compact JSON-LD under its own context: each node typed with its kind's name
(``"@type": "Term"``), so the kind's type-scoped terms apply and a reader sees ``label``,
``altLabels`` and ``related`` rather than full property IRIs.

Written from the triples and the schema's field specs; a JSON-LD processor expands it back
to the same graph (a test checks this with pyld). A triple no field describes is kept under
its full property IRI, never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from kb.model.mapping import specs, type_iri
from kb.model.models import KINDS
from kb.model.vocab import expand

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

#: Type IRI → (the kind's name in the context, property IRI → its field spec).
_KINDS = {
    type_iri(kind): (kind.__name__, {expand(s.curie): s for s in specs(kind)}) for kind in KINDS
}


def _expanded(term: Any) -> dict[str, Any]:
    """A value in expanded form (for a property no field describes)."""
    if isinstance(term, ox.NamedNode):
        return {"@id": term.value}
    if isinstance(term, ox.BlankNode):
        return {"@id": f"_:{term.value}"}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == XSD_STRING:
        return {"@value": term.value}
    return {"@value": term.value, "@type": term.datatype.value}


def _list(head: Any, by_subject: dict[Any, list[ox.Triple]], used: set[Any]) -> list[Any] | None:
    """The items of the RDF list at ``head``, or None if it is not a well-formed list."""
    items = []
    node = head
    while not (isinstance(node, ox.NamedNode) and node.value == RDF + "nil"):
        cell = {t.predicate.value: t.object for t in by_subject.get(node, [])}
        if set(cell) != {RDF + "first", RDF + "rest"} or len(by_subject[node]) != 2:
            return None
        used.add(node)
        items.append(cell[RDF + "first"])
        node = cell[RDF + "rest"]
    return items


def _canonical_integer(lexical: str) -> bool:
    """Whether a JSON number gives back this lexical form (no sign, no leading zeros)."""
    return lexical.isascii() and lexical.isdigit() and str(int(lexical)) == lexical


def _compact(term: Any, spec: Any) -> Any:
    """A value under a field's term: plain JSON where the term's type coercion gives back
    the same RDF term, else a value or node object (which coercion leaves alone)."""
    if spec.kind in ("ref", "url"):
        return term.value if isinstance(term, ox.NamedNode) else _expanded(term)
    if isinstance(term, ox.Literal) and not term.language:
        datatype = term.datatype.value
        if spec.kind == "bool" and datatype == XSD_BOOLEAN and term.value in ("true", "false"):
            return term.value == "true"
        if spec.kind == "integer" and datatype == XSD_INTEGER and _canonical_integer(term.value):
            return int(term.value)
        if spec.kind not in ("bool", "integer") and datatype == XSD_STRING:
            return term.value
    return _expanded(term)


def graph(triples: Iterable[ox.Triple]) -> list[dict[str, Any]]:
    """Every subject as one compact node (list cells folded into their lists)."""
    by_subject: dict[Any, list[ox.Triple]] = defaultdict(list)
    for triple in triples:
        by_subject[triple.subject].append(triple)
    used: set[Any] = set()
    nodes: dict[Any, dict[str, Any]] = {}
    for subject, own in by_subject.items():
        types = [t.object for t in own if t.predicate.value == RDF + "type"]
        known = [t for t in types if isinstance(t, ox.NamedNode) and t.value in _KINDS]
        name, fields = _KINDS[known[0].value] if len(known) == 1 else ("", {})
        node: dict[str, Any] = {"@id": _expanded(subject)["@id"]}
        node_types = [name] if name else []
        node_types += [_expanded(t)["@id"] for t in types if not (name and t == known[0])]
        if node_types:
            node["@type"] = node_types[0] if len(node_types) == 1 else node_types
        values: dict[str, list[Any]] = defaultdict(list)
        for triple in own:
            predicate = triple.predicate.value
            if predicate == RDF + "type":
                continue
            spec = fields.get(predicate)
            if spec is not None and spec.ordered:
                items = _list(triple.object, by_subject, used)
                if items is not None:
                    values[spec.name].append([_compact(i, spec) for i in items])
                    continue
            if spec is not None and not spec.ordered:
                values[spec.name].append(_compact(triple.object, spec))
            else:
                values[predicate].append(_expanded(triple.object))
        for key, found in values.items():
            if key in {s.name for s in fields.values() if s.ordered} and len(found) == 1:
                node[key] = found[0]
            else:
                node[key] = found[0] if len(found) == 1 else found
        nodes[subject] = node
    return [node for subject, node in nodes.items() if subject not in used]


def document(nodes: list[dict[str, Any]], context: object) -> dict[str, Any]:
    """A JSON-LD 1.1 document: ``context`` (a URL or a context object) and the nodes."""
    return {"@context": [{"@version": 1.1}, context], "@graph": nodes}
