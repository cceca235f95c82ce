"""The downloads work in other tools: every BibTeX entry is read back by a BibTeX parser
with its authors (an organisation whose name holds " and " stays one author) and its text
exactly as in the KB."""

from __future__ import annotations

import re

import pytest
from conftest import HOSTILE_KB
from pybtex.database import parse_string

from kb.model.models import Source
from kb.publish.site.citation import _BIB_SPECIAL, bibtex
from kb.publish.site.data import SiteData
from kb.publish.site.escape import squash

_UNESCAPE = {latex: char for char, latex in _BIB_SPECIAL.items()}
_LATEX = re.compile("|".join(re.escape(latex) for latex in _UNESCAPE))


def unescape(value: str) -> str:
    return _LATEX.sub(lambda m: _UNESCAPE[m.group(0)], value)


@pytest.mark.parametrize("kb", [None, [HOSTILE_KB]], ids=["bundled", "hostile"])
def test_every_bibtex_entry_parses_with_its_authors_and_text(kb):
    data = SiteData.load(kb)
    sources = data.all(Source)
    assert sources
    for source in sources:
        entry = parse_string(bibtex(data, source), "bibtex").entries[source.id]
        assert len(entry.persons.get("author", [])) == len(source.authors), source.id
        assert unescape(entry.fields["title"]) == squash(source.label), source.id
        if source.publisher:
            field = "journal" if source.work_type == "paper" else "publisher"
            assert unescape(entry.fields[field]) == squash(source.publisher)


def test_an_organisation_author_stays_whole():
    data = SiteData.load([HOSTILE_KB])
    entry = parse_string(bibtex(data, data.get("hostile-source")), "bibtex")
    names = [str(p) for p in entry.entries["hostile-source"].persons["author"]]
    assert "{Center for Alignment and Safety \\& Co. \\#1}" in names


@pytest.mark.slow
def test_the_matrix_is_a_download_a_spreadsheet_reads(built_site, k):
    import csv

    rows = list(csv.DictReader((built_site / "downloads" / "matrix.csv").open(encoding="utf-8")))
    assert [r["scenario"] for r in rows] == [r.scenario for r in k.matrix()]
    example = next(r for r in rows if r["scenario"] == "example-3")
    assert example["disagree"] == "yes" and "inner-misaligned" in example["objective-focused"]
    assert 'href="matrix.csv"' in (built_site / "downloads" / "index.html").read_text("utf-8")


def _to_graph(document: dict, folder, base: str):
    """The RDF graph a JSON-LD processor (pyld) reads from ``document``; remote contexts
    are served from ``folder`` (the built site), never fetched."""
    import json

    import rdflib
    from pyld import jsonld

    def loader(url, options=None):
        name = url.rsplit("/downloads/", 1)[-1]
        text = (folder / "downloads" / name).read_text(encoding="utf-8")
        return {"contextUrl": None, "documentUrl": url, "document": json.loads(text)}

    nquads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": loader, "base": base}
    )
    return rdflib.Graph().parse(data=nquads, format="nt")  # default graph only: N-Triples


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, reference",
    [("downloads/kb.jsonld", "downloads/kb.nt"), ("id/mesa-optimizer.jsonld", None)],
)
def test_published_json_ld_is_compact_and_reads_back_as_the_same_graph(built_site, name, reference):
    import json

    import rdflib
    from rdflib.compare import isomorphic

    document = json.loads((built_site / name).read_text(encoding="utf-8"))
    assert document["@context"][0] == {"@version": 1.1}
    nodes = document["@graph"]
    term = next(n for n in nodes if n["@id"].endswith("/id/mesa-optimizer"))
    assert term["@type"] == "Term" and term["label"] == "mesa-optimizer"  # readable terms
    read = _to_graph(document, built_site, "https://kb.invalid/" + name)
    if reference is None:
        expected = rdflib.Graph().parse(built_site / name.replace(".jsonld", ".ttl"))
    else:
        expected = rdflib.Graph().parse(built_site / reference, format="nt")
    assert len(read) == len(expected) and isomorphic(read, expected)
