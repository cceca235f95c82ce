"""One index page per kind (paginated), instead of a navigation that lists every entity.

MkDocs renders the navigation into every page, so a navigation with every entity would
grow as n squared; index pages grow linearly.
"""

from __future__ import annotations

from kb.models import (
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
from kb.schema_table import KIND_BY_NAME
from kb.sitegen.data import SiteData
from kb.sitegen.escape import md
from kb.sitegen.render import Links, Page, short, table, unverified, verdict_link

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
    if isinstance(entity, Quote):
        return f"{links.many(entity.speakers, empty='')} in {links.to(entity.source)}"
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


def _paged(folder: str, heading: str, intro: str, headers: list[str], rows_for) -> list[Page]:
    """Index pages of PAGE_SIZE rows: ``folder/index.md``, then ``folder/list/N.md``."""
    total, pages = rows_for(None), []
    count = max(1, -(-total // PAGE_SIZE))
    for number in range(1, count + 1):
        path = f"{folder}/index.md" if number == 1 else f"{folder}/list/{number}.md"
        links_base = "../" if number == 1 else "../../"
        rows = rows_for((links_base, (number - 1) * PAGE_SIZE, number * PAGE_SIZE))
        suffix = f" (page {number} of {count})" if count > 1 else ""
        body = (
            f"# {heading}{suffix}\n\n{intro.replace('{base}', links_base)}\n\n{total} in all.\n\n"
            + _pager(number, count, number > 1)
            + table(headers, rows, limit=PAGE_SIZE)
        )
        pages.append(Page(path, body))
    return pages


def kind_index(data: SiteData, kind: type[Entity]) -> list[Page]:
    folder = kind.kind.folder
    entities = data.all(kind)

    def rows_for(window):
        if window is None:
            return len(entities)
        base, start, stop = window
        links = Links(data, base)
        return [[links.to(e.id), summary(data, links, e)] for e in entities[start:stop]]

    return _paged(folder, kind.kind.plural, kind.kind.intro, ["Name", "About"], rows_for)


def verdict_index(data: SiteData) -> list[Page]:
    rows_all = sorted(data.matrix.values(), key=lambda r: (r.scenario, r.approach))

    def rows_for(window):
        if window is None:
            return len(rows_all)
        base, start, stop = window
        links = Links(data, base)
        return [
            [
                links.to(r.scenario),
                links.to(r.approach),
                verdict_link(links, r),
            ]
            for r in rows_all[start:stop]
        ]

    row = KIND_BY_NAME["Verdict"]
    return _paged(row.folder, row.plural, row.intro, ["Scenario", "Approach", "Verdict"], rows_for)
