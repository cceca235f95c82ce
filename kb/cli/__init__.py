# PYTHON_ARGCOMPLETE_OK  (shell completion: see kb/cli/completion.py)
"""The ``kb`` command line: thin wrappers over the library, one verb per subcommand.

Exit codes: 0 answered or clean, 1 problems found (``validate``, ``fmt --check``,
``quotes verify``), 2 usage or input error (an unreadable or unwritable path included),
70 an internal error, that is a bug. Errors are one line on stderr, never a traceback.
Imports happen inside each command so that queries start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

from kb.model.errors import InvalidKB, KBError, UsageError
from kb.query.output import FORMATS, render

if TYPE_CHECKING:
    from kb.query.engine import Backend

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 70  # EX_SOFTWARE in sysexits.h
BUG_REPORT = "this is a bug, please report it (KB_DEBUG=1 shows the traceback)"


def _out(text: str, coloured: bool = False) -> None:
    """Write to standard output. On a terminal, control characters in any format (CSV,
    JSON, Turtle) are shown escaped, so KB text never drives the terminal; ``coloured``
    text has had its KB strings escaped already and carries the tool's own colours."""
    if not coloured and sys.stdout.isatty():
        from kb.query.output import clean

        text = clean(text)
    sys.stdout.write(text)


def _progress() -> Callable[[str], None] | None:
    """Progress on stderr, one line rewritten in place, only when stderr is a terminal
    (never in pipes or logs); call it with "" to clear the line."""
    if not sys.stderr.isatty():
        return None

    def show(line: str) -> None:
        sys.stderr.write(f"\r\x1b[K{'kb: ' + line if line else ''}")
        sys.stderr.flush()

    return show


def _backend(args: argparse.Namespace, *, user_sparql: bool = False) -> Backend:
    """The KB the command asks: a remote endpoint, or the Turtle at ``--kb`` in this process.

    ``user_sparql``: the command evaluates a user's query here, so this process is cut off
    the network first. Named questions need no such step (their text ships with the package,
    is refused if it names SERVICE, and binds arguments as data), so their commands skip
    the sandbox's start-up cost; any untrusted query they made would still be isolated by
    :meth:`kb.query.engine.LocalBackend.untrusted_query`.
    """
    from kb.query import engine

    if getattr(args, "endpoint", None):
        from kb.query.remote import RemoteBackend

        return RemoteBackend(args.endpoint)
    if user_sparql and getattr(args, "own_process", False):
        _isolate()
    return engine.LocalBackend(args.kb)


def _isolate() -> None:
    """A command that evaluates a user's query here never needs the network: cut this
    process off it, before anything is loaded (only when ``kb`` runs as its own process,
    never when :func:`main` is called from other code). Where that is impossible, user
    SPARQL is refused later (kb.query.sandbox); named questions still run."""
    import contextlib

    from kb.query import sandbox

    with contextlib.suppress(sandbox.Unavailable):
        sandbox.isolate()


# --- data: validate, format, quotes, schema ------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from kb.query.validate import check

    progress = _progress()
    loaded, problems = check(args.paths or None, progress=progress)
    if progress:
        progress("")
    if args.format == "json":
        _out(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False) + "\n")
    else:
        for problem in problems:
            _out(f"{problem}\n")
        files = len(loaded.files)
        summary = (
            f"{len(problems)} problem(s)"
            if problems
            else f"ok: {len(loaded.entities)} entities in {files} file(s)"
        )
        print(summary, file=sys.stderr if problems else sys.stdout)
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from kb.rdf.fmt import fmt

    changed, notes = fmt(args.paths or None, check=args.check)
    verb = "would reformat" if args.check else "reformatted"
    for path in changed:
        print(f"{verb} {path}")
    for note in notes:
        print(f"kb: {note}", file=sys.stderr)
    if not changed and not notes:
        print("all files already canonical")
    return EXIT_PROBLEMS if (args.check and changed) or notes else EXIT_OK


def _essay_checks(args: argparse.Namespace) -> tuple[Any, list[Any]]:
    """The KB and each quote attributed to the essay checked against ``--source``."""
    from kb.model.quotes import primary_source, verify
    from kb.rdf.dataset import load

    source = Path(args.source)
    if not source.is_file():
        raise UsageError(f"{source}: no such file")
    loaded = load(args.kb)
    if primary_source(loaded.entities) is None:
        raise UsageError("no source is marked kb:primarySource true")
    return loaded, verify(loaded.entities, source)


def cmd_quotes_verify(args: argparse.Namespace) -> int:
    _, checks = _essay_checks(args)
    missing = [c for c in checks if not c.found]
    for check in missing:
        _out(f"not verbatim in {args.source}: {check.quote_id}: {check.text[:70]!r}\n")
    misplaced = [c for c in checks if c.problems]
    for check in misplaced:
        for problem in check.problems:
            _out(f"misplaced: {check.quote_id}: {problem}\n")
    print(f"{len(checks) - len(missing)} of {len(checks)} quotes found verbatim in {args.source}")
    found = len(checks) - len(missing)
    print(f"{found - len(misplaced)} of {found} found placed right (section and position)")
    if misplaced:
        print(f"`kb quotes place --source {args.source}` writes their places", file=sys.stderr)
    return EXIT_PROBLEMS if missing or misplaced else EXIT_OK


def cmd_quotes_place(args: argparse.Namespace) -> int:
    from kb.model.quotes import placed
    from kb.rdf.writer import update

    loaded, checks = _essay_checks(args)
    missing = [c for c in checks if not c.found]
    for check in missing:
        _out(f"not verbatim in {args.source}: {check.quote_id}: {check.text[:70]!r}\n")
    if missing:
        print(f"{len(missing)} quote(s) not found; nothing written", file=sys.stderr)
        return EXIT_PROBLEMS
    changed = placed(checks, loaded.entities)
    written, notes = update(loaded, changed)
    for path in written:
        print(f"wrote {path}")
    for note in notes:
        print(f"kb: {note}", file=sys.stderr)
    print(
        f"placed {len(changed)} quote(s); {len(checks) - len(changed)} had the right place already"
    )
    return EXIT_PROBLEMS if notes else EXIT_OK


def cmd_schema_export(args: argparse.Namespace) -> int:
    from kb.publish.schema import export

    for path in export(Path(args.out) if args.out else None):
        print(f"wrote {path}")
    return EXIT_OK


# --- queries ----------------------------------------------------------------------------


def cmd_verdicts(args: argparse.Namespace) -> int:
    from kb.query.engine import run_question

    backend = _backend(args)
    rows = run_question(backend, "verdicts", {"scenario": args.scenario, "approach": args.approach})
    if args.format == "table":
        from kb.query.output import colour_enabled
        from kb.query.views import verdicts_text

        _out(verdicts_text(backend, rows, args.scenario, colour_enabled()), coloured=True)
    else:
        _out(render(rows, args.format))
    return EXIT_OK


def cmd_matrix(args: argparse.Namespace) -> int:
    from kb.query import matrix

    verdict_matrix = matrix.load(_backend(args))
    if args.format == "table":
        from kb.query.output import colour_enabled

        _out(matrix.to_text(verdict_matrix, colour_enabled()), coloured=True)
    else:
        _out(matrix.RENDERERS[args.format](verdict_matrix))
    return EXIT_OK


def _key_values(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"parameter {pair!r} is not of the form key=value")
        params[key] = value
    return params


def cmd_ask(args: argparse.Namespace) -> int:
    from kb.query.engine import run_question
    from kb.query.questions import registry

    if args.list or not args.name:
        if args.kb:  # not read for the list, but a path given is checked as everywhere
            from kb.rdf.paths import turtle_files

            turtle_files(args.kb)
        rows = [
            {
                "name": q.name,
                "title": q.title,
                "parameters": " ".join(p.name + ("?" if p.optional else "") for p in q.parameters),
            }
            for q in registry().values()
        ]
        _out(render(rows, args.format))
        return EXIT_OK
    answer = run_question(_backend(args), args.name, _key_values(args.params))
    _out(render(answer, args.format))
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    from kb.api import KnowledgeBase

    k = KnowledgeBase.remote(args.endpoint) if args.endpoint else KnowledgeBase.load(args.kb)
    entity = k.get(args.id)
    data = {"kind": type(entity).__name__, **entity.model_dump(exclude_none=True)}
    if args.format == "json":
        _out(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        from kb.cli.card import card
        from kb.query.output import colour_enabled

        _out(card(k.entities, entity, colour_enabled()), coloured=True)
    return EXIT_OK


def _read_query(text: str) -> str:
    path = Path(text)
    if len(text) < 4096 and "\n" not in text and path.suffix in (".rq", ".sparql"):
        if not path.is_file():
            raise UsageError(f"{path}: no such file")
        return path.read_text(encoding="utf-8")
    return text


def cmd_sparql(args: argparse.Namespace) -> int:
    from kb.query.engine import Triples, run_sparql

    result = run_sparql(_backend(args, user_sparql=True), _read_query(args.query))
    if isinstance(result, bool):
        _out(
            render([{"result": result}], args.format)
            if args.format != "json"
            else json.dumps({"boolean": result}) + "\n"
        )
    elif isinstance(result, Triples):
        from kb.publish.export import triples_to_text

        _out(triples_to_text(result, "ttl"))
    else:
        _out(render(result, args.format))
    return EXIT_OK


def cmd_classify(args: argparse.Namespace) -> int:
    from kb.cli.facts_file import read_facts
    from kb.model.rules import classify

    verdicts = classify(read_facts(Path(args.file)))
    if args.format == "table":
        from kb.query.output import colour_enabled
        from kb.query.views import classify_text

        _out(classify_text(verdicts, colour_enabled()), coloured=True)
        return EXIT_OK
    rows = [
        {
            "approach": approach,
            "verdict": v.value,
            "failure": v.failure,
            "hedged": v.hedged,
            "rationale": v.rationale,
            "conflict": v.conflict,
        }
        for approach, v in verdicts.items()
    ]
    _out(render(rows, args.format))
    return EXIT_OK


def cmd_cruxes(args: argparse.Namespace) -> int:
    from kb.model.cruxes import cruxes

    crux = cruxes(args.a, args.b)
    if args.format == "json":
        _out(json.dumps(crux.as_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        from kb.query.views import cruxes_text

        _out(cruxes_text(crux))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from kb.publish.export import export_text
    from kb.rdf.writer import write_atomic, write_target

    output = Path(args.output) if args.output and args.output != "-" else None
    if output is not None:
        write_target(output)  # a usage error now, before the export's work, if it cannot be
    if args.profile == "skos":
        from kb.publish.skos import export_skos

        text = export_skos(args.kb, args.format)
    else:
        text = export_text(args.kb, args.format)
    if output is not None:
        write_atomic(output, text)
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        _out(text)
    return EXIT_OK


# --- the parser --------------------------------------------------------------------------


#: What ``add_subparsers`` returns (argparse documents it, but names it only privately).
Subparsers: TypeAlias = "argparse._SubParsersAction[_Parser]"


def _add(
    sub: Subparsers, name: str, handler: Callable[[argparse.Namespace], int], help_text: str
) -> _Parser:
    parser = sub.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(handler=handler)
    return parser


def kb_option(parser: argparse.ArgumentParser, purpose: str) -> None:
    """``--kb PATH`` (repeatable): the KB a command reads instead of the bundled one."""
    parser.add_argument(
        "--kb",
        action="append",
        metavar="PATH",
        help=f"Turtle file or folder to {purpose} (default: the bundled KB)",
    )


def _source_options(parser: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    parser.add_argument("--format", choices=formats, default="table", help="output format")
    kb_option(parser, "query")
    parser.add_argument(
        "--endpoint", metavar="URL", help="query a remote SPARQL 1.1 endpoint instead of a local KB"
    )


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors: ``kb COMMAND: error: ... (see kb COMMAND --help)``."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``kb`` parser. With ``command`` (one of :data:`COMMANDS`), only that command's
    arguments: a query then starts without building every other command's parser or
    importing their modules. Help, completion and an unknown command get the whole parser.
    """
    from kb import __version__

    parser = _Parser(
        prog="kb",
        description="Who means what by 'inner alignment': validate, query and publish the KB.",
    )
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, add in COMMANDS.items():
        if command in (None, name):
            add(sub)
    return parser


def _validate_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "validate",
        cmd_validate,
        "Check Turtle files against the schema and report every problem at once.",
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: bundled KB)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")


def _fmt_parser(sub: Subparsers) -> None:
    p = _add(
        sub, "fmt", cmd_fmt, "Rewrite Turtle files in canonical form (sorted, fixed prefixes)."
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (default: bundled KB)"
    )
    p.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if any file is not canonical"
    )


def _quotes_parser(sub: Subparsers) -> None:
    quotes = _add(sub, "quotes", lambda a: EXIT_USAGE, "Work with the KB's quotes.")
    qsub = quotes.add_subparsers(dest="quotes_command", metavar="COMMAND", required=True)
    p = _add(
        qsub,
        "verify",
        cmd_quotes_verify,
        "Check that every quote attributed to the essay occurs verbatim in FILE, at the "
        "section and position it records.",
    )
    p.add_argument("--source", required=True, metavar="FILE", help="plain text of the essay")
    kb_option(p, "check")
    p = _add(
        qsub,
        "place",
        cmd_quotes_place,
        "Write each essay quote's section and position as found in FILE (canonical Turtle).",
    )
    p.add_argument("--source", required=True, metavar="FILE", help="plain text of the essay")
    kb_option(p, "update")


def _schema_parser(sub: Subparsers) -> None:
    schema = _add(sub, "schema", lambda a: EXIT_USAGE, "Work with the schema.")
    ssub = schema.add_subparsers(dest="schema_command", metavar="COMMAND", required=True)
    p = _add(
        ssub,
        "export",
        cmd_schema_export,
        "Write the RDF vocabulary, SHACL shapes, JSON Schema and JSON-LD context derived from "
        "the models.",
    )
    p.add_argument(
        "--out", metavar="DIR", help="folder to write to (default: the checkout's schema/)"
    )


def _verdicts_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "verdicts",
        cmd_verdicts,
        "How each approach classifies a scenario (stated in the essay or derived).",
    )
    p.add_argument("scenario", help="scenario id, e.g. example-3")
    p.add_argument("--approach", help="only this approach")
    _source_options(p, ("table", "json", "csv"))


def _matrix_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "matrix",
        cmd_matrix,
        "The verdict matrix: every scenario (in the essay's order) against every approach.",
    )
    _source_options(p, ("table", "csv", "json", "markdown"))


def _ask_parser(sub: Subparsers) -> None:
    p = _add(sub, "ask", cmd_ask, "Answer a named question; --list shows them all.")
    p.add_argument("name", nargs="?", help="question name")
    p.add_argument("params", nargs="*", metavar="key=value", help="question parameters")
    p.add_argument("--list", action="store_true", help="list the named questions")
    _source_options(p, ("table", "json", "csv"))


def _show_parser(sub: Subparsers) -> None:
    p = _add(sub, "show", cmd_show, "Show any entity by id.")
    p.add_argument("id", help="entity id, e.g. evan-hubinger")
    _source_options(p, ("table", "json"))


def _sparql_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "sparql",
        cmd_sparql,
        "Run a SPARQL query (text or .rq file); CONSTRUCT and DESCRIBE print Turtle.",
    )
    p.add_argument("query", help="query text or path to a .rq/.sparql file")
    _source_options(p, FORMATS)


def _classify_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "classify",
        cmd_classify,
        "Classify a scenario described by its facts (JSON, YAML or Turtle file).",
    )
    p.add_argument("file", help="facts file")
    p.add_argument("--format", choices=("table", "json"), default="table")


def _cruxes_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "cruxes",
        cmd_cruxes,
        "Where two approaches' rules disagree, over every combination of the scenario facts.",
    )
    p.add_argument("a", help="approach id, e.g. objective-focused")
    p.add_argument("b", help="another approach id, e.g. optimization-focused")
    p.add_argument("--format", choices=("table", "json"), default="table")


def _export_parser(sub: Subparsers) -> None:
    p = _add(
        sub,
        "export",
        cmd_export,
        "Export the KB (with derived verdicts) as Turtle, N-Triples or JSON-LD; "
        "--profile skos: its terms as a SKOS vocabulary for vocabulary tools.",
    )
    p.add_argument("--format", choices=("ttl", "nt", "jsonld"), default="ttl")
    p.add_argument(
        "--profile",
        choices=("kb", "skos"),
        default="kb",
        help="kb: every triple (default); skos: a concept scheme of the terms, with each "
        "competing definition as an attributed skos:definition (validates the KB first)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (a regular file; a symlink is followed) instead of stdout; - is stdout",
    )
    kb_option(p, "export")


def _site_parser(sub: Subparsers) -> None:
    from kb.cli import site

    site.register(sub)


def _serve_parser(sub: Subparsers) -> None:
    from kb.cli import serve

    serve.register(sub)


#: Every command, in the order help lists them, with what adds its parser.
COMMANDS: dict[str, Callable[[Subparsers], None]] = {
    "validate": _validate_parser,
    "fmt": _fmt_parser,
    "quotes": _quotes_parser,
    "schema": _schema_parser,
    "verdicts": _verdicts_parser,
    "matrix": _matrix_parser,
    "ask": _ask_parser,
    "show": _show_parser,
    "sparql": _sparql_parser,
    "classify": _classify_parser,
    "cruxes": _cruxes_parser,
    "export": _export_parser,
    "site": _site_parser,
    "serve": _serve_parser,
}


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    completing = argv is None and "_ARGCOMPLETE" in os.environ
    command = words[0] if words and not completing and words[0] in COMMANDS else None
    parser = build_parser(command)
    if argv is None:
        from kb.cli.completion import autocomplete

        autocomplete(parser)
    args = parser.parse_args(argv)
    args.own_process = argv is None  # the command line itself, not a caller's process
    try:
        return args.handler(args)
    except InvalidKB as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"kb: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KBError as error:
        print(f"kb: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except OSError as error:  # a path the user gave that cannot be read or written
        if os.environ.get("KB_DEBUG"):
            raise
        print(f"kb: {os_error_message(error)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as error:  # never a traceback for users; KB_DEBUG=1 shows it
        if os.environ.get("KB_DEBUG"):
            raise
        internal = f"internal error: {type(error).__name__}: {error}; {BUG_REPORT}"
        print(f"kb: {internal}", file=sys.stderr)
        return EXIT_INTERNAL


def os_error_message(error: OSError) -> str:
    """An OS error as one line naming the path: ``cannot access FILE: reason``.

    >>> os_error_message(PermissionError(13, "Permission denied", "/sys/kb.ttl"))
    'cannot access /sys/kb.ttl: Permission denied'
    """
    reason = error.strerror or str(error)
    return f"cannot access {error.filename}: {reason}" if error.filename else reason
