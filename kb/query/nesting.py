"""Refuse a SPARQL text nested too deeply for the parser, before the parser sees it.

pyoxigraph's parser recurses once per bracket (and per prefix ``!``): a few thousand levels
overflow its stack and kill the process (a segfault, not an exception), and a few hundred
nested lists or blank-node brackets already take it seconds. So every path that hands a
query to pyoxigraph (``kb sparql``, ``KnowledgeBase.sparql``, the endpoint's workers) calls
:func:`check_nesting` first. The count errs towards refusing: brackets inside strings,
comments and escapes are skipped, as the parser skips them; brackets inside an IRI add
to the depth but a closing one there never undoes an outer level, so no spelling hides
depth from it.

>>> nesting_depth('SELECT * { FILTER((1 + (2))) }')
4
>>> nesting_depth('ASK { FILTER(!!true) } # ((((')
4
>>> nesting_depth('SELECT * { ?s ?p "((((((" }')
1
"""

from __future__ import annotations

from kb.model.errors import UsageError

#: Deepest nesting accepted; no query written by hand comes near it.
MAX_NESTING = 64

_OPEN = frozenset("({[")
_CLOSE = frozenset(")}]")


class TooDeep(UsageError):
    """A query nested deeper than :data:`MAX_NESTING`."""


def nesting_depth(text: str) -> int:
    """The deepest bracket nesting in ``text``, runs of prefix ``!`` counted as levels."""
    depth = deepest = 0
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char in "\"'":
            position = _after_string(text, position)
            continue
        if char == "#":
            while position < length and text[position] not in "\r\n":
                position += 1
            continue
        if char == "\\":  # an escape in a prefixed name (\# is not a comment)
            position += 2
            continue
        if char == "<":
            end = _iri_end(text, position)
            if end:  # openers inside count; closers never undo outer levels
                local = peak = 0
                for inner in text[position:end]:
                    local += inner in _OPEN
                    local = max(local - (inner in _CLOSE), 0)
                    peak = max(peak, local)
                deepest = max(deepest, depth + peak)
                position = end
                continue
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(depth - 1, 0)
        elif char == "!":
            run = 0
            while position < length and text[position] in "! \t\r\n":
                run += text[position] == "!"
                position += 1
            deepest = max(deepest, depth + run)
            continue
        deepest = max(deepest, depth)
        position += 1
    return deepest


def _iri_end(text: str, start: int) -> int:
    """The position after an IRI reference opening at ``start``, or 0 if none does."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if char == ">":
            return position + 1
        if char in '<"{}|^`\\' or ord(char) <= 0x20:
            return 0
        position += 1
    return 0


def _after_string(text: str, start: int) -> int:
    """The position after the string literal that opens at ``start``."""
    quote = text[start]
    long = text.startswith(quote * 3, start)
    delimiter = quote * 3 if long else quote
    position = start + len(delimiter)
    while position < len(text):
        if text[position] == "\\":
            position += 2
        elif text.startswith(delimiter, position):
            return position + len(delimiter)
        elif not long and text[position] in "\r\n":
            return position  # an unterminated short string: the parser rejects it anyway
        else:
            position += 1
    return position


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise :class:`TooDeep` if ``text`` nests deeper than ``limit``."""
    depth = nesting_depth(text)
    if depth > limit:
        raise TooDeep(
            f"the query is nested {depth} levels deep; the limit is {limit} "
            "(brackets, braces, parentheses and '!' together)"
        )
