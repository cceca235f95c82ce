"""Read a SPARQL request's shape without running it: its form, SERVICE, LOAD and FROM.

This is for clear refusals, not for safety: whatever this module misses, query evaluation
cannot reach the network (:mod:`kb.query.sandbox`) and no graph but the KB's exists to be named.
``SERVICE`` and ``LOAD`` are found by a tokenizer that knows SPARQL's strings, IRIs,
comments and prefixed names (a keyword inside a string or an IRI is not a keyword), and
keywords glued to what follows (``SERVICESILENT<...>``, ``SERVICE:x``). ``FROM`` is found
without tokenizing, so no trick with strings or comments can hide it: any ``from`` that no
variable or prefixed name swallows, followed by an IRI or a prefixed name, counts (a false
alarm refuses a query, which is the side to err on).

>>> shape = scan('PREFIX ex: <http://ex/> SELECT * FROM ex:g WHERE { ?s ?p "SERVICE" }')
>>> shape.form, shape.service, shape.datasets
('SELECT', False, ['http://ex/g'])
>>> scan("PREFIX : <file:///etc/> SELECT * FROM:passwd WHERE { ?s ?p ?o }").datasets
['file:///etc/passwd']
>>> scan("SELECT * WHERE { SERVICESILENT<http://h/x>{ ?s ?p ?o } }").service
True
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
#: PN_CHARS_BASE, PN_CHARS_U and PN_CHARS of the SPARQL grammar, as regex classes.
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_CHARS = _BASE + "_\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
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
    | (?P<var>[?$][\w"""
    + _CHARS
    + r"""]+)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:["""
    + _BASE
    + r"""][."""
    + _CHARS
    + r"""]*)?:(?:[.:%"""
    + _CHARS
    + r"""]|\\[^\s])*)
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
    #: The IRIs after FROM and FROM NAMED (and after anything the parser might read as
    #: FROM); None for one that cannot be resolved here.
    datasets: list[str | None] = field(default_factory=list)
    #: For each of ``datasets``, its clause: "FROM" or "FROM NAMED".
    clauses: list[str] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS or self.load


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs, without spaces and comments."""
    kept = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            kept.append((kind, match.group()))
    return kept


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
    for kind, value in items:
        keyword = value.upper()
        if kind == "word" and keyword.startswith("SERVICE"):  # also SERVICESILENT
            result.service = True
        elif kind == "pname" and keyword.split(":", 1)[0].startswith("SERVICE"):
            result.service = True  # SERVICE:x, SERVICEex:x
        elif kind == "word" and keyword.startswith("LOAD"):
            result.load = True
    froms = [target for each in dict.fromkeys((text, _decoded(text))) for target in _froms(each)]
    result.datasets = [_resolve(target[1:], prefixes) for target in froms]
    result.clauses = [target[0] for target in froms]
    return result


#: Characters that continue a variable, prefixed name, blank node label or language tag:
#: a ``from`` preceded by them is part of that name (the parser reads names greedily).
_NAME_CHAR = re.compile("[.:%\\\\" + _CHARS + "]")
_GAP = r"(?:\s|\#[^\n\r]*)*"
_TARGET = r"[^\s<>{}()\"'#]*"
_DATASET = re.compile(
    f"FROM{_GAP}(?P<named>NAMED{_GAP})?(?:(?P<iri><[^<>]*>)|(?P<pname>{_TARGET}?:{_TARGET}))",
    re.IGNORECASE,
)


def _froms(text: str) -> list[tuple[str, str, str]]:
    """Every place the parser could read as ``FROM [NAMED] target``: (clause, kind, target)."""
    places = []
    for match in _DATASET.finditer(text):
        start = match.start()
        while start > 0 and _NAME_CHAR.match(text[start - 1]):
            start -= 1
        if ":" in text[start : match.start()] or text[start - 1 : start] in ("?", "$", "@"):
            continue  # inside ?from, ex:from, _:from or @from
        clause = "FROM NAMED" if match["named"] else "FROM"
        kind = "iri" if match["iri"] else "pname"
        places.append((clause, kind, match[kind]))
    return places


def _decoded(text: str) -> str:
    """The text with ``\\u`` and ``\\U`` escapes replaced by the characters they stand for."""

    def char(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group()[2:], 16))
        except ValueError:
            return match.group()

    return re.sub(_ESCAPE, char, text)


def _resolve(token: tuple[str, ...], prefixes: dict[str, str]) -> str | None:
    kind, value = token
    if kind == "iri":
        iri = _unescape(value)
        return iri if re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", iri) else None
    if kind == "pname":
        prefix, _, local = value.partition(":")
        if prefix in prefixes and "\\" not in local:
            return prefixes[prefix] + local
    return None
