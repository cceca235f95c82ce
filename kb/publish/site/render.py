"""Shared Markdown building blocks: front matter, links between pages, capped lists, tables.

Links are relative paths to ``.md`` files, so ``mkdocs build --strict`` checks every one.
KB text goes through :mod:`kb.publish.site.escape`; ids are slugs and safe in paths as they are.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import quote as percent_encode

from kb.model.models import Entity, Quote, Source, Verdict
from kb.model.quotes import reading_order
from kb.model.schema_table import KIND_BY_NAME, VERDICT_LOOKS
from kb.model.vocab import iri
from kb.publish.site.citation import STYLE, bibtex_block, page_bibtex, page_reference
from kb.publish.site.citation import markdown as cited
from kb.publish.site.data import SiteData, folder_of, page_path
from kb.publish.site.escape import code, external_link, md

E = TypeVar("E", bound=Entity)

#: Longest list of related entities shown on one page; the rest are counted, not listed.
LIST_LIMIT = 200

#: The verdict values with their symbols, in the order the legend lists them.
VERDICT_SYMBOLS = {value: look.symbol for value, look in VERDICT_LOOKS.items()}
#: The mark on a scenario whose verdicts differ between approaches.
DISAGREE = '<span class="kb-disagree">approaches disagree</span>'


@dataclass
class Page:
    """One generated Markdown file.

    Its front matter holds only slugs and numbers, never KB text: the page title is its
    escaped H1, so no KB text depends on YAML parsing to stay inert.
    """

    path: str
    body: str
    entity_id: str | None = None
    kind: str | None = None
    extra_meta: Sequence[tuple[str, str]] = ()
    #: When the entity's data last changed (YYYY-MM-DD), if the KB's history says.
    updated: str | None = None

    def text(self) -> str:
        meta = []
        if self.entity_id:
            meta.append(f"kb_id: {self.entity_id}")
        if self.kind:
            meta.append(f"kb_kind: {self.kind}")
            # the theme's search shows a page's tags beside each result: the kind of page
            # (on the page itself its breadcrumb says so already)
            meta.append(f"tags:\n  - {KIND_BY_NAME[self.kind].singular}\nhide:\n  - tags")
        meta.extend(f"{key}: {value}" for key, value in self.extra_meta)
        head = "---\n" + "\n".join(meta) + "\n---\n\n" if meta else ""
        first, _, _ = self.body.partition("\n")
        heading = first.removeprefix("# ")
        foot = data_box(self.path, self.entity_id, heading, self.updated) if self.entity_id else ""
        return head + self.body.rstrip() + "\n" + foot


#: A reference to an entity written into KB text ("recorded as id:quote-x").
_ID_REFERENCE = re.compile(r"\bid:([a-z0-9]+(?:-[a-z0-9]+)*)\b")
#: Parts of a page that are code or front matter, where an "id:" stays as written.
_VERBATIM = re.compile(r"<pre\b.*?</pre>|<code>.*?</code>|\A---\n.*?\n---\n", re.DOTALL)


def cross_linked(text: str, data: SiteData, path: str) -> str:
    """A page's Markdown with each "id:x" that KB text names (an entity the KB holds) shown
    as a link to x's page under its label, so readers never meet an identifier in prose."""
    links = Links.on(data, path)

    def link(found: re.Match[str]) -> str:
        return links.to(found[1]) if data.get(found[1]) is not None else found[0]

    out, last = [], 0
    for kept in _VERBATIM.finditer(text):
        out.append(_ID_REFERENCE.sub(link, text[last : kept.start()]) + kept[0])
        last = kept.end()
    out.append(_ID_REFERENCE.sub(link, text[last:]))
    return "".join(out)


def base_of(path: str) -> str:
    """The relative prefix from a page at ``path`` to the docs root."""
    return "../" * path.count("/")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")


def short(text: str, limit: int = 90) -> str:
    """A summary of ``text``: its first sentence when that fits, never a word cut in half.

    A first sentence up to half again ``limit`` is kept whole (a glossary line reads
    better complete); a longer one is cut at the last word boundary before ``limit``.
    """
    flat = " ".join(text.split())
    first = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(first) <= limit * 3 // 2:
        return first
    cut = first[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:—-") + "…"


def capitalised(text: str) -> str:
    """A label as a heading: first letter upper-case ("mesa-optimizer" → "Mesa-optimizer")."""
    return text[:1].upper() + text[1:]


def short_name(approach: Entity) -> str:
    """An approach's name for narrow column headings ("Objective-focused")."""
    label = approach.display_label
    return capitalised(label.removesuffix(" approach"))


def label_of(data: SiteData, entity: Entity) -> str:
    """The human label of any entity; verdicts and quotes get a readable one."""
    if isinstance(entity, Verdict):
        scenario, approach = data.get(entity.scenario), data.get(entity.approach)
        return (
            f"{approach.display_label if approach else entity.approach} on "
            f"{scenario.display_label if scenario else entity.scenario}"
        )
    if isinstance(entity, Quote):
        text = short(entity.text, 80)
        whole = text.endswith("…") or text == " ".join(entity.text.split())
        return "“" + text + ("" if whole else " …") + "”"
    return entity.display_label


class Links:
    """Markdown links from one page (at depth given by ``base``) to any other page."""

    def __init__(self, data: SiteData, base: str, page: str = "index.md"):
        self.data = data
        self.base = base
        #: The Markdown path of the page the links are on (for :meth:`url`).
        self.at = page

    @classmethod
    def on(cls, data: SiteData, page: str) -> Links:
        """Links from the page at the Markdown path ``page``."""
        return cls(data, base_of(page), page)

    def path(self, entity_id: str) -> str | None:
        entity = self.data.get(entity_id)
        if entity is not None:
            return self.base + page_path(folder_of(entity), entity_id)
        return None

    def url(self, entity_id: str) -> str:
        """The built page's URL, for raw HTML (mkdocs rewrites only Markdown links).

        A page ``a/b.md`` is served at ``a/b/``, one folder deeper than its file.
        """
        return self.page_url(self.path(entity_id) or "")

    def page_url(self, target: str) -> str:
        """The built URL of a Markdown link ``target`` made for this page (``../a/b.md``)."""
        up = "" if self.at.endswith("index.md") else "../"
        if target.endswith("index.md"):
            return up + target[: -len("index.md")]
        return up + target[: -len(".md")] + "/"

    def to(self, entity_id: str | None, text: str | None = None) -> str:
        """A link to the entity's page; an id the KB lacks shows as inert text."""
        if entity_id is None:
            return ""
        target = self.path(entity_id)
        entity = self.data.get(entity_id)
        if text is None:
            text = label_of(self.data, entity) if entity is not None else entity_id
        return f"[{md(text)}]({target})" if target else md(text)

    def many(self, ids: Iterable[str], empty: str = "—") -> str:
        links = [self.to(i) for i in ids]
        return ", ".join(links) if links else empty

    def page(self, path: str, text: str) -> str:
        return f"[{md(text)}]({self.base}{path})"


def bullet_list(items: Sequence[str], what: str = "items", limit: int = LIST_LIMIT) -> str:
    """Markdown bullets (items are Markdown already), capped at ``limit`` with a count."""
    if not items:
        return "*None.*\n"
    lines = [f"- {item}" for item in items[:limit]]
    if len(items) > limit:
        lines.append(f"- *… and {len(items) - limit} more {what} (see the downloads).*")
    return "\n".join(lines) + "\n"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], limit: int = LIST_LIMIT) -> str:
    """A Markdown table; cells are Markdown already (escaped by the caller)."""
    if not rows:
        return "*None.*\n"
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out.extend("| " + " | ".join(cell or " " for cell in row) + " |" for row in rows[:limit])
    text = "\n".join(out) + "\n"
    if len(rows) > limit:
        text += f"\n*… and {len(rows) - limit} more rows (see the downloads).*\n"
    return text


#: What each mark means: its tooltip, and its line in the legend.
MARK_MEANINGS = {
    "hedged": "the essay hedges it",
    "derived": "computed by the approach's rule, not stated in the essay",
    "implied": "plainly implied by the essay, not said in so many words",
}


def verdict_mark(name: str) -> str:
    """A verdict's ``hedged``, ``derived`` or ``implied`` mark, its meaning as a tooltip."""
    return f'<span class="kb-mark kb-{name}" title="{MARK_MEANINGS[name]}">{name}</span>'


#: How a verdict classifies the failure a scenario shows, as the site words it.
FAILURE_WORDS = {
    "inner-alignment-failure": "inner alignment failure",
    "generalization-failure": "generalization (outer) failure",
    "capability-failure": "capability failure",
    "no-failure": "no failure",
    "uncertain": "failure: uncertain",
}


def verdict_badge(
    value: str | None,
    hedged: bool,
    basis: str,
    implied: bool = False,
    failure: str | None = None,
) -> str:
    """The verdict as text and colour: symbol, value (on the system; "—" when the essay
    classifies only the failure), how the failure is classified, and hedged/derived/implied
    marks."""
    marks = []
    if hedged:
        marks.append(verdict_mark("hedged"))
    if basis != "stated":
        marks.append(verdict_mark("derived"))
    if implied:
        marks.append(verdict_mark("implied"))
    symbol = VERDICT_SYMBOLS.get(value or "", "")
    css = value if value in VERDICT_SYMBOLS else "other"
    badge = (
        f'<span class="kb-verdict kb-v-{css}">'
        f'<span aria-hidden="true">{symbol}</span> {md(value or "—")}</span>'
    )
    if failure:
        words = FAILURE_WORDS.get(failure, failure)
        badge += f' <span class="kb-failure kb-f-{md(failure)}">· {md(words)}</span>'
    return " ".join([badge, *marks])


def verdict_link(links: Links, verdict: Verdict) -> str:
    """A verdict's badge, linking to the verdict's page (Markdown)."""
    badge = verdict_badge(
        verdict.value, verdict.hedged, verdict.basis, verdict.implied, verdict.failure
    )
    return f"[{badge}]({links.path(verdict.id)})"


#: The legend of the verdict symbols and marks, placed wherever they appear.
LEGEND = (
    '\n<p class="kb-legend">Legend: '
    + " ".join(verdict_badge(value, hedged=False, basis="stated") for value in VERDICT_SYMBOLS)
    + "".join(f" · {verdict_mark(name)} {meaning}" for name, meaning in MARK_MEANINGS.items())
    + " · after the verdict on the system: how the approach classifies the failure the "
    "scenario shows (— alone: the essay classifies only the failure)"
    + f" · {DISAGREE} rows where the verdicts differ</p>\n\n"
)


def data_url(path: str, entity_id: str, extension: str) -> str:
    """The URL of an entity's data file, relative to the built page of the Markdown ``path``.

    Data files are written after the build (see :func:`kb.publish.site.build.write_data_files`),
    so they are linked with plain HTML; the page of ``a/b.md`` is served at ``a/b/``.
    """
    depth = path.count("/") + (0 if path.endswith("index.md") else 1)
    return "../" * depth + f"id/{entity_id}.{extension}"


def header(data: SiteData, path: str, kind_name: str, entity_id: str, label: str) -> str:
    """The H1 and the breadcrumb under it; machine details go in :func:`data_box`."""
    return (
        f"# {md(capitalised(label))}\n\n"
        f'<p class="kb-crumbs" markdown>[Home]({base_of(path)}index.md) &rsaquo; '
        f"[{md(kind_name)}](index.md)</p>\n"
    )


def data_box(path: str, entity_id: str, heading: str, updated: str | None = None) -> str:
    """Machine details at the page foot: how to cite the page, when its data last changed,
    its stable identifier and its data files. ``heading`` is the page's H1 as escaped
    Markdown; ``updated`` a date (YYYY-MM-DD)."""
    ttl, jsonld = data_url(path, entity_id, "ttl"), data_url(path, entity_id, "jsonld")
    when = f"**Last updated** {md(updated)} (when its data last changed)\n\n" if updated else ""
    reference = cited(page_reference(heading, entity_id, updated), unverified)
    entry = page_bibtex(html.unescape(heading), entity_id, updated)
    return (
        '\n<div class="kb-data" markdown>\n\n'
        f'**Cite as** <span class="kb-reference">{reference}</span> '
        f"({STYLE}; [how to cite]({base_of(path)}cite.md))\n\n"
        f'<details class="kb-cite-bibtex" markdown><summary>BibTeX</summary>\n'
        f"{bibtex_block(entry)}</details>\n\n"
        f"{when}"
        f"**Identifier** {code(iri(entity_id))} · **Data** "
        f'<a href="{ttl}" type="text/turtle">Turtle</a> · '
        f'<a href="{jsonld}" type="application/ld+json">JSON-LD</a>\n\n</div>\n'
    )


def entity_header(data: SiteData, path: str, entity: Entity) -> str:
    return header(data, path, entity.kind.singular, entity.id, label_of(data, entity))


def note_block(entity: Entity) -> str:
    if not entity.note:
        return ""
    return f'\n!!! note "Note"\n\n    {md(entity.note)}\n'


def unverified(text: str = "unverified") -> str:
    return f'<span class="kb-mark kb-unverified">{md(text)}</span>'


def in_author_order(data: SiteData, people: list[str], source_id: str | None) -> list[str]:
    """People in the order the source lists its authors (others after, by id)."""
    source = data.get(source_id) if source_id else None
    order = source.authors if isinstance(source, Source) else []
    return sorted(people, key=lambda p: (order.index(p) if p in order else len(order), p))


def text_fragment(text: str, words: int = 5) -> str:
    """A URL text fragment (``#:~:text=``) that finds ``text`` in a page: the whole text
    when short, else its first and last words (``start,end``), percent-encoded."""

    def encode(part: str) -> str:
        return percent_encode(part, safe="").replace("-", "%2D")

    tokens = text.split()
    if len(tokens) <= 2 * words:
        return "#:~:text=" + encode(" ".join(tokens))
    start, end = " ".join(tokens[:words]), " ".join(tokens[-words:])
    return f"#:~:text={encode(start)},{encode(end)}"


def in_the_essay(data: SiteData, quote: Quote) -> str | None:
    """The quote's place in the primary source online (the essay's public URL and a text
    fragment), when the quote is from the essay or quoted in it; else None."""
    for source_id in (quote.source, quote.quoted_in):
        source = data.get(source_id) if source_id else None
        if isinstance(source, Source) and source.primary and source.url:
            return source.url + text_fragment(quote.text)
    return None


def section_in_the_essay(data: SiteData, quote: Quote) -> str | None:
    """The essay's public URL at the section the quote was found in (a text fragment of its
    heading; the top for the opening), when the quote was taken from the essay."""
    essay = data.get(quote.taken_from)
    if not (isinstance(essay, Source) and essay.primary and essay.url and quote.section):
        return None
    if section_words(data, quote) == "opening":
        return essay.url
    return essay.url + text_fragment(quote.section)


def primary_id(data: SiteData) -> str | None:
    """The id of the essay the KB is built from (the source marked primary), if any."""
    return next((s.id for s in data.all(Source) if s.primary), None)


def in_reading_order(data: SiteData, quotes: Iterable[Quote]) -> list[Quote]:
    """Quotes as a reader meets them: the essay's in its order, then each other work's."""
    primary = primary_id(data)
    return sorted(quotes, key=lambda q: reading_order(q, primary))


def by_quote_order(
    data: SiteData, entities: Iterable[E], quote_of: Callable[[E], str | None]
) -> list[E]:
    """Entities (definitions, say) in the reading order of the quote that gives their words
    (see :func:`in_reading_order`); those without a quote after, by id."""
    primary = primary_id(data)
    quoted: list[tuple[Quote, E]] = []
    unquoted: list[E] = []
    for entity in entities:
        quote = data.get(quote_of(entity) or "")
        if isinstance(quote, Quote):
            quoted.append((quote, entity))
        else:
            unquoted.append(entity)
    quoted.sort(key=lambda pair: (reading_order(pair[0], primary), pair[1].id))
    return [entity for _, entity in quoted] + sorted(unquoted, key=lambda e: e.id)


def section_words(data: SiteData, quote: Quote) -> str | None:
    """Where the quote sits in the work it was taken from, for a reader: its section
    heading, or "opening" for the words before the first heading (headed by the title)."""
    if not quote.section:
        return None
    work = data.get(quote.taken_from)
    return "opening" if work is not None and quote.section == work.display_label else quote.section


def _attribution(quote: Quote) -> tuple[tuple[str, ...], str, str | None]:
    """What a quote's attribution line names: its speakers, its work, the quoting work."""
    return (tuple(quote.speakers), quote.source, quote.quoted_in)


def _own_place(quote: Quote) -> str | None:
    """Where in their own work words quoted by another work sit (a section or a time)."""
    return quote.locator if quote.quoted_in else None


def who_said(data: SiteData, links: Links, quote: Quote) -> str:
    """The quote's speakers, linked, in the order its work lists its authors."""
    speakers = in_author_order(data, quote.speakers, quote.source)
    return links.many(speakers, empty=unverified("author not recorded"))


def attribution_line(data: SiteData, links: Links, quote: Quote, placed: bool = False) -> str:
    """Who said the words and in which work (``placed``: and where in it), and which work
    quotes them, in Markdown."""
    source = data.get(quote.source)
    parts = [who_said(data, links, quote), "in " + links.to(quote.source)]
    if source is not None and getattr(source, "unidentified", False):
        parts.append(unverified("unidentified source"))
    if placed and (own := _own_place(quote)):
        parts.append(f"({md(own)})")
    if quote.quoted_in:
        parts.append("· quoted in " + links.to(quote.quoted_in))
    return " ".join(parts)


def quote_block(
    data: SiteData,
    links: Links,
    quote_id: str | None,
    attributed: bool = True,
    on_its_page: bool = False,
) -> str:
    """A quote with its provenance: author(s), source, section and where it was quoted
    (``attributed=False`` leaves out who and which work, said once for a list of quotes),
    and a link to its page (unless ``on_its_page``: a page does not link to itself)."""
    if quote_id is None:
        return ""
    quote = data.get(quote_id)
    if not isinstance(quote, Quote):
        return f"\n> *Quote {md(quote_id)} is not in this KB.*\n"
    where = section_words(data, quote)
    if attributed:
        parts = [attribution_line(data, links, quote, placed=True)]
        parts += [f"({md(where)})"] if where else []
    else:
        places = [p for p in (_own_place(quote), where) if p]
        parts = [md("; ".join(places))] if places else []
    if not on_its_page:
        parts.append(("· " if parts else "") + links.to(quote.id, "quote page"))
    if (online := in_the_essay(data, quote)) is not None:
        parts.append(("· " if parts else "") + external_link(online, "read it in the essay"))
    return f"\n> “{md(quote.text)}”\n>\n> — {' '.join(parts)}\n"


def evidence_blocks(data: SiteData, links: Links, quote_ids: Sequence[str]) -> str:
    """Quotes cited as evidence, in the order the essay gives them. When they share who
    said them and where, that is said once above them rather than under each."""
    found = [q for q in (data.get(i) for i in quote_ids) if isinstance(q, Quote)]
    missing = [i for i in quote_ids if not isinstance(data.get(i), Quote)]
    quotes = in_reading_order(data, found)[:LIST_LIMIT]
    shared = len(quotes) > 1 and len({_attribution(q) for q in quotes}) == 1
    out = []
    if shared:
        order = ", in the essay's order" if quotes[0].taken_from == primary_id(data) else ""
        out.append(f"\nAll from {attribution_line(data, links, quotes[0])}{order}:\n")
    out.extend(quote_block(data, links, q.id, attributed=not shared) for q in quotes)
    out.extend(quote_block(data, links, i) for i in missing)
    return "".join(out)
