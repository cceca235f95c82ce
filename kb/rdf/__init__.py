"""How a KB is read and written: Turtle files to models and a query store, and back.

:func:`kb.rdf.dataset.open_kb` is the one load path; :mod:`kb.rdf.loader` parses and
checks, :mod:`kb.rdf.writer` writes canonical Turtle, :mod:`kb.rdf.store` fills the query
store with the derived verdicts, and :mod:`kb.rdf.integrity` runs ``kb/checks/*.rq``.
Imports only :mod:`kb.model`.
"""
