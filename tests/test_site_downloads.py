"""The downloads work in other tools: every BibTeX entry is read back by a BibTeX parser
with its authors (an organisation whose name holds " and " stays one author) and its text
exactly as in the KB."""

from __future__ import annotations

import re

import pytest
from conftest import HOSTILE_KB
from pybtex.database import parse_string

from kb.models import Source
from kb.sitegen.data import SiteData
from kb.sitegen.escape import squash
from kb.sitegen.sources import _BIB_SPECIAL, bibtex

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
def test_the_matrix_is_a_download_a_spreadsheet_reads(built_site):
    import csv

    from kb import KnowledgeBase

    kb = KnowledgeBase.load()
    rows = list(csv.DictReader((built_site / "downloads" / "matrix.csv").open(encoding="utf-8")))
    assert [r["scenario"] for r in rows] == [r.scenario for r in kb.matrix()]
    example = next(r for r in rows if r["scenario"] == "example-3")
    assert example["disagree"] == "yes" and "inner-misaligned" in example["objective-focused"]
    assert 'href="matrix.csv"' in (built_site / "downloads" / "index.html").read_text("utf-8")
