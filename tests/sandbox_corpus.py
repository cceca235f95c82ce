"""Spellings of SERVICE and FROM for the sandbox tests: every one from the security review,
plus variants generated from them (whitespace, comments, escapes, prefixes, nesting).

Each SERVICE query names ``{H}``, a URL of a listener on loopback; :func:`service_corpus`
fills it in. Whether a spelling is live (pyoxigraph, unprotected, really fetches it) is
checked by the tests, so a spelling that stopped working would be noticed.
"""

from __future__ import annotations

import random

#: The seven spellings that got past the old scanner (security review, F1).
REVIEW_BYPASSES = [
    "SELECT * WHERE {{ SERVICESILENT<{H}x>{{ ?s ?p ?o }} }}",
    "PREFIX ex: <{H}> SELECT * WHERE {{ SERVICEex:x {{ ?s ?p ?o }} }}",
    "PREFIX : <{H}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\u0301\\# AS ?q) SERVICE <{H}x> "
    "{{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\u3001\\# AS ?q) SERVICE <{H}x> "
    "{{ ?s ?p ?o }} }}",
    "PREFIX ex: <http://e/> SELECT * WHERE {{ BIND(ex:a\u0301\\' AS ?q) SERVICE <{H}x> "
    "{{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(1 AS ?a) FILTER(STR(?a)<'>') SERVICE <{H}x> {{ ?s ?p ?o }} "
    "FILTER('a'!='b') }}",
]

#: (prologue, SERVICE clause) pairs: the clause's spellings.
_CLAUSES = [
    ("", "SERVICE <{H}a> {{ ?s ?p ?o }}"),
    ("", "service <{H}b> {{ ?s ?p ?o }}"),
    ("", "SeRvIcE <{H}c> {{ ?s ?p ?o }}"),
    ("", "SERVICE SILENT <{H}d> {{ ?s ?p ?o }}"),
    ("", "SERVICESILENT<{H}e>{{ ?s ?p ?o }}"),
    ("PREFIX ex: <{H}> ", "SERVICE ex:f {{ ?s ?p ?o }}"),
    ("PREFIX ex: <{H}> ", "SERVICEex:g {{ ?s ?p ?o }}"),
    ("PREFIX : <{H}> ", "SERVICE:h {{ ?s ?p ?o }}"),
    ("", "SERVICE#comment\n<{H}i> {{ ?s ?p ?o }}"),
    ("", "SERVICE <{U}j> {{ ?s ?p ?o }}"),
    ("", "VALUES ?svc {{ <{H}k> }} SERVICE ?svc {{ ?s ?p ?o }}"),
    ("PREFIX ex: <http://e/> ", "BIND(ex:a\u0301\\# AS ?q) SERVICE <{H}l> {{ ?s ?p ?o }}"),
    ("", "BIND(1 AS ?a) FILTER(STR(?a)<'>') SERVICE SILENT <{H}m> {{ ?s ?p ?o }}"),
]

#: Where the clause goes: the whole query around ``{S}``.
_NESTINGS = [
    "SELECT * WHERE {{ {S} }}",
    "SELECT * WHERE {{ BIND(1 AS ?z) OPTIONAL {{ {S} }} }}",
    "SELECT * WHERE {{ BIND(1 AS ?z) FILTER EXISTS {{ {S} }} }}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ {S} }} }} }}",
    "SELECT * WHERE {{ {{ BIND(1 AS ?z) }} UNION {{ {S} }} }}",
    "ASK {{ {S} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {S} }}",
]

_GAPS = [" ", "  ", "\t", "\n", " #c\n ", "\r\n"]


def _spaced(text: str, rng: random.Random) -> str:
    """``text`` with each single space (outside the fixed parts) replaced by other whitespace
    or a comment."""
    return "".join(rng.choice(_GAPS) if char == " " else char for char in text)


def _escaped(url: str) -> str:
    """The URL with its letters written as \\u escapes (valid inside an IRI)."""
    return "".join(f"\\u{ord(c):04X}" if c.isalpha() else c for c in url)


def service_corpus(url: str, seed: int = 10, nestings: int | None = None) -> list[str]:
    """Every review bypass plus each clause spelling in each nesting (or in ``nestings`` of
    them, chosen at random), with random gaps."""
    rng = random.Random(seed)
    queries = [q.format(H=url) for q in REVIEW_BYPASSES]
    for prologue, clause in _CLAUSES:
        chosen = rng.sample(_NESTINGS, nestings) if nestings else _NESTINGS
        for nesting in chosen:
            text = prologue + nesting.replace("{S}", clause)
            text = _spaced(text, rng) if rng.random() < 0.5 else text
            queries.append(text.format(H=url, U=_escaped(url)))
    return queries


#: Dataset clauses that must be refused (403 at the endpoint, an error elsewhere).
FROM_SPELLINGS = [
    "SELECT * FROM <{H}g> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{H}g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "select * from<{H}g>{{ ?s ?p ?o }}",
    "SELECT * FROMNAMED<{H}g> {{ ?s ?p ?o }}",
    "PREFIX : <file:///etc/> SELECT * FROM:passwd WHERE {{ ?s ?p ?o }}",
    "PREFIX e: <{H}> ASK FROM e:g {{ ?s ?p ?o }}",
    "BASE <{H}> SELECT * FROM <g> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM#c\n<{H}g> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM <{U}g> WHERE {{ ?s ?p ?o }}",
    "SELECT (1 AS ?x)FROM<{H}g> WHERE {{ }}",
    "SELECT * FROM <file:///etc/passwd> WHERE {{ ?s ?p ?o }}",
    "PREFIX ex: <http://e/> SELECT (ex:a\u0301\\# AS ?q) FROM <{H}g> WHERE {{ }}",
    "SELECT (STR(1)<'>' AS ?q) FROM <{H}g> WHERE {{ }}",
    "CONSTRUCT {{ ?s ?p ?o }} FROM <{H}g> WHERE {{ ?s ?p ?o }}",
    "DESCRIBE <http://e/x> FROM <{H}g>",
]


def from_corpus(url: str) -> list[str]:
    return [q.format(H=url, U=_escaped(url)) for q in FROM_SPELLINGS]
