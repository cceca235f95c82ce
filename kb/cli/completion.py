"""Shell completion (argcomplete) for commands, question names and entity ids.

Enable it once per shell with ``eval "$(register-python-argcomplete kb)"``. Nothing here
runs, and argcomplete is not even imported, unless the shell is asking for completions
(``_ARGCOMPLETE`` set), so the query commands start as fast as before.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.query.engine import LocalBackend

Completer = Callable[..., list[str]]


def _backend(parsed_args: argparse.Namespace) -> LocalBackend:
    from kb.query.engine import LocalBackend

    return LocalBackend(getattr(parsed_args, "kb", None))


def _ids(kind: str | None) -> Completer:
    """A completer offering the ids of every entity of one kind (any kind for None)."""

    def complete(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
        from kb.model.schema_table import KIND_BY_NAME
        from kb.model.vocab import is_slug
        from kb.query.engine import select, with_prefixes

        of_type = KIND_BY_NAME[kind].rdf_type if kind else "?type"
        query = with_prefixes(f"SELECT DISTINCT ?e WHERE {{ ?e a {of_type} }}")
        ids = (row["e"] for row in select(_backend(parsed_args), query))
        return sorted(e for e in ids if isinstance(e, str) and is_slug(e) and e.startswith(prefix))

    return complete


def _question_names(prefix: str, **_: Any) -> list[str]:
    from kb.query.questions import registry

    return sorted(name for name in registry() if name.startswith(prefix))


def _question_parameters(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
    """``key=`` for each parameter of the question named before (none if it names none)."""
    from kb.query.questions import registry

    asked = registry().get(getattr(parsed_args, "name", None) or "")
    if asked is None:
        return []
    return [f"{p.name}=" for p in asked.parameters if f"{p.name}=".startswith(prefix)]


#: (command, argument) -> what completes it.
COMPLETERS: dict[tuple[str, str], Completer] = {
    ("verdicts", "scenario"): _ids("Scenario"),
    ("verdicts", "approach"): _ids("Approach"),
    ("ask", "name"): _question_names,
    ("ask", "params"): _question_parameters,
    ("show", "id"): _ids(None),
}


def autocomplete(parser: argparse.ArgumentParser) -> None:
    """Answer the shell's completion request and exit, if this run is one."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command, sub in action.choices.items():
                for argument in sub._actions:
                    completer = COMPLETERS.get((command, argument.dest))
                    if completer is not None:
                        argument.completer = completer
    argcomplete.autocomplete(parser, always_complete_options=False)
