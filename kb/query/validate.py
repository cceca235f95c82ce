"""``kb validate``: the KB's data and its named questions, every problem at once.

The data is checked by :func:`kb.rdf.dataset.open_kb` (models, references between entities,
the integrity queries of ``kb/checks``); the questions of ``kb/questions`` by
:func:`kb.query.questions.question_problems`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kb.model.errors import InvalidKB, Problem
from kb.query.questions import question_problems
from kb.rdf.dataset import open_kb
from kb.rdf.loader import Loaded, sorted_problems


def check(
    paths: Sequence[str | Path] | None = None, progress: Callable[[str], None] | None = None
) -> tuple[Loaded, list[Problem]]:
    """Load what can be loaded and return it with every problem found.

    ``progress`` hears one line per file and step, for long loads on a terminal. Raises
    :class:`kb.model.errors.UsageError` only when ``paths`` names nothing to read.
    """
    opened = open_kb(paths, validate=True, progress=progress)
    assert opened.loaded is not None
    return opened.loaded, sorted_problems([*opened.problems, *question_problems()])


def validated(paths: Sequence[str | Path] | None = None) -> Loaded:
    """The KB's entities if data and questions are valid; else raise :class:`InvalidKB`."""
    loaded, problems = check(paths)
    if problems:
        raise InvalidKB(problems)
    return loaded
