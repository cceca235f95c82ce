"""What the package declares matches what it does: its imports, its pins, its version."""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
from conftest import EXAMPLE_FACTS as MY_SCENARIO
from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
#: Imported only inside functions that say they need an extra (``site``) or an optional
#: package the user installs (``pandas`` for ``Matrix.to_pandas``).
OPTIONAL_IMPORTS = {"mkdocs", "pandas"}


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


# --- installed from a wheel -------------------------------------------------------------


def _readme_commands() -> list[list[str]]:
    """The ``$ kb ...`` lines of the README's "Using it" block, but for `kb serve`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Using it", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        words = shlex.split(line.removeprefix("$ "), comments=True)
        if words[:1] == ["kb"] and words[1] != "serve":
            commands.append(words)
    return commands


def _files(folder: Path) -> set[Path]:
    return {p.relative_to(folder) for p in folder.rglob("*")}


@pytest.mark.slow
def test_wheel_works_from_any_folder(tmp_path: Path) -> None:
    """Build the wheel, install it (not editable) into a fresh venv, and run the README's
    commands, a site build and a schema export from a folder outside the checkout.

    The venv borrows the project's installed dependencies (a .pth file) instead of
    downloading them again: the versions are the same, and the package itself comes only
    from the wheel.
    """
    wheels, venv, elsewhere = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    source = tmp_path / "source"  # a clean tree: no stale build/ can reach the wheel
    skip = (".*", "build", "node_modules", "site-build", "tests", "*.egg-info", "__pycache__")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*skip))
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)])
    (wheel,) = wheels.glob("inner_alignment_kb-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    site_packages = Path(purelib.stdout.strip())
    (site_packages / "project-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)])
    installed = _files(site_packages)
    elsewhere.mkdir()
    (elsewhere / "my-scenario.json").write_text(json.dumps(MY_SCENARIO))
    kb = str(venv / "bin" / "kb")
    env = {k: v for k, v in os.environ.items() if k not in ("KB_PATH", "PYTHONPATH")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    def run_kb(*args: str) -> subprocess.CompletedProcess[str]:
        return _run([kb, *args], cwd=elsewhere, env=env, check=False)

    imported = _run([str(python), "-c", "import kb; print(kb.__file__)"], cwd=elsewhere, env=env)
    assert imported.stdout.startswith(str(site_packages)), "kb comes from the wheel"
    for words in [["--version"], ["validate"], *_readme_commands()]:
        result = run_kb(*words[1:] if words[0] == "kb" else words)
        assert result.returncode == 0, (words, result.stderr)
    assert (elsewhere / "kb.jsonld").is_file()

    result = run_kb("site", "build", "--out", "built")
    assert result.returncode == 0, result.stderr
    assert (elsewhere / "built" / "index.html").is_file()
    assert (elsewhere / "built" / "scenario" / "example-3" / "index.html").is_file()

    result = run_kb("schema", "export")
    assert result.returncode == 2
    assert "give a folder with --out" in result.stderr
    assert run_kb("schema", "export", "--out", "schema").returncode == 0
    assert (elsewhere / "schema" / "shapes.ttl").is_file()
    assert _files(site_packages) == installed, "nothing is written into the installed package"


def _run(
    command: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if check:
        assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result


def test_pre_commit_runs_the_checks_ci_runs() -> None:
    import yaml

    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = {hook["id"]: hook["entry"] for repo in config["repos"] for hook in repo["hooks"]}
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert entries["checks"] in ci.splitlines()
    assert entries["tests"].split(" -q")[0] in ci
