"""RDF terms to plain Python values and back, one conversion for every result.

Entity IRIs become their ids, booleans and integers become Python values, other
literals strings. Used for local results, remote results and every output format.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyoxigraph as ox

from kb.model.vocab import XSD, slug_of

INTEGER_DATATYPES = {
    XSD + name for name in ("integer", "int", "long", "short", "nonNegativeInteger")
}


#: A result value as users see it: an entity's id or other text, a bool or an int; None
#: when the variable is unbound.
ResultValue = str | int | bool | None
#: One SELECT result: each variable's name (without ``?``) and its value.
ResultRow = dict[str, ResultValue]
#: What a variable of a result is bound to (None: unbound).
BoundTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None


def to_python(term: BoundTerm) -> ResultValue:
    """A result term as the value users see; None stays None."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return slug_of(term.value) or term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        if datatype == XSD + "boolean":
            return term.value in ("true", "1")
        if datatype in INTEGER_DATATYPES:
            try:
                return int(term.value)
            except ValueError:
                return term.value
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


def solutions_to_rows(solutions: ox.QuerySolutions) -> list[ResultRow]:
    """SELECT results as dicts keyed by variable name (without the ``?``)."""
    variables = solutions.variables
    names = [variable.value for variable in variables]
    memo: dict[BoundTerm, ResultValue] = {None: None}  # terms repeat: convert each once
    rows = []
    for solution in solutions:
        row = {}
        for name, variable in zip(names, variables, strict=True):
            term = solution[variable]
            try:
                value = memo[term]
            except KeyError:
                value = memo[term] = to_python(term)
            row[name] = value
        rows.append(row)
    return rows


def values_clause(pairs: Sequence[tuple[str, ox.NamedNode | ox.Literal]]) -> str:
    """A one-row VALUES block binding each variable to a term pyoxigraph serializes.

    The only way parameters reach a query: terms are built from validated values and
    written by pyoxigraph, so user text cannot change the query's structure.
    """
    if not pairs:
        return ""
    names = " ".join(f"?{name}" for name, _ in pairs)
    terms = " ".join(str(term) for _, term in pairs)
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"
