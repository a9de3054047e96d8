"""The verbs' arguments, declared once and shared by the ``dbm`` CLI and the ``%dbm`` magic.

Each verb is a ``Verb``: how to declare its arguments, and how to call ``api`` with them.
Front ends only parse and display; everything else happens in ``api``.
"""
from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any, Callable

USAGE = "dbm VERB [options]   (verbs: {verbs}; `dbm VERB --help` for each)"


@dataclass(frozen=True)
class Verb:
    name: str
    help: str
    declare: Callable[[argparse.ArgumentParser], None]
    call: Callable[[argparse.Namespace], Any]
    #: argument that receives the cell body in ``%%dbm VERB`` (None: the verb takes no cell)
    cell_argument: str | None = None


def _project(p: argparse.ArgumentParser, positional: bool = False) -> None:
    if positional:
        p.add_argument("path", nargs="?", help="project folder (default: here, walking up to the repository root)")
    p.add_argument("--project", help="project folder (default: here, walking up to the repository root)")


def _env(p: argparse.ArgumentParser) -> None:
    p.add_argument("--env", help="environment name (see `env`) or a database URL")


def _output(p: argparse.ArgumentParser, table: bool = True) -> None:
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (CLI)")
    if table:
        p.add_argument("--df", metavar="VAR", help="in a notebook, also store the table as a DataFrame in VAR")


def _where(args: argparse.Namespace) -> Any:
    return getattr(args, "path", None) or args.project


# --- detect ------------------------------------------------------------------------------
def _declare_detect(p):
    _project(p, positional=True)
    _env(p)
    _output(p)


def _call_detect(args):
    from . import api

    return api.detect(_where(args), env=args.env)


# --- env ---------------------------------------------------------------------------------
def _declare_env(p):
    p.add_argument("name", nargs="?", help="make this environment the active one")
    _project(p)
    _output(p)


def _call_env(args):
    from . import api

    return api.env(args.name, project=args.project)


# --- status ------------------------------------------------------------------------------
def _declare_status(p):
    _project(p, positional=True)
    _env(p)
    _output(p)
    p.add_argument("--exit-code", action="store_true",
                   help="exit 1 when anything is pending, failed, modified or missing (for CI)")


def _call_status(args):
    from . import api

    return api.status(_where(args), env=args.env)


# --- lint --------------------------------------------------------------------------------
def _declare_lint(p):
    p.add_argument("files", nargs="*", help="SQL files to lint (in a notebook, %%%%dbm lint lints the cell)")
    p.add_argument("--pending", action="store_true", help="lint the SQL of the project's pending migrations")
    p.add_argument("--dialect", choices=("postgresql", "mysql", "sqlite"),
                   help="SQL dialect (default: the active environment's, else postgresql)")
    p.add_argument("--pg-version", help="PostgreSQL major version the migration targets (default 14)")
    p.add_argument("--assume-in-transaction", action="store_true",
                   help="the migration tool wraps each file in a transaction")
    p.add_argument("--session-timeouts", action="store_true",
                   help="the runner sets lock_timeout/statement_timeout itself (silences require-*-timeout)")
    p.add_argument("--include", action="append", default=[], metavar="RULE",
                   help="only these rules (repeat or comma-separate)")
    p.add_argument("--exclude", action="append", default=[], metavar="RULE",
                   help="skip these rules (repeat or comma-separate)")
    p.add_argument("--rules", action="store_true", help="list the rules and exit")
    _project(p)
    _env(p)
    _output(p)


def _split_rules(values):
    return [r for v in values or () for r in v.split(",") if r.strip()]


def _call_lint(args):
    if args.rules:
        from ._verbs.lint_rules import rules

        return rules()
    from ._verbs.lint import lint

    return lint(args.files, sql=getattr(args, "sql", None), pending=args.pending, dialect=args.dialect,
                pg_version=args.pg_version, in_transaction=args.assume_in_transaction,
                include=_split_rules(args.include), exclude=_split_rules(args.exclude), project=args.project,
                env=args.env, session_timeouts=args.session_timeouts)


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb("detect", "which migration tool the project uses, and its connection", _declare_detect, _call_detect),
        Verb("env", "environments and connections found (masked); choose the active one", _declare_env, _call_env),
        Verb("status", "migration history: applied, pending, failed, modified, missing", _declare_status,
             _call_status),
        Verb("lint", "dangerous operations in migration SQL, with why and the safe alternative", _declare_lint,
             _call_lint, cell_argument="sql"),
    )
}


class ArgumentError(Exception):
    """Bad arguments; ``usage`` is the usage line to show."""

    def __init__(self, message: str, usage: str):
        super().__init__(message)
        self.usage = usage


class HelpRequested(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of printing and exiting."""

    def error(self, message: str):  # type: ignore[override]
        raise ArgumentError(message, self.format_usage().strip())

    def exit(self, status: int = 0, message: str | None = None):  # type: ignore[override]
        raise HelpRequested(message or "")

    def print_help(self, file=None):  # type: ignore[override]
        raise HelpRequested(self.format_help())


def usage_line(prog: str = "dbm") -> str:
    return USAGE.replace("dbm", prog, 1).format(verbs=", ".join(VERBS))


def build_parser(prog: str = "dbm") -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description="Database migrations from notebooks and the shell.",
                     usage=usage_line(prog).replace("%", "%%"))
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS.values():
        sub = subs.add_parser(verb.name, help=verb.help, description=verb.help, prog=f"{prog} {verb.name}")
        verb.declare(sub)
    return parser


def parse(argv: list[str], prog: str = "dbm") -> argparse.Namespace:
    """Parse a command line; unknown verbs and bad flags raise ``ArgumentError``."""
    parser = build_parser(prog)
    if argv and not argv[0].startswith("-") and argv[0] not in VERBS:
        raise ArgumentError(f"unknown verb '{argv[0]}'", usage_line(prog))
    args = parser.parse_args(argv)
    if args.verb is None and not args.version:
        raise ArgumentError("a verb is required", usage_line(prog))
    return args


def run(args: argparse.Namespace) -> Any:
    return VERBS[args.verb].call(args)
