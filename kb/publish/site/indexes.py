"""One index page per kind (paginated), instead of a navigation that lists every entity.

MkDocs renders the navigation into every page, so a navigation with every entity would
grow as n squared; index pages grow linearly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kb.model.models import (
    Approach,
    Argument,
    DecompositionPart,
    Definition,
    Entity,
    Quote,
    Researcher,
    Scenario,
    Source,
    Term,
)
from kb.model.quotes import reading_order
from kb.model.schema_table import KIND_BY_NAME
from kb.publish.site.data import SiteData
from kb.publish.site.escape import external_link, md
from kb.publish.site.render import (
    LEGEND,
    Links,
    Page,
    attribution_line,
    bullet_list,
    in_reading_order,
    primary_id,
    section_in_the_essay,
    section_words,
    short,
    short_name,
    table,
    unverified,
    verdict_link,
    who_said,
)

PAGE_SIZE = 400


def summary(data: SiteData, links: Links, entity: Entity) -> str:
    """A one-line description of an entity for its index row (escaped Markdown)."""
    if isinstance(entity, Term):
        also = f" (also: {md('; '.join(entity.alt_labels))})" if entity.alt_labels else ""
        return md(short(entity.scope_note or "", 160)) + also
    if isinstance(entity, Definition):
        said = f"“{md(short(entity.paraphrase, 160))}” " if entity.paraphrase else ""
        return f"{said}— {links.many(entity.authors)}, defining {links.to(entity.defines)}"
    if isinstance(entity, Approach | Scenario | Argument):
        return md(short(entity.description, 160))
    if isinstance(entity, DecompositionPart):
        return f"step {md(entity.number)}: {md(short(entity.description, 140))}"
    if isinstance(entity, Researcher):
        return md("; ".join(entity.alternate_names))
    if isinstance(entity, Source):
        marks = " " + unverified("unidentified source") if entity.unidentified else ""
        return f"{links.many(entity.authors, empty='')} {md(entity.date or '')}{marks}"
    return ""


def _pager(number: int, count: int, depth_in_list: bool) -> str:
    if count <= 1:
        return ""
    parts = []
    for n in range(1, count + 1):
        if n == number:
            parts.append(f"**{n}**")
            continue
        if depth_in_list:
            target = "../index.md" if n == 1 else f"{n}.md"
        else:
            target = "index.md" if n == 1 else f"list/{n}.md"
        parts.append(f"[{n}]({target})")
    return "Pages: " + " · ".join(parts) + "\n\n"


def _paged(
    folder: str, heading: str, intro: str, total: int, body_for: Callable[[str, int, int], str]
) -> list[Page]:
    """Index pages of PAGE_SIZE items: ``folder/index.md``, then ``folder/list/N.md``;
    ``body_for(links_base, start, stop)`` writes the items of one page."""
    pages = []
    count = max(1, -(-total // PAGE_SIZE))
    for number in range(1, count + 1):
        path = f"{folder}/index.md" if number == 1 else f"{folder}/list/{number}.md"
        links_base = "../" if number == 1 else "../../"
        suffix = f" (page {number} of {count})" if count > 1 else ""
        body = (
            f"# {heading}{suffix}\n\n{intro.replace('{base}', links_base)}\n\n{total} in all.\n\n"
            + _pager(number, count, number > 1)
            + body_for(links_base, (number - 1) * PAGE_SIZE, number * PAGE_SIZE)
        )
        pages.append(Page(path, body))
    return pages


def kind_index(data: SiteData, kind: type[Entity]) -> list[Page]:
    if kind is Quote:
        return quote_index(data)
    folder = kind.kind.folder
    # scenarios in the essay's order, as the matrix and a reader of the essay meet them
    entities: list[Entity] = list(data.scenarios()) if kind is Scenario else data.all(kind)

    def body_for(base: str, start: int, stop: int) -> str:
        links = Links(data, base)
        rows = [[links.to(e.id), summary(data, links, e)] for e in entities[start:stop]]
        return table(["Name", "About"], rows, limit=PAGE_SIZE)

    return _paged(folder, kind.kind.plural, kind.kind.intro, len(entities), body_for)


def _groups(data: SiteData, quotes: list[Quote]) -> list[tuple[str, list[list[Quote]]]]:
    """Quotes by the work they come from, then by the section where they were found: the
    essay's own words first, each group and section where the essay first gives one."""
    primary = primary_id(data)
    by_source: dict[str, dict[tuple[str, str | None], list[Quote]]] = {}
    for quote in in_reading_order(data, quotes):
        sections = by_source.setdefault(quote.source, {})
        sections.setdefault((quote.taken_from, quote.section), []).append(quote)
    groups = sorted(
        by_source.items(),
        key=lambda item: (
            item[0] != primary,
            min(reading_order(q, primary) for s in item[1].values() for q in s),
        ),
    )
    return [(source, list(sections.values())) for source, sections in groups]


def _quote_group(data: SiteData, links: Links, source: str, sections: list[list[Quote]]) -> str:
    """One work's quotes under its title, who said them and who quotes them said once."""
    quotes = [q for section in sections for q in section]
    shared = len({(tuple(q.speakers), q.quoted_in) for q in quotes}) == 1
    work = data.get(source)
    marks = (
        " " + unverified("unidentified source")
        if isinstance(work, Source) and work.unidentified
        else ""
    )
    out = [f"\n## {links.to(source)}{marks}\n\n"]
    if shared:
        quoted_in = quotes[0].quoted_in
        by = f", quoted in {links.to(quoted_in)}" if quoted_in else ""
        out.append(f"By {who_said(data, links, quotes[0])}{by}.\n")
    for section in sections:
        first = section[0]
        where = section_words(data, first)
        online = section_in_the_essay(data, first)
        if first.quoted_in:
            heading = f"Quoted in {'the opening' if where == 'opening' else md(where)}"
        else:
            heading = md(where[:1].upper() + where[1:]) if where else "Section not recorded"
        out.append(f"\n### {heading}\n\n")
        if online is not None:
            out.append(external_link(online, "Read this section in the essay") + "\n\n")
        items = []
        for quote in section:
            by = "" if shared else f" — {attribution_line(data, links, quote)}"
            own = f"{md(quote.locator)} · " if quote.quoted_in and quote.locator else ""
            items.append(f"“{md(quote.text)}”{by} ({own}{links.to(quote.id, 'quote page')})")
        out.append(bullet_list(items, "quotes", limit=PAGE_SIZE))
    return "".join(out)


def quote_index(data: SiteData) -> list[Page]:
    """Quotes grouped by their work and then by section, in the essay's order, each
    attribution given once per work rather than with every quote."""
    groups = _groups(data, data.all(Quote))
    flat = [(source, q) for source, sections in groups for s in sections for q in s]

    def body_for(base: str, start: int, stop: int) -> str:
        links = Links(data, base)
        shown = {q.id for _, q in flat[start:stop]}
        out = []
        for source, sections in groups:
            kept = [[q for q in s if q.id in shown] for s in sections]
            kept = [s for s in kept if s]
            if kept:
                out.append(_quote_group(data, links, source, kept))
        return "".join(out)

    row = KIND_BY_NAME["Quote"]
    intro = (
        f"{row.intro} Grouped by the work the words are from, then by the section of the "
        "essay where they are found (for other works the essay quotes, where it quotes "
        "them), in the essay's order."
    )
    pages = _paged(row.folder, row.plural, intro, len(flat), body_for)
    # Every quote is on the pages citing it, where search finds it in context (quote pages
    # are left out of the index for the same reason): the search index, which every page's
    # first view downloads, need not carry them all again.
    return [replace(page, extra_meta=(("search", "\n  exclude: true"),)) for page in pages]


def verdict_index(data: SiteData) -> list[Page]:
    """Every verdict, scenario by scenario in the essay's order, approaches in theirs."""
    scenario_order = {s.id: n for n, s in enumerate(data.scenarios())}
    approach_order = {a.id: n for n, a in enumerate(data.approaches())}
    rows_all = sorted(
        data.matrix.values(),
        key=lambda r: (
            scenario_order.get(r.scenario, len(scenario_order)),
            r.scenario,
            approach_order.get(r.approach, len(approach_order)),
            r.approach,
        ),
    )

    def body_for(base: str, start: int, stop: int) -> str:
        links = Links(data, base)
        rows = [
            [
                links.to(r.scenario),
                _approach_link(data, links, r.approach),
                verdict_link(links, r),
            ]
            for r in rows_all[start:stop]
        ]
        return table(["Scenario", "Approach", "Verdict"], rows, limit=PAGE_SIZE)

    row = KIND_BY_NAME["Verdict"]
    intro = row.intro + "\n" + LEGEND
    return _paged(row.folder, row.plural, intro, len(rows_all), body_for)


def _approach_link(data: SiteData, links: Links, approach_id: str) -> str:
    approach = data.get(approach_id)
    return links.to(approach_id, short_name(approach) if approach else None)
