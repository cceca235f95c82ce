"""Read a SPARQL request's shape without running it: its form, SERVICE, LOAD and FROM.

pyoxigraph parses and runs in one step and would fetch ``SERVICE`` and ``LOAD`` IRIs over
HTTP, so those are found here first, by a tokenizer that knows SPARQL's strings, IRIs,
comments and prefixed names (a keyword inside a string or an IRI is not a keyword).
When in doubt it errs towards finding a keyword: a false alarm refuses a query, a miss
would let one through.

>>> found = scan('PREFIX ex: <http://ex/> SELECT * FROM ex:g WHERE { ?s ?p "SERVICE" }')
>>> found.form, found.service, found.datasets
('SELECT', False, ['http://ex/g'])
>>> scan("# SERVICE in a comment\\nINSERT DATA { <a:b> <a:c> <a:d> }").form
'INSERT'
>>> scan("select * { service <http://elsewhere/sparql> { ?s ?p ?o } }").service
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
UPDATE_FORMS = (
    *("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"),
    "WITH",
)

_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<comment>\#[^\n\r]*)
    | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''
               |\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
               |'(?:[^'\\\n\r]|\\.)*'
               |"(?:[^"\\\n\r]|\\.)*")
    | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|"""
    + _ESCAPE
    + r""")*>)
    | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:[^\W\d][\w\-.\u00B7]*)?:(?:[\w\-.:%\u00B7]|\\[^\s])*)
    | (?P<word>[^\W\d]\w*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass
class Scan:
    """What a request would do, read from its tokens."""

    #: The first keyword after the prologue, upper-cased: SELECT, ASK, INSERT, ... or None.
    form: str | None = None
    #: Whether the keyword SERVICE occurs anywhere outside strings, IRIs and comments.
    service: bool = False
    #: Whether the keyword LOAD occurs anywhere outside strings, IRIs and comments.
    load: bool = False
    #: The IRIs after FROM and FROM NAMED; None for one that cannot be resolved here.
    datasets: list[str | None] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS or self.load


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs, without spaces and comments."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            found.append((kind, match.group()))
    return found


def _unescape(iri: str) -> str:
    return re.sub(_ESCAPE, lambda m: chr(int(m.group()[2:], 16)), iri[1:-1])


def scan(text: str) -> Scan:
    """The shape of a query or update, without parsing it fully or running it."""
    result = Scan()
    items = tokens(text)
    prefixes: dict[str, str] = {}
    position = 0
    while position < len(items):  # the prologue: BASE <iri> and PREFIX p: <iri>
        kind, value = items[position]
        if kind == "word" and value.upper() == "BASE":
            position += 2
        elif kind == "word" and value.upper() == "PREFIX" and position + 2 < len(items):
            name, iri = items[position + 1][1], items[position + 2]
            if iri[0] == "iri":
                prefixes[name[:-1] if name.endswith(":") else name] = _unescape(iri[1])
            position += 3
        else:
            break
    for kind, value in items[position:]:
        if kind == "word":
            result.form = value.upper()
            break
    for index, (kind, value) in enumerate(items):
        if kind != "word":
            continue
        keyword = value.upper()
        if keyword == "SERVICE":
            result.service = True
        elif keyword == "LOAD":
            result.load = True
        elif keyword == "FROM":
            following = items[index + 1 : index + 3]
            if following and following[0][0] == "word" and following[0][1].upper() == "NAMED":
                following = following[1:]
            result.datasets.append(_resolve(following[0], prefixes) if following else None)
    return result


def _resolve(token: tuple[str, str], prefixes: dict[str, str]) -> str | None:
    kind, value = token
    if kind == "iri":
        iri = _unescape(value)
        return iri if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri) else None
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes and "\\" not in local:
            return prefixes[prefix] + local
    return None
