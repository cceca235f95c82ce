"""Generate every page and data file of the site from a loaded KB, reporting progress.

``generate`` takes a ``write(path, content)`` callable, so the site's mkdocs plugin (during
``mkdocs build``, see :mod:`kb.publish.site.plugin`) and tests (into a dict or a plain folder)
share one code path.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from kb.model.mapping import entity_values
from kb.model.models import (
    KINDS,
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
    Verdict,
)
from kb.publish.site import (
    approaches,
    citation,
    cookbook,
    downloads,
    explore,
    history,
    home,
    indexes,
    people,
    scenarios,
    sources,
    terms,
)
from kb.publish.site.data import SiteData, folder_of, page_path
from kb.publish.site.escape import md
from kb.publish.site.render import (
    Links,
    Page,
    base_of,
    bullet_list,
    cross_linked,
    entity_header,
    note_block,
)

Writer = Callable[[str, str | bytes], None]

EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
)

#: The page of each kind's entities; a kind not listed gets :func:`fields_page`.
ENTITY_PAGES: dict[type[Entity], Callable[[SiteData, Any], Page]] = {
    Term: terms.term_page,
    Definition: terms.definition_page,
    Approach: approaches.approach_page,
    DecompositionPart: approaches.decomposition_page,
    Scenario: scenarios.scenario_page,
    Verdict: scenarios.verdict_page,
    Argument: people.argument_page,
    Researcher: people.researcher_page,
    Source: sources.source_page,
    Quote: sources.quote_page,
}


def log(message: str) -> None:
    print(f"[kb site] {message}", file=sys.stderr, flush=True)


def _plain(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return md(str(value))


def fields_page(data: SiteData, entity: Entity) -> Page:
    """The page of an entity whose kind has no page module yet: each stored field."""
    path = page_path(folder_of(entity), entity.id)
    links = Links(data, base_of(path))
    items = []
    for spec, values in entity_values(entity):
        if not values or spec.name == "note":
            continue
        shown = [links.to(v) if spec.kind == "ref" else _plain(v) for v in values]
        items.append(f"**{md(spec.name.replace('_', ' ').capitalize())}:** {', '.join(shown)}")
    body = entity_header(data, path, entity) + "\n" + bullet_list(items) + note_block(entity)
    return Page(path, body, entity.id, type(entity).__name__)


def pages(data: SiteData) -> Iterator[Page]:
    """Every generated page, the home page's generated section excepted."""
    for kind in KINDS:
        render = ENTITY_PAGES.get(kind, fields_page)
        for entity in data.all(kind):
            yield render(data, entity)
        if kind is DecompositionPart:
            yield approaches.decomposition_overview(data)
        elif kind is Verdict:
            yield from indexes.verdict_index(data)
        else:
            yield from indexes.kind_index(data, kind)
    yield from home.matrix_pages(data)
    yield from cookbook.cookbook(data)
    yield from explore.pages(data)
    yield downloads.downloads_page(data)


def load(paths: Sequence[str | Path] | None = None, *, validate: bool = True) -> SiteData:
    """Open the KB for a site build (see :meth:`SiteData.load`); say what was loaded."""
    started = time.perf_counter()
    data = SiteData.load(paths, validate=validate)
    log(
        f"loaded {', '.join(str(p) for p in paths) if paths else 'the bundled KB'}: "
        f"{len(data.kb.entities)} entities ({len(data.matrix)} verdicts) "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return data


def generate(write: Writer, data: SiteData, home_intro: str | None = None) -> int:
    """Write every page and file; return the number of pages. With ``home_intro`` (the
    hand-written ``index.md``), also the home page made from it."""
    started = time.perf_counter()
    total = len(data.kb.entities)
    log(f"writing about {total} pages")
    count = 0
    step = max(500, total // 10)
    dates = history.entity_dates(data.paths)
    for page in pages(data):
        page.updated = dates.get(page.entity_id or "")
        write(page.path, cross_linked(page.text(), data, page.path))
        count += 1
        if count % step == 0:
            log(f"pages: {count}/{total}+")
    bibliography_page, bib = sources.bibliography(data)
    write(bibliography_page.path, cross_linked(bibliography_page.text(), data, "bibliography.md"))
    write("bibliography.bib", bib)
    count += 1
    if home_intro is not None:
        write("index.md", cross_linked(home.home_page(data, home_intro), data, "index.md"))
    for path, text in downloads.whole_files(data):
        write(path, text)
    for path, content in explore.files(data):
        write(path, content)
    log(f"generated {count} pages in {time.perf_counter() - started:.1f}s")
    return count


def data_files(data: SiteData) -> Iterator[tuple[str, str]]:
    """The per-entity files under ``id/``: Turtle, JSON-LD, and BibTeX for sources."""
    yield from downloads.entity_files(data)
    for source in data.all(Source):
        yield f"id/{source.id}.bib", citation.bibtex(data, source)
    # The theme fetches sitemap.xml next to every <link rel="alternate"> (it expects language
    # versions there); an empty one keeps that request from failing with a 404.
    yield "id/sitemap.xml", EMPTY_SITEMAP


def write_data_files(site_dir: str | Path, data: SiteData) -> int:
    """Write :func:`data_files` straight into the built site (called after the build).

    They skip mkdocs' page pipeline: tens of thousands of small files would otherwise be
    written twice. Pages link them with plain HTML links, checked by the site tests.
    """
    started, count = time.perf_counter(), 0
    folder = Path(site_dir) / "id"
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in data_files(data):
        (Path(site_dir) / path).write_text(text, encoding="utf-8")
        count += 1
    log(f"wrote {count} entity data files in {time.perf_counter() - started:.1f}s")
    return count
