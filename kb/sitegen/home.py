"""The home page's generated part: the approaches at a glance and the verdict matrix."""

from __future__ import annotations

from kb.models import KINDS, Definition, Scenario, Term
from kb.sitegen import explore
from kb.sitegen.data import SiteData
from kb.sitegen.escape import md
from kb.sitegen.render import (
    DISAGREE,
    VERDICT_SYMBOLS,
    Links,
    Page,
    bullet_list,
    short,
    short_name,
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
            cruxes = explore.crux_link(data, links, scenario.id)
            first += " " + (f"[{DISAGREE}]({cruxes})" if cruxes else DISAGREE)
        cells = [first]
        for approach in approaches:
            row = data.matrix.get((scenario.id, approach.id))
            if row is None:
                cells.append("—")
                continue
            badge = verdict_badge(row.value, row.hedged, row.basis, row.implied)
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


#: The entities the plain-language lead is built from (the lead skips any a KB lacks).
LEAD_TERM = "inner-alignment"
LEAD_DEFINITION = "rlo-inner-alignment"
LEAD_TERMS = ("mesa-optimizer", "mesa-objective")
LEAD_SCENARIOS = ("example-2", "example-3")
ESSAY = "clarifying-the-confusion-around-inner-alignment"


def lead(data: SiteData, links: Links) -> str:
    """ "What is inner alignment?" in plain words, from the KB's own text: the original
    definition, the words it needs, the maze example, and the approaches in a sentence each."""
    term, definition = data.get(LEAD_TERM), data.get(LEAD_DEFINITION)
    if not isinstance(term, Term) or not isinstance(definition, Definition):
        return ""
    out = [f"\n## What is {md(term.display_label)}?\n\n"]
    said = md(definition.paraphrase or "")
    out.append(
        f"In the original sense, from {links.to(definition.source)}: {said} "
        + " ".join(
            f"A **{links.to(t.id)}** is {md(_lowered(t.scope_note or ''))}"
            for t in (data.get(i) for i in LEAD_TERMS)
            if isinstance(t, Term) and t.scope_note
        )
        + "\n"
    )
    scenarios = [s for s in (data.get(i) for i in LEAD_SCENARIOS) if isinstance(s, Scenario)]
    if scenarios:
        out.append("\n**The maze example.** ")
        out.append(" ".join(f"{md(s.description)} ({links.to(s.id)})" for s in scenarios))
        out.append("\n")
    out.append(
        "\n**Three ways to read the term.** The essay groups what researchers mean by it into "
        "approaches, which classify such examples differently:\n\n"
    )
    out.append(
        bullet_list(
            [
                f"{links.to(a.id, short_name(a))}: {md(short(a.description, 200))}"
                for a in data.approaches()[:MAX_COLUMNS]
            ]
        )
    )
    essay = links.to(ESSAY, "the essay itself") if data.get(ESSAY) else "the essay"
    out.append(
        f"\nRead on: the {links.to(term.id, 'term page')} lists every definition side by "
        f"side; the verdict matrix below shows where the approaches split; {essay} gives "
        "the arguments.\n"
    )
    return "".join(out)


def _lowered(text: str) -> str:
    """A scope note continuing a sentence: "An optimizer ..." → "an optimizer ..."."""
    first = short(text, 240)
    return first[:1].lower() + first[1:] if first[1:2].islower() else first


def home_page(data: SiteData, intro: str) -> str:
    """The home page: the hand-written title, the plain-language lead, the hand-written
    introduction (``site/docs/index.md``), then the generated sections."""
    title, _, rest = intro.partition("\n")
    return title + "\n" + lead(data, Links(data, "")) + rest + "\n" + home_section(data)


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
    entries = [
        links.page(f"{kind.kind.folder}/index.md", kind.kind.plural) + f" ({len(data.all(kind))})"
        for kind in KINDS
    ]
    entries += [
        "[Classify your own scenario](explore/classify.md): set the six facts, see every "
        "approach's verdict",
        "[Cruxes](explore/cruxes/index.md): on which facts the approaches part ways",
        "[Question cookbook](questions/index.md): the named questions, with their answers",
        "[Downloads](downloads.md): the KB as Turtle, N-Triples and JSON-LD; schema files",
        "[Bibliography](bibliography.md)",
        "[Guide](guide.md): how to read this site and use the KB",
    ]
    out.append(bullet_list(entries, limit=100))
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
        pages.append(Page(path, body))
    return pages
