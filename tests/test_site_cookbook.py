"""The question cookbook reads as plain language: no RDF prefixed names or IRIs in its prose
(titles, descriptions, parameters, answers), only in the SPARQL and other code blocks."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from kb.model.vocab import PREFIXES
from kb.query.questions import registry

#: A prefixed name of any of the KB's prefixes ("kb:verdictValue", "skos:Concept"), or a
#: namespace IRI.
RDF_TERM = re.compile(
    rf"\b(?:{'|'.join(PREFIXES)}):[A-Za-z_]|"
    + "|".join(re.escape(namespace) for namespace in PREFIXES.values())
)


class Prose(HTMLParser):
    """The text of a page's article outside <pre> and <code> elements."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.depth = {"article": 0, "code": 0}
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth["article"] += 1
        elif tag in ("pre", "code"):
            self.depth["code"] += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth["article"] -= 1
        elif tag in ("pre", "code"):
            self.depth["code"] -= 1

    def handle_data(self, data):
        if self.depth["article"] and not self.depth["code"]:
            self.text.append(data)


def test_the_pattern_finds_rdf_terms():
    assert RDF_TERM.search("similar definitions (kb:similarDefinitionBy)")
    assert RDF_TERM.search("the term (skos:Concept)")
    assert RDF_TERM.search("see http://purl.org/dc/terms/issued")
    assert not RDF_TERM.search("the scenario id: example-3, the approach id")


def test_question_headers_are_plain_language():
    for question in registry().values():
        prose = [question.title, question.description]
        prose += [p.description for p in question.parameters]
        for text in prose:
            assert not RDF_TERM.search(text), (question.name, text)


@pytest.mark.slow
def test_cookbook_prose_names_no_rdf_terms(built_site):
    pages = sorted((built_site / "questions").rglob("index.html"))
    assert len(pages) == len(registry()) + 1
    for page in pages:
        html = page.read_text(encoding="utf-8")
        prose = " ".join(Prose(html).text)
        assert "Parameters" in prose or page.parent.name == "questions"
        found = RDF_TERM.findall(prose)
        assert not found, (page, found)
        assert "SELECT" in html or page.parent.name == "questions"  # the SPARQL stays


@pytest.mark.slow
def test_answer_columns_name_the_sides_they_stand_for(built_site):
    """A column per side of a comparison ("verdict_a") is headed by what the side is."""
    html = (built_site / "questions" / "disagreements" / "index.html").read_text("utf-8")
    question = registry()["disagreements"]
    prose = " ".join(Prose(html).text)
    for side in ("a", "b"):
        name = question.example[side].removesuffix("-approach").capitalize()
        assert f"Verdict ({name})" in prose
    assert "Verdict a" not in prose
