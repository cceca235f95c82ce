"""inner-alignment-kb: who means what by "inner alignment", as RDF with a query layer.

``from kb import KnowledgeBase`` is the entry point. Imports are lazy so that the command
line's query path starts without loading pydantic or rdflib.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.api import KnowledgeBase, ScenarioFacts, VerdictRow

from kb import _legacy

__version__ = "0.1.0"  # the one place; pyproject.toml reads it

__all__ = ["KnowledgeBase", "ScenarioFacts", "VerdictRow", "__version__"]

_legacy.install()  # the module names of 0.1.0 (kb.loader, ...) still import, with a warning


def __getattr__(name: str) -> Any:
    if name in ("KnowledgeBase", "ScenarioFacts", "VerdictRow"):
        from kb import api

        return getattr(api, name)
    raise AttributeError(f"module 'kb' has no attribute {name!r}")
