"""``kb show ID`` on a terminal: one entity as a card a person can read.

The entity's label and kind head the card; references show the label of what they point
to, with its id; quotes print in full with their speaker and source; long texts wrap to
the terminal; and the verdicts that mention the entity follow, with their marks.
"""

from __future__ import annotations

from collections.abc import Mapping

from kb.model.mapping import specs
from kb.model.models import Entity, Quote, Verdict
from kb.model.notebook import summary
from kb.model.quotes import primary_source, reading_order
from kb.model.schema_table import KIND_BY_NAME
from kb.query.output import cell, paint, paragraph, terminal_width, wrap
from kb.query.views import verdict_style


def named(entities: Mapping[str, Entity], entity_id: str) -> str:
    """``Label (id)`` for an entity the KB has, the bare id otherwise."""
    entity = entities.get(entity_id)
    if entity is None or isinstance(entity, Quote | Verdict) or entity.display_label == entity_id:
        return entity_id
    return f"{' '.join(entity.display_label.split())} ({entity_id})"


def label(entities: Mapping[str, Entity], entity_id: str) -> str:
    """The entity's label alone (quote attributions are long enough without ids)."""
    entity = entities.get(entity_id)
    return " ".join(entity.display_label.split()) if entity is not None else entity_id


def bullet(text: str, width: int) -> str:
    """``  - text``, wrapped with its further lines under the text."""
    lines = wrap(cell(text), width - 4)
    return "  - " + lines[0] + "\n" + "".join(f"    {line}\n" for line in lines[1:])


def quote_block(entities: Mapping[str, Entity], quote: Quote, width: int, indent: str) -> str:
    """The quote's words in full, then who said them, where, and the id."""
    text = paragraph(f"“{quote.text}”", width, indent)
    who = ", ".join(label(entities, s) for s in quote.speakers)
    where = label(entities, quote.source)
    if quote.locator:
        where += f", {quote.locator}"
    if quote.quoted_in and quote.quoted_in != quote.source:
        where += f"; quoted in {label(entities, quote.quoted_in)}"
        if quote.quoted_in_locator:
            where += f", {quote.quoted_in_locator}"
    attribution = "— " + (f"{who}, in {where}" if who else where) + f" [{quote.id}]"
    return text + paragraph(attribution, width, indent + "  ")


def _verdict_line(entities: Mapping[str, Entity], verdict: Verdict, focus: str) -> str:
    marks = [m for m in ("hedged", "implied") if getattr(verdict, m)]
    if verdict.basis == "derived":
        marks.append("derived")
    about = [verdict.scenario, verdict.approach]
    subject = " on ".join(reversed([a for a in about if a != focus])) or verdict.id
    extra = f" ({', '.join(marks)})" if marks else ""
    return f"{subject}: {verdict.value}{extra} [{verdict.id}]"


def mentions(entities: Mapping[str, Entity], entity_id: str) -> list[Verdict]:
    """The verdicts whose fields refer to the entity, in id order."""
    ref_fields = [s.name for s in specs(Verdict) if s.kind == "ref"]
    verdicts = []
    for entity in entities.values():
        if not isinstance(entity, Verdict) or entity.id == entity_id:
            continue
        for name in ref_fields:
            value = getattr(entity, name)
            if value == entity_id or (isinstance(value, list) and entity_id in value):
                verdicts.append(entity)
                break
    return sorted(verdicts, key=lambda v: v.id)


def card(entities: Mapping[str, Entity], entity: Entity, colour: bool = False) -> str:
    """The whole card for one entity, at most the terminal's width (80 columns)."""
    width = terminal_width()
    kind = KIND_BY_NAME[type(entity).__name__].singular
    if isinstance(entity, Quote):
        title = f"“{cell(entity.text)}”"
    elif isinstance(entity, Verdict):
        title = summary(entity)
    else:
        title = entity.display_label
    out = [paint(paragraph(f"{kind}: {title}", width).rstrip("\n"), "bold", colour) + "\n"]
    out.append(f"id: {entity.id}\n")
    short: list[tuple[str, str]] = []
    blocks: list[str] = []
    for spec in specs(type(entity)):
        value = getattr(entity, spec.name)
        if value in (None, [], "") or spec.name == type(entity).label_field:
            continue
        if spec.name == "text" and isinstance(entity, Quote):
            continue
        values = value if isinstance(value, list) else [value]
        heading = spec.name.replace("_", " ")
        one_line = width - 2 - max(len(s.name) for s in specs(type(entity)))
        if spec.kind == "ref" and "Quote" in spec.refs:
            found = [q for q in (entities.get(v) for v in values) if isinstance(q, Quote)]
            primary = primary_source(entities)
            quotes = sorted(found, key=lambda q: reading_order(q, primary))  # as the essay
            blocks.append(
                paint(heading, "bold", colour)
                + "\n"
                + "\n".join(quote_block(entities, q, width, "  ") for q in quotes)
            )
        elif spec.kind == "ref":
            shown = [named(entities, v) for v in values]
            if len(shown) == 1 and len(shown[0]) <= one_line:
                short.append((heading, shown[0]))
            else:
                blocks.append(
                    paint(heading, "bold", colour) + "\n" + "".join(bullet(s, width) for s in shown)
                )
        elif len(cell(value)) > one_line:
            blocks.append(paint(heading, "bold", colour) + "\n" + paragraph(value, width, "  "))
        else:
            short.append((heading, cell(value)))
    if short:
        key_width = max(len(k) for k, _ in short)
        out.append("\n")
        for key, text in short:
            style = verdict_style(text) if key == "value" else None
            lines = wrap(text, max(width - key_width - 2, 20))
            out.append(f"{key.ljust(key_width)}  {paint(lines[0], style, colour)}\n")
            out += [f"{'':{key_width}}  {more}\n" for more in lines[1:]]
    for block in blocks:
        out.append("\n" + block)
    verdicts = mentions(entities, entity.id)
    if verdicts:
        out.append("\n" + paint(f"verdicts that mention {entity.id}", "bold", colour) + "\n")
        out += [bullet(_verdict_line(entities, v, entity.id), width) for v in verdicts]
    return "".join(out)
