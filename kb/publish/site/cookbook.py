"""The question cookbook: every named question, how to ask it, and its answer on this KB.

Answers are computed at build time with the question's ``# example:`` parameters.
"""

from __future__ import annotations

from typing import Any

from kb.model.errors import KBError
from kb.model.schema_table import KIND_BY_TYPE
from kb.publish.site.data import SiteData
from kb.publish.site.escape import code, html_text, md
from kb.publish.site.render import Links, Page, bullet_list, short_name, table
from kb.query.questions import Parameter, Question, registry

#: Rows of an answer shown on its page.
ANSWER_ROWS = 50


def _code_block(language: str, text: str) -> str:
    """A code block built as HTML, so no text (query or KB) can close a Markdown fence."""
    escaped = html_text(text.rstrip())
    return f'\n<pre class="kb-code language-{language}"><code>{escaped}</code></pre>\n'


def _cli(question: Question) -> str:
    params = " ".join(f"{k}={v}" for k, v in question.example.items())
    return f"kb ask {question.name}" + (f" {params}" if params else "")


def _python(question: Question) -> str:
    args = "".join(f", {k}={v!r}" for k, v in question.example.items())
    return (
        "from kb import KnowledgeBase\n\n"
        "k = KnowledgeBase.load()\n"
        f"rows = k.ask({question.name!r}{args})\n"
        "for row in rows:\n"
        "    print(row)"
    )


def _cell(data: SiteData, links: Links, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if data.get(text) is not None:
        return links.to(text)
    return md(text)


def heading(name: str, sides: dict[str, str] | None = None) -> str:
    """A result column's name as a reader's heading: ``verdict_a`` → "Verdict a", or, when
    ``sides`` names what parameter ``a`` stands for, "Verdict (Objective-focused)"."""
    stem, _, side = name.rpartition("_")
    if stem and sides and side in sides:
        return md(f"{stem.replace('_', ' ').capitalize()} ({sides[side]})")
    return md(name.replace("_", " ").capitalize())


def _sides(data: SiteData, question: Question) -> dict[str, str]:
    """Each example parameter that names an entity, by the short name a heading gives it."""
    found = {}
    for key, value in question.example.items():
        entity = data.get(value)
        if entity is not None:
            found[key] = short_name(entity)
    return found


def type_words(parameter: Parameter) -> str:
    """A parameter's type as a reader says it ("approach id"), not as an RDF class."""
    kind = KIND_BY_TYPE.get(parameter.type)
    return f"{kind.noun} id" if kind is not None else f"{parameter.type} value"


def _label_columns(data: SiteData, rows: list[dict[str, Any]]) -> set[str]:
    """Columns that only repeat the label of an entity another column of the row links to
    (a researcher's id and name): the link already shows the label."""
    repeated = set()
    for name in rows[0]:
        if all(
            row[name] is not None
            and any(
                other != name
                and (entity := data.get(str(value))) is not None
                and entity.display_label == str(row[name])
                for other, value in row.items()
            )
            for row in rows
        ):
            repeated.add(name)
    return repeated


def answer(data: SiteData, links: Links, question: Question) -> str:
    try:
        rows = data.kb.ask(question.name, **question.example)
    except KBError as error:
        return f"*Not answerable on this KB with the example parameters:* {md(error)}\n"
    if not rows:
        return "*No rows.*\n"
    shown = [name for name in rows[0] if name not in _label_columns(data, rows)]
    headers = [heading(name, _sides(data, question)) for name in shown]
    cells = [[_cell(data, links, row[name]) for name in shown] for row in rows[:ANSWER_ROWS]]
    note = ""
    if len(rows) > ANSWER_ROWS:
        note = f"\n*{len(rows)} rows; the first {ANSWER_ROWS} are shown.*\n"
    count = "One row." if len(rows) == 1 else f"{len(rows)} rows."
    return f"{count}\n\n" + table(headers, cells, limit=ANSWER_ROWS) + note


def question_page(data: SiteData, question: Question) -> Page:
    path = f"questions/{question.name}.md"
    links = Links(data, "../")
    out = [f"# {md(question.title)}\n\n{code(question.name)}\n\n"]
    out.append(f"{md(question.description)}\n")
    example = (
        ", ".join(f"{code(k)} = {_cell(data, links, v)}" for k, v in question.example.items())
        or "no parameters"
    )
    out.append(f"\n## Answer on this KB\n\nWith {example}, computed when the site was built.\n\n")
    out.append(answer(data, links, question))
    out.append("\n## Parameters\n\n")
    out.append(
        table(
            ["Name", "Type", "Required", "Description"],
            [
                [
                    code(p.name),
                    md(type_words(p)),
                    "no" if p.optional else "yes",
                    md(p.description),
                ]
                for p in question.parameters
            ],
        )
        if question.parameters
        else "*None.*\n"
    )
    out.append("\n## SPARQL\n\nRun with the standard prefixes of the KB.\n")
    out.append(_code_block("sparql", question.sparql))
    out.append("\n## From the command line\n")
    out.append(_code_block("sh", _cli(question)))
    out.append("\n## From Python\n")
    out.append(_code_block("python", _python(question)))
    return Page(path, "".join(out))


def cookbook(data: SiteData) -> list[Page]:
    questions = list(registry().values())
    pages = [question_page(data, q) for q in questions]
    links = Links(data, "../")
    items = [
        f"{links.page(f'questions/{q.name}.md', q.title)} ({code(q.name)}): {md(q.description)}"
        for q in questions
    ]
    body = (
        "# Question cookbook\n\n"
        "Every named question the KB answers. Each is one SPARQL file in `kb/questions`; the "
        "same registry feeds `kb ask`, `KnowledgeBase.ask` and this page. Each page shows the "
        "query, how to run it, and its answer on this KB, computed when the site was built.\n\n"
        "List them on the command line with `kb ask --list`.\n\n" + bullet_list(items, limit=500)
    )
    return [Page("questions/index.md", body), *pages]
