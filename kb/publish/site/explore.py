"""The explorer: classify your own scenario, and the cruxes between approaches.

Everything here is computed at build time by running :mod:`kb.model.rules` over every
combination of the scenario facts (:mod:`kb.model.cruxes`); the browser only looks rows up in the
JSON table this module writes, so the rules have one implementation. The classify page
carries the whole table as HTML too, so it works with JavaScript off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kb.model.cruxes import Crux, all_pairs, classification_table, cruxes, fact_values, facts_key
from kb.model.models import KIND_BY_NAME, Approach, Scenario
from kb.model.rules import RULES
from kb.model.schema_table import FACTS, KIND_BY_TYPE, VERDICT_VALUES
from kb.model.vocab import XSD, iri, sparql_prefixes
from kb.publish.site.data import SiteData, folder_of, page_name
from kb.publish.site.escape import html_text, md
from kb.publish.site.render import Links, Page, base_of, table
from kb.query.questions import Parameter, registry, to_term
from kb.query.results import INTEGER_DATATYPES

FOLDER = "explore"
CLASSIFY = f"{FOLDER}/classify.md"
QUERY = f"{FOLDER}/query.md"
QUESTIONS_FILE = f"{FOLDER}/questions.json"
QUERY_SCRIPT = "js/query.js"
QUERY_WORKER = "js/query-worker.js"
#: Oxigraph's WebAssembly build (the npm package pinned in package.json), served by the site
#: itself under js/oxigraph/ and loaded only by the query page's worker.
OXIGRAPH = Path(__file__).resolve().parents[3] / "node_modules" / "oxigraph"
OXIGRAPH_FILES = ("web.js", "web_bg.wasm")
CRUXES = f"{FOLDER}/cruxes/index.md"
TABLE_FILE = f"{FOLDER}/classification.json"
SCRIPT = "js/explore.js"


def crux_path(a: str, b: str) -> str:
    return f"{FOLDER}/cruxes/{a}--{b}.md"


def url_base(path: str) -> str:
    """The prefix from the URL a page at ``path`` is served at to the site root, for raw
    HTML links (Markdown links are relative to the source file instead)."""
    return base_of(path) + ("" if path.endswith("index.md") else "../")


def _scenario_url(base: str, scenario_id: str) -> str:
    return f"{base}{folder_of(Scenario)}/{page_name(scenario_id)}/"


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _scenario_key(scenario: Scenario) -> str:
    return facts_key(scenario.facts)


def _approach_label(data: SiteData, approach: str) -> str:
    found = data.get(approach)
    return found.display_label if isinstance(found, Approach) else approach


def classify_link(base: str, key: str) -> str:
    """The classify page pre-filled with a combination (the row anchor without JavaScript)."""
    return f"{base}{FOLDER}/classify/?facts={key}#f-{key}"


def table_json(data: SiteData) -> str:
    """The explorer's data: the facts, the approaches, the essay's scenarios, every row."""
    scenarios = data.scenarios()
    return json.dumps(
        {
            "facts": [
                {
                    "name": fact.name,
                    "label": fact.label,
                    "description": fact.description,
                    "values": list(fact_values(fact.name)),
                }
                for fact in FACTS
            ],
            "approaches": {a: _approach_label(data, a) for a in RULES},
            "scenarios": [
                {
                    "id": s.id,
                    "label": s.display_label,
                    "key": _scenario_key(s),
                    "path": _scenario_url("", s.id),
                }
                for s in scenarios
            ],
            "rows": classification_table(),
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _fact_example(data: SiteData, links: Links, name: str, value: Any) -> str | None:
    """A link to the first of the essay's scenarios where the fact has this value."""
    shown = next((s for s in data.scenarios() if getattr(s, name) == value), None)
    return links.to(shown.id) if shown else None


def _form(data: SiteData, links: Links, base: str) -> str:
    out = [
        f'<form id="kb-classify" class="kb-classify" data-table="{base}{TABLE_FILE}" '
        f'data-base="{base}" markdown>\n'
    ]
    for fact in FACTS:
        legend = f"<legend>{html_text(fact.label)}</legend>"
        out.append(f'<fieldset class="kb-fact" markdown>\n{legend}\n')
        out.append(f"\n{md(fact.description)}\n\n")
        choices = []
        for value in fact_values(fact.name):
            value_json = html_text(json.dumps(value))
            choices.append(
                f'<label><input type="radio" name="{fact.name}" value="{value_json}"> '
                f"{html_text(_value_text(value))}</label>"
            )
        out.append('<p class="kb-choices">' + " ".join(choices) + "</p>\n\n")
        examples = [
            f"{html_text(_value_text(value))}: {link}"
            for value in fact_values(fact.name)
            if (link := _fact_example(data, links, fact.name, value))
        ]
        if examples:
            out.append(
                f'<p class="kb-fact-examples" markdown>For example, {"; ".join(examples)}.</p>\n'
            )
        out.append("</fieldset>\n")
    out.append("</form>\n")
    return "".join(out)


def _verdict_cell(verdict: dict[str, Any]) -> str:
    text = verdict["value"] + (" (hedged)" if verdict["hedged"] else "")
    if verdict.get("conflict"):
        text += " — facts in conflict"
    return md(text)


def _all_rows(data: SiteData, base: str) -> str:
    """Every combination as an accessible HTML table, each row anchored by its key."""
    names = {s.id: s for s in data.scenarios()}
    by_key: dict[str, list[str]] = {}
    for scenario_id, scenario in names.items():
        by_key.setdefault(_scenario_key(scenario), []).append(scenario_id)
    head = (
        ["Key"]
        + [html_text(f.label) for f in FACTS]
        + [html_text(_approach_label(data, a)) for a in RULES]
        + ["Essay's scenarios"]
    )
    out = [
        '<div class="kb-wide" tabindex="0" role="region" aria-label="Every combination">\n'
        '<table class="kb-all-combinations">\n'
        f"<caption>Every combination of the {len(FACTS)} facts and each approach's verdict"
        "</caption>\n<thead><tr>"
        + "".join(f'<th scope="col">{h}</th>' for h in head)
        + "</tr></thead>\n<tbody>\n"
    ]
    for row in classification_table():
        key = row["key"]
        cells = [f'<th scope="row"><code>{key}</code></th>']
        cells += [f"<td>{_value_text(row['facts'][f.name])}</td>" for f in FACTS]
        cells += [f"<td>{_verdict_cell(row['verdicts'][a])}</td>" for a in RULES]
        same = by_key.get(key, [])
        scenario_links = ", ".join(
            f'<a href="{_scenario_url(base, s)}">{html_text(names[s].display_label)}</a>'
            for s in same
        )
        cells.append(f"<td>{scenario_links}</td>")
        out.append(f'<tr id="f-{key}">' + "".join(cells) + "</tr>\n")
    out.append("</tbody>\n</table>\n</div>\n")
    return "".join(out)


def classify_page(data: SiteData) -> Page:
    links, base = Links(data, base_of(CLASSIFY)), url_base(CLASSIFY)
    order = ", ".join(f"<code>{f.name}</code>" for f in FACTS)
    body = (
        "# Classify your own scenario\n\n"
        f"Set the {len(FACTS)} facts the approaches' rules read, and see at once how each approach "
        "classifies such a system, with its hedge and reasoning: the same answers as "
        "`kb classify`. The page's address records the facts, so you can link to a "
        f"scenario. The [cruxes]({links.base}{CRUXES}) show on which facts the approaches "
        "part ways.\n\n"
        + '<div class="kb-explorer" markdown>\n'
        + _form(data, links, base)
        + '\n<div id="kb-classify-result" class="kb-classify-result" aria-live="polite">'
        "</div>\n</div>\n\n"
        '<noscript><p class="kb-note">With JavaScript off, find your combination in the '
        "table below.</p></noscript>\n\n"
        "## Every combination\n\n"
        f"Each combination is spelt by one character per fact, in this order: {order} "
        "(<code>1</code> yes, <code>0</code> no; <code>b</code> base, <code>p</code> proxy). "
        "Combinations whose facts an approach's rule finds contradictory say so.\n\n"
        + _all_rows(data, base)
        + f'\n<script src="{base}{SCRIPT}" defer></script>\n'
    )
    return Page(CLASSIFY, body)


def _statement(crux: Crux) -> str:
    if not crux.statement:
        return "They agree on every combination whose facts neither rule finds contradictory.\n"
    items = ["- " + "; ".join(md(c.text()) for c in term) for term in crux.statement]
    return "They disagree exactly when one of these holds:\n\n" + "\n".join(items) + "\n"


def _key_link(base: str, key: str) -> str:
    return f'<a href="{classify_link(base, key)}"><code>{key}</code></a>'


def crux_page(data: SiteData, crux: Crux) -> Page:
    path = crux_path(crux.a, crux.b)
    links, base = Links(data, base_of(path)), url_base(path)
    a, b = _approach_label(data, crux.a), _approach_label(data, crux.b)
    disagreements = table(
        ["Facts", md(a), md(b)],
        [
            [
                _key_link(base, facts_key(d.facts)),
                _verdict_cell(d.a.__dict__),
                _verdict_cell(d.b.__dict__),
            ]
            for d in crux.disagreements
        ],
        limit=10**9,
    )
    pairs = table(
        ["Fact changed", "From", "To", "Changes", "Keeps"],
        [
            [
                f"<code>{m.fact}</code>",
                _key_link(base, facts_key(m.before)),
                _key_link(base, facts_key(m.after)),
                md(f"{_approach_label(data, m.changes)}: {m.changed_from} → {m.changed_to}"),
                md(f"{_approach_label(data, m.keeps)}: {m.kept}"),
            ]
            for m in crux.minimal_pairs
        ],
        limit=10**9,
    )
    body = (
        f"# Cruxes: {md(a)} and {md(b)}\n\n"
        f"Derived from the two approaches' rules over every combination of the {len(FACTS)} facts "
        f"({crux.coherent} whose facts neither rule finds contradictory): the "
        f"approaches give different verdicts on {len(crux.disagreements)} of them.\n\n"
        + _statement(crux)
        + "\n## Minimal pairs\n\n"
        "Two scenarios one fact apart, where one approach changes its verdict and the other "
        "keeps it. Each combination opens the [classify page]("
        f"{links.base}{CLASSIFY}) with its facts set.\n\n"
        + pairs
        + "\n## Every combination where they disagree\n\n"
        + disagreements
    )
    return Page(path, body)


def cruxes_index(data: SiteData, found: list[Crux]) -> Page:
    links = Links(data, base_of(CRUXES))
    items = []
    for crux in found:
        a, b = _approach_label(data, crux.a), _approach_label(data, crux.b)
        target = crux_path(crux.a, crux.b).removeprefix(f"{FOLDER}/cruxes/")
        items.append(f"- [{md(a)} and {md(b)}]({target}): {md(crux.statement_text())}")
    body = (
        "# Cruxes between the approaches\n\n"
        "For each pair of approaches: the facts on which their rules disagree, as the "
        "shortest statement that explains every disagreement, and the minimal pairs. All of "
        "it is computed from the rules at build time; see also "
        f"[classify your own scenario]({links.base}{CLASSIFY}).\n\n" + "\n".join(items) + "\n"
    )
    return Page(CRUXES, body)


def crux_link(data: SiteData, links: Links, scenario_id: str) -> str | None:
    """A Markdown link from a matrix row to the cruxes of the first pair of approaches whose
    verdicts on the scenario differ, or None if they all agree."""
    for a, b in all_pairs():
        row_a, row_b = data.matrix.get((scenario_id, a)), data.matrix.get((scenario_id, b))
        if row_a and row_b and (row_a.value, row_a.failure) != (row_b.value, row_b.failure):
            return f"{links.base}{crux_path(a, b)}"
    return None


def _term_text(term: ox.NamedNode | ox.Literal) -> str:
    return str(term)


def _parameter(data: SiteData, parameter: Parameter) -> dict[str, Any]:
    """A question's parameter as the query page's form needs it: entity and verdict
    parameters offer their values, each with the RDF term pyoxigraph writes for it."""
    spec: dict[str, Any] = {
        "name": parameter.name,
        "type": parameter.type,
        "optional": parameter.optional,
        "description": parameter.description,
    }
    kind = KIND_BY_TYPE.get(parameter.type)
    if kind is not None:
        entities = data.all(KIND_BY_NAME[kind.name])
        spec["choices"] = [
            {"value": e.id, "label": e.display_label, "term": _term_text(to_term(parameter, e.id))}
            for e in entities
        ]
    elif parameter.type == "verdict":
        spec["choices"] = [
            {"value": v, "label": v, "term": _term_text(to_term(parameter, v))}
            for v in VERDICT_VALUES
        ]
    return spec


def query_data(data: SiteData) -> str:
    """The named questions for the query page: each query split where ``kb ask`` puts its
    VALUES block, and every parameter with its choices."""
    questions = []
    for found in registry().values():
        before, after = found.split_for_values()
        questions.append(
            {
                "name": found.name,
                "title": found.title,
                "description": found.description,
                "parameters": [_parameter(data, p) for p in found.parameters],
                "example": found.example,
                "before": before,
                "after": after,
            }
        )
    values = {
        # How result terms become the plain values `kb ask --format json` prints.
        "id_base": iri(""),
        "boolean": XSD + "boolean",
        "integers": sorted(INTEGER_DATATYPES),
    }
    return json.dumps(
        {**values, "prefixes": sparql_prefixes(), "questions": questions},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def query_page(data: SiteData) -> Page:
    links, base = Links(data, base_of(QUERY)), url_base(QUERY)
    missing = (
        ""
        if all((OXIGRAPH / name).is_file() for name in OXIGRAPH_FILES)
        else '!!! warning "This build of the site has no query engine"\n\n'
        "    It was built without Oxigraph's WebAssembly files: run `npm ci` in a checkout "
        "of the project, then build the site again.\n\n"
    )
    body = (
        "# Query the KB in your browser\n\n"
        "Pick a named question (the same as `kb ask` and the "
        f"[question cookbook]({links.base}questions/index.md)) or write SPARQL, and the "
        "answer is computed here, in your browser, by Oxigraph's WebAssembly build over the "
        f"KB's [N-Triples dump]({links.base}downloads.md). Nothing is sent anywhere: queries "
        "that would fetch from the network (`SERVICE`) or change the data are refused, and "
        "a query that runs too long is stopped.\n\n"
        + missing
        + f'<form id="kb-query" class="kb-query" data-base="{base}" '
        f'data-questions="{base}{QUESTIONS_FILE}" data-dump="{base}downloads/kb.nt" '
        f'data-worker="{base}{QUERY_WORKER}">\n'
        '<p><label for="kb-question">Named question</label><br>\n'
        '<select id="kb-question" name="question"><option value="">SPARQL (write your own)'
        "</option></select></p>\n"
        '<div id="kb-params"></div>\n'
        '<p><label for="kb-sparql">SPARQL</label><br>\n'
        '<textarea id="kb-sparql" name="sparql" rows="10" spellcheck="false">'
        "SELECT ?term ?label WHERE { ?term a skos:Concept ; skos:prefLabel ?label }"
        "</textarea></p>\n"
        '<p><button type="submit" class="md-button md-button--primary" disabled>Run</button> '
        '<span id="kb-query-status" role="status"></span></p>\n'
        "</form>\n\n"
        '<div id="kb-query-result" class="kb-wide" aria-live="polite"></div>\n\n'
        '<noscript><p class="kb-note">This page needs JavaScript; the '
        f'<a href="{base}questions/">question cookbook</a> shows every answer without it.'
        "</p></noscript>\n\n"
        "The standard prefixes (`kb:`, `skos:`, `dcterms:`, `schema:`, `foaf:`, `prov:`, "
        "`rdfs:`, `xsd:` and more) are declared for you. The query engine loads only on this "
        "page (about 1.5 MB compressed).\n\n"
        f'<script src="{base}{QUERY_SCRIPT}" defer></script>\n'
    )
    return Page(QUERY, body)


def pages(data: SiteData) -> Iterator[Page]:
    found = [cruxes(a, b) for a, b in all_pairs()]
    yield classify_page(data)
    yield query_page(data)
    yield cruxes_index(data, found)
    for crux in found:
        yield crux_page(data, crux)


def files(data: SiteData) -> Iterator[tuple[str, str | bytes]]:
    """The explorer's data files, and Oxigraph's WebAssembly build when installed
    (``npm ci``); without it the query page says how to get it."""
    yield TABLE_FILE, table_json(data)
    yield QUESTIONS_FILE, query_data(data)
    for name in OXIGRAPH_FILES:
        if (OXIGRAPH / name).is_file():
            yield f"js/oxigraph/{name}", (OXIGRAPH / name).read_bytes()
