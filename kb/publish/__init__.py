"""What is generated from a KB: the dumps, the SKOS profile, the schema files and the site.

Imports :mod:`kb.api` and the layers below it, never :mod:`kb.serve` or :mod:`kb.cli`.
"""
