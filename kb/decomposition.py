"""How an approach counts each part of the essay's decomposition.

An approach names the parts it counts as inner or outer alignment; a part also counts as
its ancestors do (``dcterms:isPartOf``). A part none of whose ancestors is named, but some
of whose sub-parts are, counts *partly*: inner only under the condition the sub-part states
(for example step 2 under the optimization-focused approach: inner only when the
misalignment already shows in training). ``kb:countsHedged`` marks parts whose count the
essay hedges. The ``decomposition`` question (``kb/questions/decomposition.rq``) gives the
same answers in SPARQL; a test checks that they agree.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


def _lineage(part: str, parents: Mapping[str, str | None]) -> list[str]:
    """The part and its ancestors, nearest first (stops at a cycle)."""
    found: list[str] = []
    current: str | None = part
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def counts_as(
    part: str,
    inner: Collection[str],
    outer: Collection[str],
    parents: Mapping[str, str | None],
) -> str:
    """``inner``, ``outer``, ``inner and outer``, ``partly inner``, ``partly outer``,
    ``partly inner, partly outer`` or ``neither``."""
    lineage = _lineage(part, parents)
    own = [
        name for name, named in (("inner", inner), ("outer", outer)) if set(lineage) & set(named)
    ]
    if own:
        return " and ".join(own)
    below = [p for p in parents if p != part and part in _lineage(p, parents)[1:]]
    partly = [
        f"partly {name}"
        for name, named in (("inner", inner), ("outer", outer))
        if set(below) & set(named)
    ]
    return ", ".join(partly) or "neither"


def hedged(part: str, counts_hedged: Collection[str], parents: Mapping[str, str | None]) -> bool:
    """Whether the essay hedges how the approach counts this part (or a part it belongs to)."""
    return bool(set(_lineage(part, parents)) & set(counts_hedged))
