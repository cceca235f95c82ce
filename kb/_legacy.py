"""The module names of releases before the packages by role, kept importable for a while.

``import kb.loader`` and the like still work: each old name resolves to the module(s) that
now hold its contents (:data:`MOVED`), with a :class:`DeprecationWarning` naming the new
home. Nothing inside the project uses these names (a test checks that); they exist for
code written against the README of 0.1.0.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import warnings
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # not at run time: importlib.abc loads importlib.resources, tempfile, ...
    import importlib.abc

#: Old module → the modules that now hold what it had, searched in order.
MOVED: dict[str, tuple[str, ...]] = {
    "kb.vocab": ("kb.model.vocab",),
    "kb.schema_table": ("kb.model.schema_table",),
    "kb.errors": ("kb.model.errors",),
    "kb.fields": ("kb.model.fields",),
    "kb.models": ("kb.model.models",),
    "kb.mapping": ("kb.model.mapping",),
    "kb.rules": ("kb.model.rules",),
    "kb.cruxes": ("kb.model.cruxes",),
    "kb.decomposition": ("kb.model.decomposition",),
    "kb.quotes": ("kb.model.quotes",),
    "kb.notebook": ("kb.model.notebook", "kb.query.matrix"),
    "kb.paths": ("kb.rdf.paths",),
    "kb.loader": ("kb.rdf.loader", "kb.query.validate", "kb.rdf.dataset"),
    "kb.writer": ("kb.rdf.writer", "kb.rdf.fmt"),
    "kb.dataset": ("kb.rdf.dataset",),
    "kb.store": ("kb.rdf.store",),
    "kb.integrity": ("kb.rdf.integrity",),
    "kb.engine": ("kb.query.engine",),
    "kb.questions": ("kb.query.questions",),
    "kb.terms": ("kb.query.results",),
    "kb.scan": ("kb.query.scan",),
    "kb.remote": ("kb.query.remote",),
    "kb.sandbox": ("kb.query.sandbox",),
    "kb.nesting": ("kb.query.nesting",),
    "kb.output": ("kb.query.output",),
    "kb.matrix": ("kb.query.matrix",),
    "kb.views": ("kb.query.views",),
    "kb.export": ("kb.publish.export",),
    "kb.skos": ("kb.publish.skos",),
    "kb.publication": ("kb.publish.publication",),
    "kb.schema_export": ("kb.publish.schema",),
    "kb.project": ("kb.publish.project",),
    "kb.site_cli": ("kb.cli.site",),
    "kb.serve_cli": ("kb.cli.serve",),
    "kb.facts_file": ("kb.cli.facts_file",),
    "kb.card": ("kb.cli.card",),
    "kb.completion": ("kb.cli.completion",),
    "kb.server": ("kb.serve", "kb.model.vocab"),
    "kb.server.answer": ("kb.serve.answer",),
    "kb.server.http": ("kb.serve.http",),
    "kb.server.pool": ("kb.serve.pool",),
    "kb.sitegen": ("kb.publish.site",),
    **{
        f"kb.sitegen.{name}": (f"kb.publish.site.{name}",)
        for name in [
            "approaches",
            "build",
            "cookbook",
            "data",
            "downloads",
            "escape",
            "explore",
            "history",
            "home",
            "indexes",
            "jsonld",
            "people",
            "render",
            "scenarios",
            "sources",
            "terms",
        ]
    },
}


class _Moved(ModuleType):
    """An old module name: attributes are looked up in the modules that hold them now."""

    def __init__(self, name: str, homes: tuple[str, ...]) -> None:
        super().__init__(name, f"Moved to {', '.join(homes)}.")
        self.__homes = homes

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__"):  # the import system's own (``__path__``...): not moved
            raise AttributeError(attribute)
        for home in self.__homes:
            module = importlib.import_module(home)
            if hasattr(module, attribute):
                return getattr(module, attribute)
        raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r}")


class _Finder:
    """A meta path finder and loader for the old names (the import system duck-types both;
    subclassing importlib.abc would cost every ``kb`` command ~10 ms of imports)."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        is_package = any(other.startswith(fullname + ".") for other in MOVED)
        loader = cast("importlib.abc.Loader", self)
        return importlib.machinery.ModuleSpec(fullname, loader, is_package=is_package)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        homes = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} is now {' and '.join(homes)}; the old name will go in a later release",
            DeprecationWarning,
            stacklevel=2,
        )
        return _Moved(spec.name, homes)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: attributes come from the new homes on first use."""


def install() -> None:
    """Make the old names importable (once per process)."""
    if not any(isinstance(finder, _Finder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _Finder())  # before the path finder, which knows no old name
