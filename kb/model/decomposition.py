"""How an approach counts each part of the essay's decomposition.

An approach names every part it counts as inner or outer alignment (``kb:countsAsInner``,
``kb:countsAsOuter``) and every part it counts *partly* so (``kb:countsPartlyAsInner``,
``kb:countsPartlyAsOuter``): inner only under the condition one of its sub-parts states,
as step 2 under the optimization-focused approach is inner only when the misalignment
already shows in training. ``kb:countsHedged`` marks counts the essay hedges. The
relations are written out in full, so that any SPARQL store answers the ``decomposition``
question with plain patterns; :func:`inheritance_problems` checks that they follow the
parts' nesting (a test runs it on the bundled KB).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping


def counts_as(
    part: str,
    inner: Collection[str],
    outer: Collection[str],
    partly_inner: Collection[str] = (),
    partly_outer: Collection[str] = (),
) -> str:
    """``inner``, ``outer``, ``inner and outer``, ``partly inner``, ``partly outer``,
    ``partly inner, partly outer`` or ``neither`` (as the ``decomposition`` question)."""
    whole = [name for name, named in (("inner", inner), ("outer", outer)) if part in named]
    if whole:
        return " and ".join(whole)
    partly = [
        f"partly {name}"
        for name, named in (("inner", partly_inner), ("outer", partly_outer))
        if part in named
    ]
    return ", ".join(partly) or "neither"


def _descendants(part: str, parents: Mapping[str, str | None]) -> set[str]:
    found: set[str] = set()
    frontier = {part}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def inheritance_problems(
    parents: Mapping[str, str | None],
    inner: Collection[str],
    outer: Collection[str],
    partly_inner: Collection[str],
    partly_outer: Collection[str],
) -> list[str]:
    """Where the written-out relations break the nesting: a sub-part of an inner (outer)
    part must be inner (outer) too, and a part is partly inner (outer) exactly when it is
    not inner (outer) itself but one of its sub-parts is."""
    problems = []
    for whole, partly, name in ((inner, partly_inner, "inner"), (outer, partly_outer, "outer")):
        for part in parents:
            below = _descendants(part, parents)
            if part in whole:
                problems += [
                    f"{p} is part of {part}, so it is {name} too" for p in below - set(whole)
                ]
            expected = part not in whole and bool(below & set(whole))
            if expected != (part in partly):
                problems.append(f"{part}: partly {name} should be {expected}")
    return problems
