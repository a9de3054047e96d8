"""The verbs' arguments, declared once and shared by the ``dbm`` CLI and the ``%dbm`` magic.

Each verb is a ``Verb``: how to declare its arguments, and how to call ``api`` with them.
Front ends only parse and display; everything else happens in ``api``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

    # the CLI remembers the choice for later commands; a notebook keeps it to its own process
    return api.env(args.name, project=args.project, persist=getattr(args, "front_end", "cli") != "magic")


# --- status ------------------------------------------------------------------------------
def _declare_status(p):
    _project(p, positional=True)
    _env(p)
    _output(p)
    p.add_argument(
        "--exit-code", action="store_true", help="exit 1 when anything is pending, failed, modified or missing (for CI)"
    )


def _call_status(args):
    from . import api

    return api.status(_where(args), env=args.env)


# --- lint --------------------------------------------------------------------------------
def _declare_lint(p):
    p.add_argument("files", nargs="*", help="SQL files to lint (in a notebook, %%%%dbm lint lints the cell)")
    p.add_argument("--pending", action="store_true", help="lint the SQL of the project's pending migrations")
    p.add_argument(
        "--dialect",
        choices=("postgresql", "mysql", "sqlite"),
        help="SQL dialect (default: the active environment's, else postgresql)",
    )
    p.add_argument("--pg-version", help="PostgreSQL major version the migration targets (default 14)")
    p.add_argument(
        "--assume-in-transaction", action="store_true", help="the migration tool wraps each file in a transaction"
    )
    p.add_argument(
        "--session-timeouts",
        action="store_true",
        help="the runner sets lock_timeout/statement_timeout itself (silences require-*-timeout)",
    )
    p.add_argument(
        "--include", action="append", default=[], metavar="RULE", help="only these rules (repeat or comma-separate)"
    )
    p.add_argument(
        "--exclude", action="append", default=[], metavar="RULE", help="skip these rules (repeat or comma-separate)"
    )
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

    return lint(
        args.files,
        sql=getattr(args, "sql", None),
        pending=args.pending,
        dialect=args.dialect,
        pg_version=args.pg_version,
        in_transaction=args.assume_in_transaction,
        include=_split_rules(args.include),
        exclude=_split_rules(args.exclude),
        project=args.project,
        env=args.env,
        session_timeouts=args.session_timeouts,
    )


# --- changing verbs: migrate, new, rollback, resolve, baseline ------------------------------
def _confirmation(p):
    p.add_argument("--dry-run", action="store_true", help="show the preview and exit; nothing runs")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--yes", action="store_true", help="confirm (non-production environments)")
    group.add_argument(
        "--confirm",
        metavar="ENVNAME",
        help="confirm by typing the target environment's name back (required in production)",
    )


def _app(p):
    p.add_argument(
        "--app", help="where a new migration goes when the project has several migration folders (a Django app label)"
    )


def _no_backup(p):
    p.add_argument(
        "--no-backup",
        action="store_true",
        help="in production, skip the automatic backup before running (the decline is recorded)",
    )


def _declare_migrate(p):
    _project(p, positional=True)
    _env(p)
    p.add_argument("--to", metavar="TARGET", help="apply pending migrations up to and including TARGET")
    p.add_argument("--name", help="name of the migration written from the cell (%%%%dbm migrate)")
    _app(p)
    p.add_argument(
        "--allow-modified-applied",
        dest="allow_modified",
        action="store_true",
        help="run even though an applied migration's file changed since it was applied",
    )
    _confirmation(p)
    _no_backup(p)
    _output(p)


def _call_migrate(args):
    from . import api

    return api.migrate(
        _where(args),
        env=args.env,
        to=args.to,
        sql=getattr(args, "sql", None),
        name=args.name,
        app=args.app,
        dry_run=args.dry_run,
        yes=args.yes,
        confirm=args.confirm,
        allow_modified=args.allow_modified,
        no_backup=args.no_backup,
    )


def _declare_new(p):
    p.add_argument("name", help="the migration's name, e.g. add_orders_total")
    _project(p)
    _app(p)
    _output(p, table=False)


def _call_new(args):
    from . import api

    return api.new(args.name, args.project, app=args.app)


def _declare_rollback(p):
    _project(p, positional=True)
    _env(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--steps",
        type=int,
        metavar="N",
        help="revert the last N migrations (default: one migration; Knex: its last batch)",
    )
    group.add_argument("--to", metavar="TARGET", help="revert every migration after TARGET (TARGET stays applied)")
    _confirmation(p)
    _no_backup(p)
    _output(p)


def _call_rollback(args):
    from . import api

    return api.rollback(
        _where(args),
        env=args.env,
        steps=args.steps,
        to=args.to,
        dry_run=args.dry_run,
        yes=args.yes,
        confirm=args.confirm,
        no_backup=args.no_backup,
    )


def _declare_resolve(p):
    p.add_argument("name", help="the migration to mark (see `status`)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--applied",
        dest="state",
        action="store_const",
        const="applied",
        help="record it as applied without running it (you completed it by hand)",
    )
    group.add_argument(
        "--rolled-back",
        dest="state",
        action="store_const",
        const="rolled_back",
        help="record it as rolled back / not applied (it did not take effect, or you reverted it)",
    )
    _project(p)
    _env(p)
    _confirmation(p)
    _output(p)


def _call_resolve(args):
    from . import api

    return api.resolve(
        args.name, args.state, args.project, env=args.env, dry_run=args.dry_run, yes=args.yes, confirm=args.confirm
    )


def _declare_baseline(p):
    _project(p, positional=True)
    _env(p)
    p.add_argument("--to", metavar="TARGET", help="record migrations up to and including TARGET (default: all)")
    _confirmation(p)
    _output(p)


def _call_baseline(args):
    from . import api

    return api.baseline(
        _where(args), env=args.env, to=args.to, dry_run=args.dry_run, yes=args.yes, confirm=args.confirm
    )


# --- diff / drift / generate / scratch ---------------------------------------------------
def _declare_diff(p):
    p.add_argument("source", nargs="?", help="environment, URL, schema .sql file, or 'migrations'")
    p.add_argument("target", nargs="?", help="environment, URL, schema .sql file, or 'migrations'")
    p.add_argument("--from", dest="from_", metavar="SOURCE", help="same as the first positional")
    p.add_argument("--to", metavar="TARGET", help="same as the second positional")
    _project(p)
    p.add_argument("--sql", action="store_true", help="print only the SQL on stdout (messages go to stderr)")
    p.add_argument("--unsafe", action="store_true", help="include destructive statements (drops, narrowing)")
    p.add_argument("--schema", action="append", default=[], metavar="S", help="only this schema (repeatable)")
    p.add_argument("--exclude-schema", action="append", default=[], metavar="S", help="leave this schema out")
    p.add_argument("--with-privileges", action="store_true", help="include GRANT/REVOKE on tables and views")
    p.add_argument("--extensions-only", action="store_true", help="only extensions")
    p.add_argument(
        "--ignore-extension-versions", action="store_true", help="extensions differing only in version are equal"
    )
    p.add_argument(
        "--dialect",
        choices=("postgresql", "mysql", "sqlite"),
        help="database kind for schema files when neither side is a database",
    )
    p.add_argument("--exit-code", action="store_true", help="exit 1 when there are differences")
    _output(p)


def _call_diff(args):
    from . import api
    from .errors import UsageProblem

    given = [x for x in (args.from_, args.to, args.source, args.target) if x is not None]
    if len(given) > 2:  # e.g. `--from A --to B C`: one of them would be silently ignored
        raise UsageProblem(
            f"diff compares two sides, but {len(given)} were given ({', '.join(map(str, given))}).",
            next_step="`dbm diff SOURCE TARGET` or `dbm diff --from SOURCE --to TARGET`.",
        )
    source = args.from_ or args.source
    target = args.to or (args.target if args.from_ is None else args.source)
    if not source or not target:
        raise UsageProblem(
            "diff needs a SOURCE and a TARGET.",
            next_step="`dbm diff SOURCE TARGET` or `dbm diff --from SOURCE --to TARGET`.",
        )
    return api.diff(
        source,
        target,
        project=args.project,
        unsafe=args.unsafe,
        schemas=tuple(args.schema),
        exclude_schemas=tuple(args.exclude_schema),
        privileges=args.with_privileges,
        extensions_only=args.extensions_only,
        ignore_extension_versions=args.ignore_extension_versions,
        dialect=args.dialect,
    )


def _declare_drift(p):
    _project(p, positional=True)
    _env(p)
    p.add_argument("--sql", action="store_true", help="print only the SQL that would record the drift")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when the database drifted")
    _output(p)


def _call_drift(args):
    from . import api

    return api.drift(_where(args), env=args.env)


def _declare_generate(p):
    p.add_argument("--name", help="name of the new migration")
    p.add_argument("--from-schema", metavar="FILE|ENV|URL", help="the desired schema")
    p.add_argument(
        "--down-for",
        metavar="MIGRATION",
        help="instead: compute a down migration for MIGRATION by replay and diff (shown for review)",
    )
    p.add_argument("--write", action="store_true", help="with --down-for: store it where `dbm rollback` reads it")
    p.add_argument("--force", action="store_true", help="with --down-for --write: replace a stored down part")
    p.add_argument("--unsafe", action="store_true", help="include destructive statements in the up part")
    p.add_argument("--dry-run", action="store_true", help="show the migration without writing it")
    p.add_argument(
        "--autogenerate",
        action="store_true",
        help="let the tool write it from its models (Alembic autogenerate, Django makemigrations)",
    )
    _app(p)
    _project(p)
    _env(p)
    _output(p, table=False)


def _call_generate(args):
    from . import api
    from .errors import UsageProblem

    if args.down_for:
        return api.down_for(args.down_for, project=args.project, env=args.env, write=args.write, force=args.force)
    if args.write or args.force:
        raise UsageProblem(
            "--write and --force go with --down-for MIGRATION.",
            next_step="e.g. `dbm generate --down-for MIGRATION --write`.",
        )
    if args.autogenerate and (args.from_schema or args.dry_run or args.unsafe):
        raise UsageProblem(
            "--autogenerate lets the tool compare its models with the database: it takes no "
            "--from-schema, --dry-run or --unsafe.",
            next_step="Drop those flags, or drop --autogenerate.",
        )
    if not args.name or not (args.from_schema or args.autogenerate):
        raise UsageProblem(
            "generate needs --name NAME and --from-schema FILE|ENV|URL or --autogenerate (or --down-for MIGRATION).",
            next_step="e.g. `dbm generate --name add_users --from-schema schema.sql`.",
        )
    return api.generate(
        args.name,
        args.from_schema,
        project=args.project,
        env=args.env,
        unsafe=args.unsafe,
        dry_run=args.dry_run,
        autogenerate=args.autogenerate,
        app=args.app,
    )


def _declare_scratch(p):
    _env(p)
    _project(p)
    p.add_argument("--clean", action="store_true", help="drop scratch databases left by processes that are gone")
    p.add_argument("--all", action="store_true", help="with --clean: drop every dbm_scratch_* database")
    _output(p)


def _call_scratch(args):
    from . import api

    return api.scratch(project=args.project, env=args.env, clean=args.clean, everything=args.all)


# --- backup / backups / restore -----------------------------------------------------------
def _backup_dir(p):
    p.add_argument(
        "--dir", dest="backup_dir", help="backup folder (default: $DBM_BACKUP_DIR or <project>/.dbm/backups)"
    )


def _declare_backup(p):
    _project(p)
    _env(p)
    p.add_argument("--schema-only", action="store_true", help="schema without data")
    p.add_argument("--tables", metavar="T,...", help="only these tables (comma-separated)")
    _backup_dir(p)
    _output(p)


def _call_backup(args):
    from . import api

    return api.backup(
        args.project, env=args.env, schema_only=args.schema_only, tables=args.tables, backup_dir=args.backup_dir
    )


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
    p.add_argument(
        "--verify",
        action="store_true",
        help="restore into a scratch database, compare schema and rows with --env, drop it",
    )
    p.add_argument("--yes", action="store_true", help="confirm overwriting the target (not enough in production)")
    p.add_argument("--confirm", metavar="ENV", help="type the target environment's name (needed in production)")
    p.add_argument(
        "--no-backup",
        action="store_true",
        help="in production, do not back up the target before overwriting it (recorded)",
    )
    _backup_dir(p)
    _output(p)


def _call_restore(args):
    from . import api

    return api.restore(
        args.backup,
        args.project,
        env=args.env,
        into=args.into,
        verify=args.verify,
        yes=args.yes,
        confirm=args.confirm,
        no_backup=args.no_backup,
        backup_dir=args.backup_dir,
    )


VERBS: dict[str, Verb] = {
    v.name: v
    for v in (
        Verb("detect", "which migration tool the project uses, and its connection", _declare_detect, _call_detect),
        Verb("env", "environments and connections found (masked); choose the active one", _declare_env, _call_env),
        Verb("status", "migration history: applied, pending, failed, modified, missing", _declare_status, _call_status),
        Verb(
            "lint",
            "dangerous operations in migration SQL, with why and the safe alternative",
            _declare_lint,
            _call_lint,
            cell_argument="sql",
        ),
        Verb(
            "migrate",
            "preview and apply pending migrations (cell form: the cell's SQL becomes a new migration)",
            _declare_migrate,
            _call_migrate,
            cell_argument="sql",
        ),
        Verb("new", "write an empty migration in the project's tool format", _declare_new, _call_new),
        Verb(
            "rollback",
            "preview and revert the last migration, N steps, or back to a target",
            _declare_rollback,
            _call_rollback,
        ),
        Verb(
            "resolve", "mark a failed migration applied or rolled back (no SQL runs)", _declare_resolve, _call_resolve
        ),
        Verb(
            "baseline",
            "adopt an existing database: record migrations as applied without running them",
            _declare_baseline,
            _call_baseline,
        ),
        Verb(
            "diff", "schema diff between environments, URLs, schema files or the migrations", _declare_diff, _call_diff
        ),
        Verb("drift", "the live database against what its migrations produce", _declare_drift, _call_drift),
        Verb(
            "generate", "a new migration from a desired schema (up and down by diff)", _declare_generate, _call_generate
        ),
        Verb(
            "scratch",
            "list scratch databases (dbm_scratch_*); --clean drops stale ones",
            _declare_scratch,
            _call_scratch,
        ),
        Verb(
            "backup",
            "back up a database (pg_dump, mysqldump, SQLite backup API) with a manifest",
            _declare_backup,
            _call_backup,
        ),
        Verb("backups", "list backups in the backup folder", _declare_backups, _call_backups),
        Verb(
            "restore",
            "restore a backup into a target, or --verify it in a scratch database",
            _declare_restore,
            _call_restore,
        ),
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


def build_parser(prog: str = "dbm", only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every verb, or (``only``) for one: declaring ~20 verbs costs more than parsing."""
    parser = _Parser(
        prog=prog,
        description="Database migrations from notebooks and the shell.",
        usage=usage_line(prog).replace("%", "%%"),
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    subs = parser.add_subparsers(dest="verb", metavar="VERB", parser_class=_Parser)
    for verb in VERBS.values():
        if only is not None and verb.name != only:
            continue
        sub = subs.add_parser(verb.name, help=verb.help, description=verb.help, prog=f"{prog} {verb.name}")
        verb.declare(sub)
    return parser


def parse(argv: list[str], prog: str = "dbm") -> argparse.Namespace:
    """Parse a command line; unknown verbs and bad flags raise ``ArgumentError``."""
    parser = build_parser(prog, only=argv[0] if argv and argv[0] in VERBS else None)
    if argv and not argv[0].startswith("-") and argv[0] not in VERBS:
        raise ArgumentError(f"unknown verb '{argv[0]}'", usage_line(prog))
    args = parser.parse_args(argv)
    if args.verb is None and not args.version:
        raise ArgumentError("a verb is required", usage_line(prog))
    return args


def run(args: argparse.Namespace) -> Any:
    return VERBS[args.verb].call(args)
