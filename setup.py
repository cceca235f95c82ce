"""Build step: put the site's sources (mkdocs.yml, site/) into the wheel as kb/_site/.

The repository keeps them at the top level, where contributors edit them; a wheel has no
top level, so ``kb site build`` run from an installed package reads this copy instead (see
kb/publish/project.py). Editable installs read the checkout and get no copy. Everything else about
the package is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithSiteSources(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "kb" / "_site"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build")
        shutil.copytree(ROOT / "site", target / "site", ignore=ignore)


setup(cmdclass={"build_py": BuildWithSiteSources})
