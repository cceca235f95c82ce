"""``kb serve``: the KB as a read-only SPARQL 1.1 endpoint, with the named questions as JSON.

Modules, each with one job:

- :mod:`kb.scan` reads a query's shape without running it (form, SERVICE, FROM);
- :mod:`kb.server.answer` answers one request against a store, bounded in rows;
- :mod:`kb.server.pool` runs answers in worker processes, killing one that overruns;
- :mod:`kb.server.http` speaks HTTP (SPARQL protocol, ``/api/questions``, the site).

The store is in memory and rebuilt from the KB's Turtle in every worker, so nothing a
request does can change the KB: the endpoint is read-only by construction, and it refuses
updates, ``LOAD`` and ``SERVICE`` before they reach the store.
"""

from __future__ import annotations

from kb.vocab import BASE

#: The name of the graph that holds the KB, for ``FROM``, ``default-graph-uri`` and stores
#: (such as Virtuoso) that keep data in named graphs.
KB_GRAPH = BASE
