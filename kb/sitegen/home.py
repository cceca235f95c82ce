"""The home page's generated part: the approaches at a glance and the verdict matrix."""

from __future__ import annotations

from kb.models import KINDS, Scenario
from kb.sitegen.data import SiteData
from kb.sitegen.escape import md
from kb.sitegen.render import (
    DISAGREE,
    VERDICT_SYMBOLS,
    Links,
    Page,
    bullet_list,
    short,
    table,
    verdict_badge,
    verdict_mark,
)
from kb.sitegen.scenarios import disagreement

#: Scenarios shown in the home page's matrix; larger KBs continue on the matrix pages.
HOME_ROWS = 60
#: Rows per full-matrix page.
MATRIX_ROWS = 250
MAX_COLUMNS = 12

#: What the marks of a matrix cell or row mean, in the legend's order.
MARK_MEANINGS = (
    (verdict_mark("hedged"), "the essay hedges it"),
    (verdict_mark("derived"), "computed by the approach's rule, not stated in the essay"),
    (verdict_mark("implied"), "plainly implied by the essay, not said in so many words"),
    (DISAGREE, "rows where the verdicts differ"),
)

LEGEND = (
    '\n<p class="kb-legend">Legend: '
    + " ".join(verdict_badge(value, hedged=False, basis="stated") for value in VERDICT_SYMBOLS)
    + "".join(f" · {mark} {meaning}" for mark, meaning in MARK_MEANINGS)
    + "</p>\n\n"
)


def matrix_table(data: SiteData, links: Links, scenarios: list[Scenario]) -> str:
    approaches = data.approaches()[:MAX_COLUMNS]
    headers = ["Scenario", *[links.to(a.id) for a in approaches]]
    rows = []
    for scenario in scenarios:
        first = links.to(scenario.id)
        if disagreement(data, scenario.id):
            first += " " + DISAGREE
        cells = [first]
        for approach in approaches:
            row = data.matrix.get((scenario.id, approach.id))
            if row is None:
                cells.append("—")
                continue
            badge = verdict_badge(row.verdict, row.hedged, row.basis, row.implied)
            cells.append(f"[{badge}]({links.path(row.id)})")
        rows.append(cells)
    return '<div class="kb-matrix" markdown>\n\n' + table(headers, rows, limit=10**9) + "\n</div>\n"


def at_a_glance(data: SiteData, links: Links) -> str:
    rows = []
    for approach in data.approaches()[:MAX_COLUMNS]:
        rows.append(
            [
                links.to(approach.id),
                md(short(approach.description, 220)),
                links.many(approach.endorsed_by),
                "yes" if approach.requires_mesa_optimizer else "no",
                links.many(approach.counts_as_inner),
            ]
        )
    return table(
        ["Approach", "In short", "Endorsed by", "Needs a mesa-optimizer", "Counts as inner"], rows
    )


def home_section(data: SiteData) -> str:
    """Markdown appended to the hand-written introduction in ``site/docs/index.md``."""
    links = Links(data, "")
    scenarios = data.scenarios()
    out = ["\n## The approaches at a glance\n\n", at_a_glance(data, links)]
    out.append(
        "\nEach approach's [decomposition diagram](decomposition/index.md) shows which steps "
        "it counts as inner alignment.\n"
    )
    out.append("\n## The verdict matrix\n\n")
    out.append(
        "How each approach classifies each of the essay's scenarios. Every cell links to the "
        "verdict's page with its rationale and the quotes it rests on.\n"
    )
    out.append(LEGEND)
    out.append(matrix_table(data, links, scenarios[:HOME_ROWS]))
    if len(scenarios) > HOME_ROWS:
        out.append(
            f"\nShowing {HOME_ROWS} of {len(scenarios)} scenarios: "
            "[the full matrix](matrix/index.md).\n"
        )
    out.append("\n## Explore\n\n")
    explore = [
        links.page(f"{kind.kind.folder}/index.md", kind.kind.plural) + f" ({len(data.all(kind))})"
        for kind in KINDS
    ]
    explore += [
        "[Question cookbook](questions/index.md): the named questions, with their answers",
        "[Downloads](downloads.md): the KB as Turtle, N-Triples and JSON-LD; schema files",
        "[Bibliography](bibliography.md)",
        "[Guide](guide.md): how to read this site and use the KB",
    ]
    out.append(bullet_list(explore, limit=100))
    return "".join(out)


def matrix_pages(data: SiteData) -> list[Page]:
    """The full matrix, split into pages, for KBs with more scenarios than the home shows."""
    scenarios = data.scenarios()
    if len(scenarios) <= HOME_ROWS:
        return []
    chunks = [scenarios[i : i + MATRIX_ROWS] for i in range(0, len(scenarios), MATRIX_ROWS)]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        path = "matrix/index.md" if number == 1 else f"matrix/{number}.md"
        base = "../"
        links = Links(data, base)
        pager = " · ".join(
            f"[{n}]({'index' if n == 1 else n}.md)" if n != number else f"**{n}**"
            for n in range(1, len(chunks) + 1)
        )
        body = (
            f"# Verdict matrix (page {number} of {len(chunks)})\n\nPages: {pager}\n"
            + LEGEND
            + matrix_table(data, links, chunk)
        )
        pages.append(Page(path, body, f"Verdict matrix, page {number}"))
    return pages
