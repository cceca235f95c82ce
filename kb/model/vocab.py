"""Namespaces and the base IRI: the one place where the KB's IRIs are decided.

Entity IRIs are ``ID + slug`` and never change once published; the project's own
terms live under ``KB``. Everything else is a standard vocabulary.
"""

from __future__ import annotations

import re

BASE = "https://w3id.org/inner-alignment-kb/"
ID = BASE + "id/"
#: The name of the graph that holds the KB, for ``FROM``, ``default-graph-uri`` and stores
#: (such as Virtuoso) that keep data in named graphs.
KB_GRAPH = BASE
KB = BASE + "vocab#"
#: The SKOS concept scheme holding every term (``kb export --profile skos``).
SCHEME = BASE + "scheme"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
PROV = "http://www.w3.org/ns/prov#"
BIBO = "http://purl.org/ontology/bibo/"
SH = "http://www.w3.org/ns/shacl#"

#: Prefixes written by the canonical writer, in this order, and offered to SPARQL queries.
PREFIXES: dict[str, str] = {
    "kb": KB,
    "id": ID,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "schema": SCHEMA,
    "foaf": FOAF,
    "prov": PROV,
    "bibo": BIBO,
}

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

RDF_TYPE = RDF + "type"
RDF_FIRST = RDF + "first"
RDF_REST = RDF + "rest"
RDF_NIL = RDF + "nil"


def iri(slug: str) -> str:
    """The IRI of the entity with this id."""
    return ID + slug


def expand(curie: str) -> str:
    """The full IRI of a CURIE of :data:`PREFIXES` (``kb:scenario``)."""
    prefix, local = curie.split(":", 1)
    return PREFIXES[prefix] + local


def slug_of(entity_iri: str) -> str | None:
    """The id ending an entity IRI, or None when the IRI is not an entity of this KB."""
    return entity_iri[len(ID) :] if entity_iri.startswith(ID) else None


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace above, for queries and the cookbook."""
    return "".join(f"PREFIX {name}: <{ns}>\n" for name, ns in PREFIXES.items())


def is_slug(value: str) -> bool:
    """Whether ``value`` has the form of an entity id."""
    return re.fullmatch(SLUG_PATTERN, value) is not None
