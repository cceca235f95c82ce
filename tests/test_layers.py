"""The packages by role: old module names still import, and nothing here uses them.

The direction of dependency between the packages is checked by ``lint-imports`` (contracts in
``pyproject.toml``, run by ``scripts/check.sh``); these tests pin the compatibility names.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from kb._legacy import MOVED

ROOT = Path(__file__).resolve().parent.parent

#: The README's Python column as it was in 0.1.0: old module, attribute.
DOCUMENTED = [
    ("kb.loader", "check"),
    ("kb.writer", "fmt"),
    ("kb.quotes", "verify"),
    ("kb.schema_export", "export"),
    ("kb.export", "export_text"),
    ("kb.skos", "export_skos"),
    ("kb.dataset", "open_kb"),
    ("kb.rules", "derive"),
    ("kb.sitegen.build", "generate"),
    ("kb.server", "KB_GRAPH"),
]


@pytest.mark.parametrize(("old", "attribute"), DOCUMENTED)
def test_a_documented_old_name_still_works_with_a_warning(old: str, attribute: str) -> None:
    code = (
        "import importlib, warnings\n"
        "warnings.simplefilter('error')\n"
        f"try:\n    importlib.import_module({old!r})\n"
        "except DeprecationWarning as w:\n    print('warned:', w)\n"
        "warnings.simplefilter('ignore')\n"
        f"value = getattr(importlib.import_module({old!r}), {attribute!r})\n"
        f"homes = [importlib.import_module(h) for h in {MOVED[old]!r}]\n"
        f"print([h.__name__ for h in homes if getattr(h, {attribute!r}, None) is value])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.splitlines()
    package = ".".join(old.split(".")[:2])  # a moved package warns first, as it is imported first
    assert out[0].startswith(f"warned: {package} is now kb.")
    assert out[1] != "[]"  # the attribute is the new home's own object


def test_every_new_home_exists_and_an_unknown_attribute_is_an_attribute_error() -> None:
    for homes in MOVED.values():
        for home in homes:
            importlib.import_module(home)
    module = importlib.import_module("kb.loader")
    with pytest.raises(AttributeError, match=r"kb\.loader"):
        _ = module.no_such_name


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_code_in_the_repository_uses_an_old_module_name() -> None:
    users = {
        f"{path.relative_to(ROOT)}: {name}"
        for folder in ("kb", "tests", "scripts", "site")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != Path(__file__).name and "_site" not in path.parts
        for name in _imported_modules(path)
        if name in MOVED
    }
    assert users == set()
