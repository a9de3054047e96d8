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


# --- changing verbs: migrate, new, rollback, resolve, baseline ------------------------------
def _confirmation(p):
    p.add_argument("--dry-run", action="store_true", help="show the preview and exit; nothing runs")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--yes", action="store_true", help="confirm (non-production environments)")
    group.add_argument("--confirm", metavar="ENVNAME",
                       help="confirm by typing the target environment's name back (required in production)")


def _declare_migrate(p):
    _project(p, positional=True)
    _env(p)
    p.add_argument("--to", metavar="TARGET", help="apply pending migrations up to and including TARGET")
    p.add_argument("--name", help="name of the migration written from the cell (%%%%dbm migrate)")
    p.add_argument("--allow-modified-applied", dest="allow_modified", action="store_true",
                   help="run even though an applied migration's file changed since it was applied")
    _confirmation(p)
    _output(p)


def _call_migrate(args):
    from . import api

    return api.migrate(_where(args), env=args.env, to=args.to, sql=getattr(args, "sql", None), name=args.name,
                       dry_run=args.dry_run, yes=args.yes, confirm=args.confirm, allow_modified=args.allow_modified)


def _declare_new(p):
    p.add_argument("name", help="the migration's name, e.g. add_orders_total")
    _project(p)
    _output(p, table=False)


def _call_new(args):
    from . import api

    return api.new(args.name, args.project)


def _declare_rollback(p):
    _project(p, positional=True)
    _env(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--steps", type=int, metavar="N", help="revert the last N migrations (default 1)")
    group.add_argument("--to", metavar="TARGET", help="revert every migration after TARGET (TARGET stays applied)")
    _confirmation(p)
    _output(p)


def _call_rollback(args):
    from . import api

    return api.rollback(_where(args), env=args.env, steps=args.steps, to=args.to, dry_run=args.dry_run,
                        yes=args.yes, confirm=args.confirm)


def _declare_resolve(p):
    p.add_argument("name", help="the migration to mark (see `status`)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--applied", dest="state", action="store_const", const="applied",
                       help="record it as applied without running it (you completed it by hand)")
    group.add_argument("--rolled-back", dest="state", action="store_const", const="rolled_back",
                       help="record it as rolled back / not applied (it did not take effect, or you reverted it)")
    _project(p)
    _env(p)
    _confirmation(p)
    _output(p)


def _call_resolve(args):
    from . import api

    return api.resolve(args.name, args.state, args.project, env=args.env, dry_run=args.dry_run, yes=args.yes,
                       confirm=args.confirm)


def _declare_baseline(p):
    _project(p, positional=True)
    _env(p)
    p.add_argument("--to", metavar="TARGET", help="record migrations up to and including TARGET (default: all)")
    _confirmation(p)
    _output(p)


def _call_baseline(args):
    from . import api

    return api.baseline(_where(args), env=args.env, to=args.to, dry_run=args.dry_run, yes=args.yes,
                        confirm=args.confirm)


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb("detect", "which migration tool the project uses, and its connection", _declare_detect, _call_detect),
        Verb("env", "environments and connections found (masked); choose the active one", _declare_env, _call_env),
        Verb("status", "migration history: applied, pending, failed, modified, missing", _declare_status,
             _call_status),
        Verb("migrate", "preview and apply pending migrations (cell form: the cell's SQL becomes a new migration)",
             _declare_migrate, _call_migrate, cell_argument="sql"),
        Verb("new", "write an empty migration in the project's tool format", _declare_new, _call_new),
        Verb("rollback", "preview and revert the last migration, N steps, or back to a target", _declare_rollback,
             _call_rollback),
        Verb("resolve", "mark a failed migration applied or rolled back (no SQL runs)", _declare_resolve,
             _call_resolve),
        Verb("baseline", "adopt an existing database: record migrations as applied without running them",
             _declare_baseline, _call_baseline),
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
