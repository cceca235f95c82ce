"""The KB's terms as a SKOS vocabulary that vocabulary tools (Skosmos, SkoHub Vocabs,
skosify) take as it is: ``kb export --profile skos``.

One ``skos:ConceptScheme`` (:mod:`kb.publish.publication` describes it) holds every term; terms
without a broader term are its top concepts. Links are written in both directions
(``skos:narrower`` for each ``skos:broader``, ``skos:related`` both ways), so a checker has
nothing to add. Each ``kb:Definition`` of a term becomes one ``skos:definition`` of its
concept: a plain-text literal that names the definition's authors, source and approach
(with the approach's endorsers, as the essay reads them) and ends with the definition's
IRI, so that a reader who sees only SKOS still sees every competing definition and who
holds it. Links that are the project's reading (``kb:readingLink``) are said in a
``skos:note``. Every text is tagged with the KB's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from kb.model.models import Approach, Definition, Entity, Quote, Source, Term
from kb.model.quotes import primary_source
from kb.model.vocab import DCTERMS, ID, PREFIXES, RDF_TYPE, SCHEME, SKOS, XSD, iri
from kb.publish import publication
from kb.rdf.dataset import load

VANN = "http://purl.org/vocab/vann/"
#: Prefixes of the SKOS profile's Turtle: the KB's own, plus the one SkoHub Vocabs reads.
SKOS_PREFIXES = {**PREFIXES, "vann": VANN}


def _node(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _text(value: str) -> ox.Literal:
    return ox.Literal(value, language=publication.LANGUAGE)


def _name(entities: Mapping[str, Entity], entity_id: str) -> str:
    entity = entities.get(entity_id)
    return entity.display_label if entity is not None else entity_id


def _people(entities: Mapping[str, Entity], ids: Sequence[str], source_id: str | None) -> str:
    """Names in the order the source lists its authors (others after, by id), joined."""
    source = entities.get(source_id) if source_id else None
    order = source.authors if isinstance(source, Source) else []
    ranked = sorted(ids, key=lambda p: (order.index(p) if p in order else len(order), p))
    names = [_name(entities, p) for p in ranked]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def definition_text(
    entities: Mapping[str, Entity], definition: Definition, approaches: Sequence[Approach]
) -> str:
    """One competing definition as a SKOS reader sees it: its words, who holds it, where,
    under which ``approaches`` (those that include it), and the IRI of the definition it
    comes from."""
    quote = entities.get(definition.quote) if definition.quote else None
    if isinstance(quote, Quote):
        words = f"“{quote.text}”"
    else:
        words = f"In the project's paraphrase: {definition.paraphrase}"
    parts = [f"{definition.label}. {words}"]
    if definition.authors:
        parts.append(f"Held by {_people(entities, definition.authors, definition.source)}.")
    source = entities.get(definition.source) if definition.source else None
    if isinstance(source, Source):
        unverified = " (title not checked)" if "title" in source.unverified_fields else ""
        parts.append(f"Source: {source.label}{unverified}.")
    else:
        parts.append("Source: none recorded.")
    for approach in approaches:
        endorsers = approach.endorsed_by
        who = (
            f", endorsed (as the essay reads it) by {_people(entities, endorsers, None)}"
            if endorsers
            else ""
        )
        parts.append(f"Approach: {approach.label}{who}.")
    if definition.note:
        parts.append(f"Note: {definition.note}")
    parts.append(f"Definition: {iri(definition.id)}")
    return " ".join(parts)


def _links(terms: Sequence[Term]) -> dict[str, dict[str, set[str]]]:
    """Each term's broader, narrower and related terms, each link in both directions."""
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for term in terms:
        for other in term.broader:
            links[term.id]["broader"].add(other)
            links[other]["narrower"].add(term.id)
        for other in term.narrower:
            links[term.id]["narrower"].add(other)
            links[other]["broader"].add(term.id)
        for other in term.related:
            links[term.id]["related"].add(other)
            links[other]["related"].add(term.id)
    return links


def _reading_note(entities: Mapping[str, Entity], term: Term, readings: set[str]) -> str:
    names = ", ".join(f"“{_name(entities, t)}”" for t in sorted(readings))
    return (
        f"The links from “{term.label}” to {names} are the project's reading of the essay, "
        "not links the essay itself draws."
    )


def vocabulary(entities: Mapping[str, Entity]) -> Iterator[ox.Triple]:
    """The concept scheme and its concepts, as triples."""
    scheme = _node(SCHEME)
    terms = sorted((e for e in entities.values() if isinstance(e, Term)), key=lambda t: t.id)
    links = _links(terms)
    readings: dict[str, set[str]] = defaultdict(set)
    for term in terms:
        for other in term.reading_links:
            readings[term.id].add(other)
            readings[other].add(term.id)
    definitions: dict[str, list[Definition]] = defaultdict(list)
    approaches: dict[str, list[Approach]] = defaultdict(list)
    for entity in sorted(entities.values(), key=lambda e: e.id):
        if isinstance(entity, Definition):
            definitions[entity.defines].append(entity)
        elif isinstance(entity, Approach):
            for definition_id in entity.definitions:
                approaches[definition_id].append(entity)

    yield from _scheme(entities, scheme)
    for term in terms:
        concept = _node(iri(term.id))
        yield ox.Triple(concept, _node(RDF_TYPE), _node(SKOS + "Concept"))
        yield ox.Triple(concept, _node(SKOS + "inScheme"), scheme)
        if not links[term.id]["broader"]:
            yield ox.Triple(concept, _node(SKOS + "topConceptOf"), scheme)
            yield ox.Triple(scheme, _node(SKOS + "hasTopConcept"), concept)
        yield ox.Triple(concept, _node(SKOS + "prefLabel"), _text(term.label))
        for label in term.alt_labels:
            yield ox.Triple(concept, _node(SKOS + "altLabel"), _text(label))
        if term.scope_note:
            yield ox.Triple(concept, _node(SKOS + "scopeNote"), _text(term.scope_note))
        if term.note:
            yield ox.Triple(concept, _node(SKOS + "note"), _text(term.note))
        if readings[term.id]:
            note = _reading_note(entities, term, readings[term.id])
            yield ox.Triple(concept, _node(SKOS + "note"), _text(note))
        for relation in ("broader", "narrower", "related"):
            for other in sorted(links[term.id][relation]):
                yield ox.Triple(concept, _node(SKOS + relation), _node(iri(other)))
        for definition in definitions[term.id]:
            text = definition_text(entities, definition, approaches[definition.id])
            yield ox.Triple(concept, _node(SKOS + "definition"), _text(text))


def _scheme(entities: Mapping[str, Entity], scheme: ox.NamedNode) -> Iterator[ox.Triple]:
    yield ox.Triple(scheme, _node(RDF_TYPE), _node(SKOS + "ConceptScheme"))
    yield ox.Triple(scheme, _node(SKOS + "prefLabel"), _text(publication.TITLE))
    yield ox.Triple(scheme, _node(DCTERMS + "title"), _text(publication.TITLE))
    yield ox.Triple(scheme, _node(DCTERMS + "description"), _text(publication.DESCRIPTION))
    yield ox.Triple(scheme, _node(DCTERMS + "creator"), ox.Literal(publication.CREATOR))
    yield ox.Triple(scheme, _node(DCTERMS + "license"), _node(publication.LICENSE_IRI))
    yield ox.Triple(
        scheme,
        _node(DCTERMS + "created"),
        ox.Literal(publication.CREATED, datatype=_node(XSD + "date")),
    )
    yield ox.Triple(scheme, _node(DCTERMS + "language"), ox.Literal(publication.LANGUAGE))
    yield ox.Triple(scheme, _node(VANN + "preferredNamespaceUri"), ox.Literal(ID))
    essay = primary_source(dict(entities))
    if essay is not None:
        yield ox.Triple(scheme, _node(DCTERMS + "source"), _node(iri(essay)))


def skos_text(entities: Mapping[str, Entity], fmt: str) -> str:
    """The SKOS vocabulary of validated ``entities`` (``kb validate`` checks the SKOS
    integrity conditions on the terms: ``kb/checks/skos-*.rq``) in one format."""
    from kb.publish.export import triples_to_text

    return triples_to_text(vocabulary(entities), fmt, SKOS_PREFIXES)


def export_skos(paths: Sequence[str | Path] | None, fmt: str) -> str:
    """The SKOS vocabulary of the KB at ``paths`` (default: the bundled one), which is
    validated first (:class:`kb.model.errors.InvalidKB` lists every problem)."""
    return skos_text(load(paths).entities, fmt)
