"""Every command has help text and a README entry; the README's Python example runs."""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import subprocess
from pathlib import Path

from conftest import ROOT

from kb._legacy import MOVED
from kb.cli import build_parser

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                full = f"{prefix}{name}"
                found.append((full, sub.description or ""))
                found.extend(_commands(sub, full + " "))
    return found


def test_every_command_has_help_and_a_readme_entry() -> None:
    commands = _commands(build_parser())
    assert len(commands) >= 15
    for name, description in commands:
        assert description.strip(), f"kb {name} has no help text"
        assert f"kb {name}" in README, f"README.md does not mention `kb {name}`"


def test_readme_python_example_runs() -> None:
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    k = namespace["k"]
    assert k.get("example-3").id == "example-3"


def test_readme_outputs_are_what_the_commands_print() -> None:
    """Each ``$ kb ...`` line of a console block followed by output prints exactly that output
    (at 80 columns, without colour): `python scripts/readme_outputs.py` rewrites them."""
    from readme_outputs import commands, run

    shown = commands(README)
    assert len(shown) >= 3
    for command, output in shown:
        assert run(command) == output, (
            f"README shows stale output for `{command}`: run scripts/readme_outputs.py"
        )


#: The documents a newcomer reads: the README, CONTRIBUTING and the site's hand-written guide.
DOCS = [
    ROOT / "README.md",
    ROOT / "CONTRIBUTING.md",
    *sorted((ROOT / "site" / "docs").glob("*.md")),
]
#: ``kb.x.y`` (a module, then maybe attributes); not a file name such as ``kb.jsonld``.
DOTTED = re.compile(r"(?<![\w./-])kb(?:\.[A-Za-z_]\w*)+(?![\w-])")
FILE_SUFFIXES = {"bib", "json", "jsonld", "md", "nq", "nt", "py", "rq", "toml", "ttl", "yml"}
#: ``kb/...py`` files and ``kb/.../`` folders.
KB_PATH = re.compile(r"(?<![\w./-])kb/(?:[\w.-]+/)*(?:[\w.-]+\.py\b|(?=[`\s,)]))")


def _paragraphs(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n\n")


def _resolves(name: str) -> str | None:
    """None if ``name`` is a module of ``kb`` (then attributes of it), else why not. A name
    that only the compatibility shim (:mod:`kb._legacy`) resolves is stale."""
    parts = name.split(".")
    if any(".".join(parts[:i]) in MOVED for i in range(2, len(parts) + 1)):
        return f"{name}: an old module name; see kb/_legacy.py for its new home"
    for i in range(len(parts), 1, -1):
        module_name = ".".join(parts[:i])
        try:
            found: object = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name is not None and module_name.startswith(error.name):
                continue  # no such module: the last part is an attribute, maybe
            raise
        for attribute in parts[i:]:
            if not hasattr(found, attribute):
                return f"{name}: {module_name} has no {'.'.join(parts[i:])}"
            found = getattr(found, attribute)
        return None
    return f"{name}: no such module"


def stale_names(paths: list[Path]) -> list[str]:
    """Each ``kb.x.y`` name and ``kb/...py`` path in ``paths`` that names nothing (any more).

    An old module name may appear only where the text says it is one, in a paragraph that
    mentions the ``DeprecationWarning`` it gives.
    """
    problems = []
    for path in paths:
        for paragraph in _paragraphs(path):
            for name in dict.fromkeys(m.group(0) for m in DOTTED.finditer(paragraph)):
                if name.rsplit(".", 1)[-1] in FILE_SUFFIXES:
                    continue
                why = _resolves(name)
                if why and not ("DeprecationWarning" in paragraph and "old module" in why):
                    problems.append(f"{path.name}: {why}")
            for found in dict.fromkeys(m.group(0) for m in KB_PATH.finditer(paragraph)):
                if not (ROOT / found).exists():
                    problems.append(f"{path.name}: {found}: no such file or folder")
    return problems


def test_every_module_and_file_the_docs_name_exists() -> None:
    assert stale_names(DOCS) == []


def test_a_stale_name_in_the_docs_is_reported(tmp_path: Path) -> None:
    doc = tmp_path / "DOC.md"
    doc.write_text(
        "`kb.rdf.fmt.fmt` and `kb/rdf/fmt.py` are here; `kb.rdf.fmt.no_such_function`,\n"
        "`kb.sitegen.build`, `kb.no_such_module.f` and `kb/sitegen/hooks.py` are not.\n\n"
        "`kb.loader` still imports, with a `DeprecationWarning`.\n",
        encoding="utf-8",
    )
    assert stale_names([doc]) == [
        "DOC.md: kb.rdf.fmt.no_such_function: kb.rdf.fmt has no no_such_function",
        "DOC.md: kb.sitegen.build: an old module name; see kb/_legacy.py for its new home",
        "DOC.md: kb.no_such_module.f: no such module",
        "DOC.md: kb/sitegen/hooks.py: no such file or folder",
    ]


#: A call in the README's Python column: ``kb.x.f(a, b=)`` or ``k.method(a, **params)``.
CALL = re.compile(r"`((?:kb|k)(?:\.\w+)+)\(([^`]*)\)`")


def _python_column() -> list[tuple[str, str]]:
    """(callable, its arguments as the README writes them) for each call in the Python column
    of the command table."""
    table = README.split("### Commands", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `kb ")]
    return [call for row in rows for call in CALL.findall(row.rsplit(" | ", 1)[-1])]


def signature_mismatch(target: str, written: str) -> str | None:
    """None if ``target(written)`` (``a, b=, **params``) matches the callable's signature:
    positional arguments by name and place, keywords by name, every required parameter
    given; else what differs."""
    if target.startswith("k."):
        from kb.api import KnowledgeBase

        found: object = getattr(KnowledgeBase, target.removeprefix("k."), None)
        bound_method = True
    else:
        module, _, name = target.rpartition(".")
        found = getattr(importlib.import_module(module), name, None)
        bound_method = False
    if not callable(found):
        return f"{target}: no such function"
    parameters = list(inspect.signature(found).parameters.values())[int(bound_method) :]
    names = [p.name for p in parameters]
    given = [a.strip() for a in written.split(",") if a.strip()]
    keywords = {a.removesuffix("=") for a in given if a.endswith("=")}
    positional = [a for a in given if not a.endswith("=") and not a.startswith("**")]
    if positional != names[: len(positional)]:
        return f"{target}({written}): the function takes ({', '.join(names)})"
    if not keywords <= set(names):
        return f"{target}({written}): no parameter {sorted(keywords - set(names))}"
    if any(a.startswith("**") for a in given) != any(p.kind is p.VAR_KEYWORD for p in parameters):
        return f"{target}({written}): **keywords differ from ({', '.join(names)})"
    required = {
        p.name
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    missing = required - set(positional) - keywords
    return f"{target}({written}): leaves out {sorted(missing)}" if missing else None


def test_the_readme_python_column_names_real_functions_with_their_signatures() -> None:
    calls = _python_column()
    assert len(calls) >= 15
    assert [m for call in calls if (m := signature_mismatch(*call))] == []


def test_a_python_column_call_with_a_wrong_signature_is_reported() -> None:
    assert signature_mismatch("kb.rdf.fmt.fmt", "paths, check") is None
    assert signature_mismatch("k.ask", "name, **params") is None
    assert signature_mismatch("k.verdicts", "scenario=, approach=") is None
    assert signature_mismatch("kb.rdf.fmt.fmt", "check, paths") is not None  # order
    assert signature_mismatch("kb.model.quotes.verify", "entities") is not None  # required
    assert signature_mismatch("k.ask", "name") is not None  # **params
    assert signature_mismatch("k.verdicts", "scenario=, approaches=") is not None
    assert signature_mismatch("kb.rdf.fmt.no_such_function", "") is not None


def _layout_paths() -> set[str]:
    """The paths the README's "Layout, and why" table explains, and their folders, without a
    trailing ``/`` or file pattern (``kb/data/*.ttl`` explains ``kb/data`` and ``kb``)."""
    section = README.split("## Layout, and why", 1)[1].strip().split("\n\n", 1)[0]
    cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    paths = [re.sub(r"/(\*[^/]*)?$", "", p) for c in cells for p in re.findall(r"`([^`]+)`", c)]
    return {"/".join(path.split("/")[:depth]) for path in paths for depth in (1, 2)}


def test_the_readme_layout_explains_every_folder_and_file_a_newcomer_sees() -> None:
    """Each file or folder at the top of the repository and in ``kb/`` has its row."""
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    seen = {path.split("/")[0] for path in tracked}
    seen |= {"/".join(path.split("/")[:2]) for path in tracked if path.startswith("kb/")}
    obvious = {"README.md", ".gitignore", "kb/__init__.py", "kb/py.typed"}
    assert sorted(seen - obvious - _layout_paths()) == []
