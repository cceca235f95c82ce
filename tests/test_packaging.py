"""What the package declares matches what it does: its imports, its pins, its version."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Imported only inside functions that say they need an extra (``site``) or an optional
#: package the user installs (``pandas`` for ``Matrix.to_pandas``).
OPTIONAL_IMPORTS = {"mkdocs", "mkdocs_gen_files", "pandas"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _third_party_imports() -> set[str]:
    found = set()
    for path in (ROOT / "kb").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m != "kb" and m not in sys.stdlib_module_names}


def test_runtime_dependencies_are_what_kb_imports() -> None:
    distributions = importlib.metadata.packages_distributions()
    imported = {
        _name(distributions[module][0]) for module in _third_party_imports() - OPTIONAL_IMPORTS
    }
    declared = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert imported == declared


def test_dependencies_are_ranges_pinned_by_the_constraints_file() -> None:
    project = PYPROJECT["project"]
    requirements = [*project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith("inner-alignment-kb")]
    pinned = {
        _name(line): line.split("==")[1]
        for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    }
    for requirement in requirements:
        assert "==" not in requirement, f"{requirement}: a range here, the pin in constraints.txt"
        assert _name(requirement) in pinned, f"{requirement} has no pin in constraints.txt"


def test_version_has_one_source() -> None:
    from kb import __version__

    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert importlib.metadata.version("inner-alignment-kb") == __version__
