"""KB text never becomes live HTML: a site built from a hostile (but schema-valid) KB is
parsed page by page, and the escaping helper is checked against Markdown directly."""

from __future__ import annotations

import json
import re
import runpy
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from conftest import HOSTILE_KB, ROOT

from kb.model.schema_table import KINDS
from kb.publish.site.escape import md

#: The theme's scripts and the site's own (hand-written in site/docs/js, never KB text).
THEME_SCRIPTS = (
    "assets/javascripts/",
    *(f"js/{p.name}" for p in (ROOT / "site/docs/js").iterdir()),
)
EXTENSIONS = ["toc", "tables", "attr_list", "md_in_html", "admonition", "pymdownx.superfences"]


class Audit(HTMLParser):
    """Everything in a page that would be live markup from the KB."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        for name, value in a.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and (
                "".join(value.split()).lower().startswith(("javascript:", "data:text/html"))
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "iframe", "object", "embed", "base", "frame"):
            self.problems.append(f"<{tag}>")
        if tag == "script":
            self._script = True
            src = a.get("src", "")
            if src and not any(part in src for part in THEME_SCRIPTS):
                self.problems.append(f"<script src={src!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.problems.append(f"script with KB text: {data[:60]!r}")
        if not self._script:
            self.text.append(data)


def _pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@pytest.mark.slow
def test_hostile_kb_builds_inert_html(hostile_site):
    pages = _pages(hostile_site)
    assert len(pages) > 20
    problems = {}
    for page in pages:
        audit = Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        if audit.problems:
            problems[str(page.relative_to(hostile_site))] = audit.problems
    assert problems == {}


@pytest.mark.slow
def test_hostile_text_is_shown_not_dropped(hostile_site):
    page = hostile_site / "term" / "hostile-term" / "index.html"
    audit = Audit()
    audit.feed(page.read_text(encoding="utf-8"))
    text = " ".join(audit.text)
    assert '<script>alert("s1")</script>' not in page.read_text(encoding="utf-8")
    assert "[click me](javascript:alert('s2'))" in text or "<script>" in text
    title_text = page.read_text(encoding="utf-8").split("<title>")[1].split("</title>")[0]
    assert "<" not in title_text


@pytest.mark.slow
def test_hostile_search_index_is_escaped(hostile_site):
    index = json.loads((hostile_site / "search" / "search_index.json").read_text("utf-8"))
    problems = []
    for doc in index["docs"]:  # the theme shows titles and text as HTML
        for field in ("title", "text"):
            audit = Audit()
            audit.feed(doc.get(field, ""))
            problems += [(doc["location"], p) for p in audit.problems]
            if re.search(r"<(script|img|a|iframe)\b", doc.get(field, ""), re.IGNORECASE):
                problems.append((doc["location"], "tag in " + field))
    assert problems == []


HOSTILE = [
    '<script>alert("x")</script>',
    "[a](javascript:alert(1))",
    "![i](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '{: onclick="alert(1)" }',
    "text {#id .c onclick=alert(1)}",
    "# heading",
    "- item",
    "1. item",
    "> quote",
    "```\ncode\n```",
    "    indented",
    "a | b | c",
    "*em* _em_ **strong** `code`",
    "[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "!!! note\n\n    admonition",
    "line\n===",
    "&lt;script&gt;",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_renders_as_plain_text(text):
    converter = markdown.Markdown(extensions=EXTENSIONS)
    html = converter.convert(f"{md(text)}\n\n| x |\n|---|\n| {md(text)} |\n")
    tags = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", html))
    assert tags <= {"p", "table", "thead", "tbody", "tr", "th", "td"}, html
    parser = Audit()
    parser.feed(html)
    assert parser.problems == []
    shown = "".join(parser.text)
    assert " ".join(text.split()) in " ".join(shown.split())


@pytest.mark.slow
def test_front_matter_holds_no_kb_text(tmp_path):
    """Page titles come from the escaped H1; front matter has only slugs and numbers."""
    from kb.publish.site.build import generate
    from kb.publish.site.data import SiteData

    written: dict[str, str | bytes] = {}
    generate(written.__setitem__, SiteData.load([HOSTILE_KB]))
    pages = {p: t for p, t in written.items() if p.endswith(".md") and isinstance(t, str)}
    assert len(pages) > 20
    for path, text in pages.items():
        if not text.startswith("---\n"):
            continue
        meta = text.split("---\n")[1]
        for line in meta.splitlines():
            slug_or_number = (
                r"(kb_id|kb_kind): [A-Za-z0-9_-]+|search: ?|  boost: [0-9.]+|  exclude: true"
                r"|tags:|hide:|  - tags"
            )
            # a page's tag is its kind's name from the schema table, never KB text
            kind_tag = "|".join(f"  - {re.escape(k.singular)}" for k in KINDS)
            assert re.fullmatch(f"{slug_or_number}|{kind_tag}", line), (path, line)


def test_md_keeps_a_trailing_hash_in_headings():
    html = markdown.Markdown(extensions=EXTENSIONS).convert(f"# {md('C#')}\n\n## {md('F ##')}\n")
    assert ">C#</h1>" in html.replace("&#35;", "#") and "F ##</h2>" in html.replace("&#35;", "#")


def test_control_characters_show_as_replacement_characters():
    assert md("a\x80b\x9f\x7f\ufffe\x1b") == "a\ufffdb\ufffd\ufffd\ufffd\ufffd"


def test_the_hostile_kb_is_what_its_generator_writes() -> None:
    """``hostile.ttl`` is committed output of ``make.py``: the two must not drift apart."""
    generator = runpy.run_path(str(HOSTILE_KB / "make.py"))  # not as __main__: writes nothing
    expected = generator["turtle"](generator["entities"]())
    assert (HOSTILE_KB / "hostile.ttl").read_text(encoding="utf-8") == expected
