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


# --- backup / backups / restore -----------------------------------------------------------
def _backup_dir(p):
    p.add_argument("--dir", dest="backup_dir", help="backup folder (default: $DBM_BACKUP_DIR or <project>/.dbm/backups)")


def _declare_backup(p):
    _project(p)
    _env(p)
    p.add_argument("--schema-only", action="store_true", help="schema without data")
    p.add_argument("--tables", metavar="T,...", help="only these tables (comma-separated)")
    _backup_dir(p)
    _output(p)


def _call_backup(args):
    from . import api

    return api.backup(args.project, env=args.env, schema_only=args.schema_only, tables=args.tables,
                      backup_dir=args.backup_dir)


def _declare_backups(p):
    _project(p)
    _backup_dir(p)
    _output(p)


def _call_backups(args):
    from . import api

    return api.backups(args.project, backup_dir=args.backup_dir)


def _declare_restore(p):
    p.add_argument("backup", help="backup name (see `backups`), its file, or `latest`")
    _project(p)
    p.add_argument("--env", help="with --verify: the source to compare with; otherwise the default target")
    p.add_argument("--into", metavar="ENV|URL", help="restore into this environment or URL (overwrites it)")
    p.add_argument("--verify", action="store_true",
                   help="restore into a scratch database, compare schema and rows with --env, drop it")
    p.add_argument("--yes", action="store_true", help="confirm overwriting the target (not enough in production)")
    p.add_argument("--confirm", metavar="ENV", help="type the target environment's name (needed in production)")
    p.add_argument("--no-backup", action="store_true",
                   help="in production, do not back up the target before overwriting it (recorded)")
    _backup_dir(p)
    _output(p)


def _call_restore(args):
    from . import api

    return api.restore(args.backup, args.project, env=args.env, into=args.into, verify=args.verify, yes=args.yes,
                       confirm=args.confirm, no_backup=args.no_backup, backup_dir=args.backup_dir)


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb("detect", "which migration tool the project uses, and its connection", _declare_detect, _call_detect),
        Verb("env", "environments and connections found (masked); choose the active one", _declare_env, _call_env),
        Verb("status", "migration history: applied, pending, failed, modified, missing", _declare_status,
             _call_status),
        Verb("backup", "back up a database (pg_dump, mysqldump, SQLite backup API) with a manifest",
             _declare_backup, _call_backup),
        Verb("backups", "list backups in the backup folder", _declare_backups, _call_backups),
        Verb("restore", "restore a backup into a target, or --verify it in a scratch database", _declare_restore,
             _call_restore),
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
