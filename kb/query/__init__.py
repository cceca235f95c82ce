"""How a question becomes an answer: SPARQL and the named questions, locally or remotely.

:mod:`kb.query.engine` binds and runs :mod:`kb.query.questions` against a backend (the
local store, evaluated inside :mod:`kb.query.sandbox`, or :mod:`kb.query.remote`);
:mod:`kb.query.results` turns RDF terms into Python values, and :mod:`kb.query.output`,
:mod:`kb.query.matrix` and :mod:`kb.query.views` lay answers out. Imports :mod:`kb.rdf`
and :mod:`kb.model`.
"""
