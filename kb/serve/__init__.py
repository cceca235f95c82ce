"""``kb serve``: the KB as a read-only SPARQL 1.1 endpoint, with the named questions as JSON.

Modules, each with one job:

- :mod:`kb.query.scan` reads a query's shape without running it (form, SERVICE, FROM);
- :mod:`kb.serve.answer` answers one request against a store, bounded in rows;
- :mod:`kb.serve.pool` runs answers in worker processes, killing one that overruns;
- :mod:`kb.serve.http` speaks HTTP (SPARQL protocol, ``/api/questions``, the site).

The store is in memory and rebuilt from the KB's Turtle in every worker, so nothing a
request does can change the KB: the endpoint is read-only by construction, and it refuses
updates, ``LOAD`` and ``SERVICE`` before they reach the store.
"""
