"""What a KB is: the vocabulary, the table of schema facts, the models and the rules.

The bottom layer: it imports nothing else of ``kb``. :mod:`kb.model.schema_table` and
:mod:`kb.model.vocab` state every kind, value set and IRI once; :mod:`kb.model.models` is the
one schema (pydantic), :mod:`kb.model.mapping` reads its fields off it, and
:mod:`kb.model.rules` classifies a scenario as each approach would.
"""
