"""``kb export --profile skos``: a vocabulary skosify accepts with nothing to report, that
keeps the SKOS integrity conditions, and in which every competing definition reaches a
SKOS-only reader with who holds it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import skosify
import yaml
from conftest import ROOT, KbCli, bundled, run_kb
from rdflib.namespace import DCTERMS, RDF, SKOS

from kb.model.models import Approach, Definition, Quote, Researcher, Source, Term
from kb.model.vocab import SCHEME, iri
from kb.publish import publication

SCHEME_IRI = rdflib.URIRef(SCHEME)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def skosify_run(path: Path) -> tuple[rdflib.Graph, list[str]]:
    """skosify's output graph for a Turtle file, and every message it logged (INFO and up:
    its warnings, and the notes it makes when it has to invent or mark something)."""
    handler = _Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        graph = skosify.skosify(str(path), from_format="turtle")
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return graph, [f"{r.levelname}: {r.getMessage()}" for r in handler.records]


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real export, written by the real command line."""

    out = tmp_path_factory.mktemp("skos") / "kb-skos.ttl"
    result = run_kb("export", "--profile", "skos", "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def graph(export: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(export, format="turtle")


def concepts(graph: rdflib.Graph) -> Iterator[rdflib.term.Node]:
    return iter(sorted(graph.subjects(RDF.type, SKOS.Concept)))


def test_skosify_reports_nothing_and_changes_nothing(export: Path, graph: rdflib.Graph) -> None:
    output, messages = skosify_run(export)
    assert messages == []
    assert set(output) == set(graph), "skosify added or removed triples"


def test_skosify_does_report_the_plain_export(kb_cli: KbCli, tmp_path: Path) -> None:
    # The checker is not blind: the whole-KB export, which has no scheme, makes it complain.
    plain = tmp_path / "kb.ttl"
    assert kb_cli("export", "-o", str(plain)).returncode == 0
    _, messages = skosify_run(plain)
    assert any(m.startswith("WARNING: Concept scheme has no label") for m in messages)
    assert any("Marking loose concept" in m for m in messages)


def test_scheme_describes_the_kb(graph: rdflib.Graph) -> None:
    assert (SCHEME_IRI, RDF.type, SKOS.ConceptScheme) in graph
    en = publication.LANGUAGE
    assert graph.value(SCHEME_IRI, DCTERMS.title) == rdflib.Literal(publication.TITLE, lang=en)
    assert graph.value(SCHEME_IRI, SKOS.prefLabel) == rdflib.Literal(publication.TITLE, lang=en)
    assert graph.value(SCHEME_IRI, DCTERMS.description).language == en  # type: ignore[union-attr]
    assert graph.value(SCHEME_IRI, DCTERMS.creator) is not None
    assert graph.value(SCHEME_IRI, DCTERMS.license) == rdflib.URIRef(publication.LICENSE_IRI)
    namespace = graph.value(
        SCHEME_IRI, rdflib.URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")
    )
    assert namespace == rdflib.Literal("https://w3id.org/inner-alignment-kb/id/")
    created = graph.value(SCHEME_IRI, DCTERMS.created)
    assert created is not None and str(created) == publication.CREATED
    essay = graph.value(SCHEME_IRI, DCTERMS.source)
    sources = [e for e in bundled().entities.values() if isinstance(e, Source) and e.primary]
    assert essay == rdflib.URIRef(iri(sources[0].id))


def test_publication_facts_agree_with_the_citation_file() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["title"] == publication.TITLE
    assert citation["authors"] == [{"name": publication.CREATOR}]
    assert citation["license"] == publication.LICENSE_NAME
    assert publication.LICENSE_IRI.endswith("/" + publication.LICENSE_NAME)


def test_every_term_is_a_concept_in_the_scheme(graph: rdflib.Graph) -> None:
    terms = {iri(e.id) for e in bundled().entities.values() if isinstance(e, Term)}
    assert {str(c) for c in concepts(graph)} == terms
    for concept in concepts(graph):
        assert (concept, SKOS.inScheme, SCHEME_IRI) in graph
        top = (concept, SKOS.topConceptOf, SCHEME_IRI) in graph
        assert top == ((SCHEME_IRI, SKOS.hasTopConcept, concept) in graph)
        assert top == (graph.value(concept, SKOS.broader) is None), concept
    assert any(graph.objects(SCHEME_IRI, SKOS.hasTopConcept))


def test_integrity_conditions_hold(graph: rdflib.Graph) -> None:
    """The SKOS Reference's S13, S14 and S27, checked with rdflib on the written file (``kb
    validate`` checks the data with SPARQL: this is the second opinion, on the export)."""
    for concept in concepts(graph):
        preferred = list(graph.objects(concept, SKOS.prefLabel))
        languages = [label.language for label in preferred]  # type: ignore[attr-defined]
        assert languages == [publication.LANGUAGE], concept  # S14, and every label tagged
        labels = {
            prop: set(graph.objects(concept, prop))
            for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        }
        values = [v for vs in labels.values() for v in vs]
        assert len(values) == len(set(values)), concept  # S13
        broader_transitive = set(graph.transitive_objects(concept, SKOS.broader)) - {concept}
        assert not broader_transitive & set(graph.objects(concept, SKOS.related))  # S27
    for _s, p, o in graph:
        if p in (SKOS.prefLabel, SKOS.altLabel, SKOS.scopeNote, SKOS.note, SKOS.definition):
            assert isinstance(o, rdflib.Literal) and o.language == publication.LANGUAGE


def test_every_definition_reaches_skos_attributed(graph: rdflib.Graph) -> None:
    entities = bundled().entities
    definitions = [e for e in entities.values() if isinstance(e, Definition)]
    assert definitions
    for term in (e for e in entities.values() if isinstance(e, Term)):
        texts = [str(t) for t in graph.objects(rdflib.URIRef(iri(term.id)), SKOS.definition)]
        own = [d for d in definitions if d.defines == term.id]
        assert len(texts) == len(own), term.id
        for definition in own:
            [text] = [t for t in texts if t.endswith(iri(definition.id))]
            for author in definition.authors:
                person = entities[author]
                assert isinstance(person, Researcher)
                assert person.label in text
            source = entities.get(definition.source or "")
            if isinstance(source, Source):
                assert f"Source: {source.label}" in text
            else:
                assert "Source: none recorded." in text
            quote = entities.get(definition.quote or "")
            words = quote.text if isinstance(quote, Quote) else definition.paraphrase
            assert words in text
            for approach in entities.values():
                if isinstance(approach, Approach) and definition.id in approach.definitions:
                    assert approach.label in text
                    for endorser in approach.endorsed_by:
                        assert entities[endorser].display_label in text


def test_reading_links_are_said_in_a_note(graph: rdflib.Graph) -> None:
    entities = bundled().entities
    reading = [t for t in entities.values() if isinstance(t, Term) and t.reading_links]
    assert reading, "the bundled KB marks the links that are the project's reading"
    for term in reading:
        notes = " ".join(graph.objects(rdflib.URIRef(iri(term.id)), SKOS.note))
        for other in term.reading_links:
            assert f"“{entities[other].display_label}”" in notes
            assert "the project's reading" in notes


HOSTILE_TERMS = """\
@prefix id: <https://w3id.org/inner-alignment-kb/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .

id:a a skos:Concept ; skos:prefLabel "a" ; skos:altLabel "a" ; skos:broader id:b ;
    skos:related id:c .
id:b a skos:Concept ; skos:prefLabel "b" ; skos:broader id:c .
id:c a skos:Concept ; skos:prefLabel "c" .
"""


def test_export_refuses_terms_that_break_the_conditions(kb_cli: KbCli, tmp_path: Path) -> None:
    """``kb validate`` checks S13 and S27 on the data (``kb/checks/skos-*.rq``, with their
    fixtures in ``tests/fixtures``); the export validates first, so it writes nothing."""
    (tmp_path / "terms.ttl").write_text(HOSTILE_TERMS, encoding="utf-8")
    out = tmp_path / "out.ttl"
    result = kb_cli("export", "--profile", "skos", "--kb", str(tmp_path), "-o", str(out))
    assert result.returncode == 1
    assert ":4: a: related: related to c, which is also one of its broader terms" in result.stderr
    assert ':4: a: alt_labels: "a" is both its skos:prefLabel and a skos:altLabel' in result.stderr
    assert not out.exists()


def test_reading_link_must_be_a_link(kb_cli: KbCli, tmp_path: Path) -> None:
    terms = HOSTILE_TERMS.replace(
        'skos:prefLabel "c" .',
        'skos:prefLabel "c" ;\n    <https://w3id.org/inner-alignment-kb/vocab#readingLink> id:a .',
    )
    (tmp_path / "terms.ttl").write_text(terms, encoding="utf-8")
    result = kb_cli("validate", str(tmp_path))
    assert result.returncode == 1
    assert "kb:readingLink names a, which this term is not linked to" in result.stdout


@pytest.mark.slow
def test_site_downloads_offer_the_vocabulary(built_site: Path, export: Path) -> None:
    download = built_site / "downloads" / "kb-skos.ttl"
    assert download.read_text(encoding="utf-8") == export.read_text(encoding="utf-8")
    page = (built_site / "downloads" / "index.html").read_text(encoding="utf-8")
    assert 'href="kb-skos.ttl"' in page
