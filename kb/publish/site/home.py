"""The home page's generated part: the approaches at a glance and the verdict matrix."""

from __future__ import annotations

from kb.model.models import KINDS, Approach, Definition, Scenario, Term
from kb.publish.site import explore
from kb.publish.site.data import SiteData
from kb.publish.site.escape import html_line, md
from kb.publish.site.render import (
    DISAGREE,
    LEGEND,
    Links,
    Page,
    bullet_list,
    short,
    short_name,
    table,
    verdict_badge,
)
from kb.publish.site.scenarios import disagreement

#: Scenarios shown in the home page's matrix; larger KBs continue on the matrix pages.
HOME_ROWS = 60
#: Rows per full-matrix page.
MATRIX_ROWS = 250
MAX_COLUMNS = 12


#: A limit no first sentence reaches: :func:`short` then keeps the sentence whole.
WHOLE_SENTENCE = 10_000


def split_reason(data: SiteData, scenario: Scenario) -> str:
    """Why the approaches split on a scenario, in one line: the first sentence of the
    rationale of the approach that stands apart (the smallest group of equal verdicts)."""
    groups: dict[tuple[str | None, str | None], list[Approach]] = {}
    for approach in data.approaches():
        row = data.matrix.get((scenario.id, approach.id))
        if row is not None:
            groups.setdefault((row.value, row.failure), []).append(approach)
    if len(groups) < 2:
        return ""
    apart = min(groups.values(), key=len)[0]
    row = data.matrix[(scenario.id, apart.id)]
    # the whole first sentence: the row spans the table, and a cut would drop the reason
    return f"{short_name(apart)}: {short(row.rationale, WHOLE_SENTENCE)}"


def matrix_table(data: SiteData, links: Links, scenarios: list[Scenario]) -> str:
    """The matrix as an HTML table: a header that stays in view, a one-line reason under
    each row where the approaches split, and on a phone one card per scenario."""
    approaches = data.approaches()[:MAX_COLUMNS]
    names = [html_line(short_name(a)) for a in approaches]
    head = "".join(
        f'<th scope="col"><a href="{links.url(a.id)}">{name}</a></th>'
        for a, name in zip(approaches, names, strict=True)
    )
    body = []
    for scenario in scenarios:
        split = disagreement(data, scenario.id)
        first = f'<a href="{links.url(scenario.id)}">{html_line(scenario.display_label)}</a>'
        mark = DISAGREE
        if split and (cruxes := explore.crux_link(data, links, scenario.id)):
            mark = f'<a href="{links.page_url(cruxes)}">{DISAGREE}</a>'
        cells = []
        for approach, name in zip(approaches, names, strict=True):
            row = data.matrix.get((scenario.id, approach.id))
            badge = (
                "—"
                if row is None
                else f'<a href="{links.url(row.id)}">'
                + verdict_badge(row.value, row.hedged, row.basis, row.implied, row.failure)
                + "</a>"
            )
            cells.append(f'<td data-label="{name}">{badge}</td>')
        css = ' class="kb-split"' if split else ""
        body.append(
            f'<tr{css}><th scope="row">{first}{" " + mark if split else ""}</th>'
            + "".join(cells)
            + "</tr>"
        )
        if split and (reason := split_reason(data, scenario)):
            body.append(
                f'<tr class="kb-why"><td colspan="{len(approaches) + 1}">'
                f"Why they split: {html_line(reason)}</td></tr>"
            )
    return (
        '<div class="kb-matrix"><table class="kb-matrix-table">'
        "<caption>How each approach classifies each scenario"
        f'</caption><thead><tr><th scope="col">Scenario</th>{head}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>\n"
    )


def at_a_glance(data: SiteData, links: Links) -> str:
    rows = []
    for approach in data.approaches()[:MAX_COLUMNS]:
        rows.append(
            [
                links.to(approach.id, short_name(approach)),
                md(short(approach.description, 220)),
                links.many(approach.endorsed_by),
                "yes" if approach.requires_mesa_optimizer else "no",
                # step labels hold commas of their own ("Step 2, misalignment ...")
                "; ".join(links.to(step) for step in approach.counts_as_inner) or "—",
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


def lead(data: SiteData, links: Links, on_home: bool = True) -> str:
    """ "What is inner alignment?" in plain words, from the KB's own text: the original
    definition, the words it needs, the maze example, and the approaches in a sentence each.
    On the home page and at the top of the term's own page (``on_home=False``), each
    pointing to the other and to where the approaches split."""
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
    if on_home:
        where = (
            f"the {links.to(term.id, 'term page')} lists every definition side by side; the "
            "[verdict matrix](#the-verdict-matrix) below shows where the approaches split"
        )
    else:
        matrix = links.page("index.md#the-verdict-matrix", "verdict matrix")
        steps = links.page("decomposition/index.md", "decomposition")
        where = (
            "the definitions follow below, side by side; the "
            f"{matrix} shows where the approaches split, and the {steps} where each draws "
            "the line between inner and outer alignment"
        )
    out.append(f"\nRead on: {where}; {essay} gives the arguments.\n")
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
        "[Classify your own scenario](explore/classify.md): set the scenario facts, see every "
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
        links = Links.on(data, path)
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
