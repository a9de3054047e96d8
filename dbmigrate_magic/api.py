"""The verbs, one function each, and the only place they are declared.

The ``dbm`` CLI and the ``%dbm`` magic generate their parsers from these signatures
(``arguments.py``): a positional parameter is a positional argument, a keyword-only one an
``--option``, help and spelling come from the ``Arg`` in its annotation, and the first docstring
line is the verb's summary. Argument checks live here or in the implementation, so Python, the
CLI and the magic accept and refuse the same things.

Implementations live in private modules (``dbmigrate_magic._verbs``), imported when a verb is
first called, so ``dbm status`` does not pay for diff, backup or lint.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from .argspec import Arg
from .errors import UsageProblem

if TYPE_CHECKING:
    from ._verbs.backup import BackupResult, BackupsResult, RestoreResult
    from ._verbs.detect import DetectResult
    from ._verbs.diff import DiffResult
    from ._verbs.drift import DriftResult
    from ._verbs.environments import EnvResult
    from ._verbs.generate import DownResult, GenerateResult
    from ._verbs.lint import LintResult
    from ._verbs.lint_rules import RulesResult
    from ._verbs.migrate import NewResult
    from ._verbs.preview import ChangeResult
    from ._verbs.scratch import ScratchResult
    from ._verbs.status import StatusResult
    from .change import Preview


#: each result class, by the module that defines it (imported on first access)
_RESULT_MODULES = {
    "BackupResult": "._verbs.backup",
    "BackupsResult": "._verbs.backup",
    "RestoreResult": "._verbs.backup",
    "DetectResult": "._verbs.detect",
    "DiffResult": "._verbs.diff",
    "DriftResult": "._verbs.drift",
    "EnvResult": "._verbs.environments",
    "DownResult": "._verbs.generate",
    "GenerateResult": "._verbs.generate",
    "LintResult": "._verbs.lint",
    "RulesResult": "._verbs.lint_rules",
    "NewResult": "._verbs.migrate",
    "ChangeResult": "._verbs.preview",
    "Preview": ".change",
    "ScratchResult": "._verbs.scratch",
    "StatusResult": "._verbs.status",
}


def __getattr__(name: str) -> type:
    """Result classes, imported on first access (``api.StatusResult``)."""
    module_name = _RESULT_MODULES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module_name, __package__), name)
    globals()[name] = value
    return value


# --- parameters several verbs share -------------------------------------------------------------
PathLike = str | Path | None
_FOLDER = "project folder (default: here, walking up to the repository root)"
#: the project, as ``--project`` (positional parameters too: ``new NAME --project P``)
Project = Annotated[PathLike, Arg(help=_FOLDER, flag="--project")]
#: the project, as a positional ``PATH`` or ``--project``
Where = Annotated[PathLike, Arg(help=_FOLDER, flag="--project", also_positional=True)]
Env = Annotated[str | None, Arg(help="environment name (see `env`) or a database URL")]
DryRun = Annotated[bool, Arg(help="show the preview and exit; nothing runs")]
Yes = Annotated[bool, Arg(help="confirm (non-production environments)", group="confirmation")]
Confirm = Annotated[
    str | None,
    Arg(
        help="confirm by typing the target environment's name back (required in production)",
        metavar="ENVNAME",
        group="confirmation",
    ),
]
NoBackup = Annotated[
    bool, Arg(help="in production, skip the automatic backup before running (the decline is recorded)")
]
App = Annotated[
    str | None,
    Arg(help="where a new migration goes when the project has several migration folders (a Django app label)"),
]
DIALECTS = ("postgresql", "mysql", "sqlite")
BackupDir = Annotated[
    PathLike, Arg(help="backup folder (default: $DBM_BACKUP_DIR or <project>/.dbm/backups)", flag="--dir")
]
Unsafe = Annotated[bool, Arg(help="include destructive statements (drops, narrowing)")]


def _at_most_one(**given: object) -> None:
    """Refuse two options that exclude each other (the CLI's parser refuses them first)."""
    named = [name for name, value in given.items() if value not in (None, False)]
    if len(named) > 1:
        raise UsageProblem(f"{' and '.join(named)} exclude each other.", next_step=f"Give one of {', '.join(given)}.")


# --- reading --------------------------------------------------------------------------------------
def detect(path: Where = None, *, env: Env = None) -> DetectResult:
    """Which migration tool the project uses, and its connection (masked)."""
    from ._verbs.detect import detect as _detect

    return _detect(path, env)


def env(
    name: Annotated[str | None, Arg(help="make this environment the active one")] = None,
    *,
    project: Project = None,
    persist: Annotated[bool, Arg(front_end={"cli": True, "magic": False})] = False,
) -> EnvResult:
    """Environments and connections found (masked); choose the active one.

    With ``name``, later verbs in this process use it; ``persist=True`` (the CLI) remembers it
    for later commands too, a notebook keeps it to its own process.
    """
    from ._verbs.environments import env as _env

    return _env(name, project, persist)


def status(path: Where = None, *, env: Env = None) -> StatusResult:
    """Migration history: applied, pending, failed, modified, missing."""
    from ._verbs.status import status as _status

    return _status(path, env)


def _rule_ids(values: str | Sequence[str]) -> list[str]:
    """Rule ids from repeated and/or comma-separated values."""
    values = [values] if isinstance(values, str) else values
    return [r.strip() for v in values or () for r in v.split(",") if r.strip()]


def lint(
    files: Annotated[
        Sequence[str], Arg(help="SQL files to lint (in a notebook, %%dbm lint lints the cell)", metavar="FILE")
    ] = (),
    *,
    sql: Annotated[str | None, Arg(cell=True)] = None,
    pending: Annotated[bool, Arg(help="lint the SQL of the project's pending migrations")] = False,
    dialect: Annotated[
        str | None,
        Arg(help="SQL dialect (default: the active environment's, else postgresql)", choices=DIALECTS),
    ] = None,
    pg_version: Annotated[
        str | int | None, Arg(help="PostgreSQL major version the migration targets (default 14)")
    ] = None,
    in_transaction: Annotated[
        bool, Arg(help="the migration tool wraps each file in a transaction", flag="--assume-in-transaction")
    ] = False,
    include: Annotated[Sequence[str], Arg(help="only these rules (repeat or comma-separate)", metavar="RULE")] = (),
    exclude: Annotated[Sequence[str], Arg(help="skip these rules (repeat or comma-separate)", metavar="RULE")] = (),
    project: Project = None,
    env: Env = None,
    session_timeouts: Annotated[
        bool, Arg(help="the runner sets lock_timeout/statement_timeout itself (silences require-*-timeout)")
    ] = False,
    rules: Annotated[bool, Arg(help="list the rules and exit")] = False,
    include_down: Annotated[
        bool, Arg(help="also lint a migration file's down part (by default only what `migrate` runs is linted)")
    ] = False,
) -> LintResult | RulesResult:
    """Dangerous operations in migration SQL, with why and the safe alternative.

    Lints SQL files, a SQL string (``sql``, the ``%%dbm lint`` cell) or the pending migrations;
    ``rules=True`` lists the rules instead.
    """
    if rules:
        from ._verbs.lint_rules import rules as _rules

        return _rules()
    from ._verbs.lint import lint as _lint

    return _lint(
        files,
        sql=sql,
        pending=pending,
        dialect=dialect,
        pg_version=pg_version,
        in_transaction=in_transaction,
        include=_rule_ids(include),
        exclude=_rule_ids(exclude),
        project=project,
        env=env,
        session_timeouts=session_timeouts,
        include_down=include_down,
    )


# --- changing -------------------------------------------------------------------------------------
def migrate(
    path: Where = None,
    *,
    env: Env = None,
    to: Annotated[str | None, Arg(help="apply pending migrations up to and including TARGET", metavar="TARGET")] = None,
    sql: Annotated[str | None, Arg(cell=True)] = None,
    name: Annotated[str | None, Arg(help="name of the migration written from the cell (%%dbm migrate)")] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
    allow_modified: Annotated[
        bool,
        Arg(
            help="run even though an applied migration's file changed since it was applied",
            flag="--allow-modified-applied",
        ),
    ] = False,
    app: App = None,
    no_backup: NoBackup = False,
) -> ChangeResult:
    """Preview and apply pending migrations (cell form: the cell's SQL becomes a new migration).

    With ``sql`` (a ``%%dbm migrate`` cell, ``-- UP``/``-- DOWN`` sections), the SQL first becomes a new
    migration in the tool's own format, unless an earlier run already wrote the same one.
    Unconfirmed (``yes``, or ``confirm=<env name>`` in production), nothing runs: the result
    previews the plan and ``result.confirm(...)`` runs it.
    """
    _at_most_one(yes=yes, confirm=confirm)
    from ._verbs.migrate import migrate as _migrate

    return _migrate(
        path,
        env=env,
        to=to,
        sql=sql,
        name=name,
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        allow_modified=allow_modified,
        app=app,
        no_backup=no_backup,
    )


def new(
    name: Annotated[str, Arg(help="the migration's name, e.g. add_orders_total")],
    path: Project = None,
    *,
    up_sql: Annotated[str, Arg(python_only=True)] = "",
    down_sql: Annotated[str | None, Arg(python_only=True)] = None,
    app: App = None,
) -> NewResult:
    """Write an empty migration in the project's tool format.

    ``up_sql``/``down_sql`` (Python only) fill it; ``app``: which Django app, when there are several.
    """
    from ._verbs.migrate import new as _new

    return _new(name, path, up_sql, down_sql, app)


def rollback(
    path: Where = None,
    *,
    env: Env = None,
    steps: Annotated[
        int | None,
        Arg(
            help="revert the last N migrations (default: one migration; Knex: its last batch)",
            metavar="N",
            group="how far",
        ),
    ] = None,
    to: Annotated[
        str | None,
        Arg(help="revert every migration after TARGET (TARGET stays applied)", metavar="TARGET", group="how far"),
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
    no_backup: NoBackup = False,
) -> ChangeResult:
    """Preview and revert the last migration, N steps, or back to a target (Knex: the last batch)."""
    _at_most_one(steps=steps, to=to)
    _at_most_one(yes=yes, confirm=confirm)
    from ._verbs.migrate import rollback as _rollback

    return _rollback(path, env=env, steps=steps, to=to, dry_run=dry_run, yes=yes, confirm=confirm, no_backup=no_backup)


def resolve(
    name: Annotated[str, Arg(help="the migration to mark (see `status`)")],
    state: Annotated[
        str,
        Arg(
            consts=(
                ("--applied", "applied", "record it as applied without running it (you completed it by hand)"),
                (
                    "--rolled-back",
                    "rolled_back",
                    "record it as rolled back / not applied (it did not take effect, or you reverted it)",
                ),
            )
        ),
    ],
    path: Project = None,
    *,
    env: Env = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
) -> ChangeResult:
    """Mark a failed migration applied or rolled back (no SQL runs).

    ``state`` is ``applied`` or ``rolled_back``; only the tracking table changes.
    """
    _at_most_one(yes=yes, confirm=confirm)
    from ._verbs.resolve_baseline import resolve as _resolve

    return _resolve(name, state, path, env=env, dry_run=dry_run, yes=yes, confirm=confirm)


def baseline(
    path: Where = None,
    *,
    env: Env = None,
    to: Annotated[
        str | None, Arg(help="record migrations up to and including TARGET (default: all)", metavar="TARGET")
    ] = None,
    dry_run: DryRun = False,
    yes: Yes = False,
    confirm: Confirm = None,
) -> ChangeResult:
    """Adopt an existing database: record migrations as applied without running them."""
    _at_most_one(yes=yes, confirm=confirm)
    from ._verbs.resolve_baseline import baseline as _baseline

    return _baseline(path, env=env, to=to, dry_run=dry_run, yes=yes, confirm=confirm)


# --- schemas --------------------------------------------------------------------------------------
_SIDE = "environment, URL, schema .sql file, or 'migrations'"


def diff(
    source: Annotated[str | None, Arg(help=_SIDE, flag="--from", also_positional=True, metavar="SOURCE")] = None,
    target: Annotated[str | None, Arg(help=_SIDE, flag="--to", also_positional=True, metavar="TARGET")] = None,
    *,
    project: Project = None,
    unsafe: Unsafe = False,
    schemas: Annotated[Sequence[str], Arg(help="only this schema (repeatable)", flag="--schema", metavar="S")] = (),
    exclude_schemas: Annotated[
        Sequence[str], Arg(help="leave this schema out (repeatable)", flag="--exclude-schema", metavar="S")
    ] = (),
    privileges: Annotated[bool, Arg(help="include GRANT/REVOKE on tables and views", flag="--with-privileges")] = False,
    extensions_only: Annotated[bool, Arg(help="only extensions")] = False,
    ignore_extension_versions: Annotated[bool, Arg(help="extensions differing only in version are equal")] = False,
    dialect: Annotated[
        str | None,
        Arg(help="database kind for schema files when neither side is a database", choices=DIALECTS),
    ] = None,
) -> DiffResult:
    """Schema diff between environments, URLs, schema files or the migrations."""
    if not source or not target:
        raise UsageProblem(
            "diff needs a SOURCE and a TARGET.",
            next_step="`dbm diff SOURCE TARGET` or `dbm diff --from SOURCE --to TARGET`.",
        )
    from ._verbs.diff import diff as _diff

    return _diff(
        source,
        target,
        project=project,
        unsafe=unsafe,
        schemas=tuple(schemas),
        exclude_schemas=tuple(exclude_schemas),
        privileges=privileges,
        extensions_only=extensions_only,
        ignore_extension_versions=ignore_extension_versions,
        dialect=dialect,
    )


def drift(path: Where = None, *, env: Env = None) -> DriftResult:
    """The live database against what its migrations produce on a scratch database."""
    from ._verbs.drift import drift as _drift

    return _drift(path, env)


def generate(
    name: Annotated[str | None, Arg(help="name of the new migration", flag="--name")] = None,
    from_schema: Annotated[
        str | None, Arg(help="the desired schema", flag="--from-schema", metavar="FILE|ENV|URL")
    ] = None,
    *,
    down_for: Annotated[
        str | None,
        Arg(
            help="instead: compute a down migration for MIGRATION by replay and diff (shown for review)",
            metavar="MIGRATION",
        ),
    ] = None,
    write: Annotated[bool, Arg(help="with --down-for: store it where `dbm rollback` reads it")] = False,
    force: Annotated[bool, Arg(help="with --down-for --write: replace a stored down part")] = False,
    unsafe: Annotated[bool, Arg(help="include destructive statements in the up part")] = False,
    dry_run: Annotated[bool, Arg(help="show the migration without writing it")] = False,
    autogenerate: Annotated[
        bool, Arg(help="let the tool write it from its models (Alembic autogenerate, Django makemigrations)")
    ] = False,
    app: App = None,
    project: Project = None,
    env: Env = None,
) -> GenerateResult | DownResult:
    """A new migration from a desired schema (up and down by diff).

    up = diff(current -> desired), down = diff(desired -> current); with ``autogenerate``, written by
    the tool from its models (Alembic autogenerate, Django makemigrations); with ``down_for``, a
    computed down migration for an existing one, for review (``write`` stores it where ``rollback``
    reads it, ``force`` replaces a stored one).
    """
    if down_for:
        from ._verbs.generate import down_for as _down_for

        return _down_for(down_for, project=project, env=env, write=write, force=force)
    if write or force:
        raise UsageProblem(
            "--write and --force go with --down-for MIGRATION.",
            next_step="e.g. `dbm generate --down-for MIGRATION --write`.",
        )
    if autogenerate and (from_schema or dry_run or unsafe):
        raise UsageProblem(
            "--autogenerate lets the tool compare its models with the database: it takes no "
            "--from-schema, --dry-run or --unsafe.",
            next_step="Drop those flags, or drop --autogenerate.",
        )
    if name and autogenerate:
        from ._verbs.generate import autogenerate as _autogenerate

        return _autogenerate(name, project=project, env=env, app=app)
    if name and from_schema:
        from ._verbs.generate import generate as _generate

        return _generate(name, from_schema, project=project, env=env, unsafe=unsafe, dry_run=dry_run)
    raise UsageProblem(
        "generate needs --name NAME and --from-schema FILE|ENV|URL or --autogenerate (or --down-for MIGRATION).",
        next_step="e.g. `dbm generate --name add_users --from-schema schema.sql`.",
    )


def down_for(
    migration: str, *, project: PathLike = None, env: str | None = None, write: bool = False, force: bool = False
) -> DownResult:
    """A computed down migration for ``migration`` (replay + diff), for review; ``write`` stores it
    where ``rollback`` reads it (``force``: replacing a stored one). ``dbm generate --down-for``."""
    from ._verbs.generate import down_for as _down_for

    return _down_for(migration, project=project, env=env, write=write, force=force)


def scratch(
    *,
    env: Env = None,
    project: Project = None,
    clean: Annotated[bool, Arg(help="drop scratch databases left by processes that are gone")] = False,
    everything: Annotated[bool, Arg(help="with --clean: drop every dbm_scratch_* database", flag="--all")] = False,
) -> ScratchResult:
    """List scratch databases (dbm_scratch_*); clean drops stale ones (left by processes that are gone)."""
    from ._verbs.scratch import scratch as _scratch

    return _scratch(project=project, env=env, clean=clean, everything=everything)


# --- backups --------------------------------------------------------------------------------------
def backup(
    path: Project = None,
    *,
    env: Env = None,
    schema_only: Annotated[bool, Arg(help="schema without data")] = False,
    tables: Annotated[
        str | Sequence[str] | None, Arg(help="only these tables (comma-separated)", metavar="T,...")
    ] = None,
    backup_dir: BackupDir = None,
) -> BackupResult:
    """Back up a database (pg_dump, mysqldump, SQLite backup API) with a manifest.

    ``tables``: a comma-separated string or a list of names.
    """
    from ._verbs.backup import backup as _backup

    return _backup(path, env, schema_only=schema_only, tables=tables, folder=backup_dir)


def backups(
    path: Project = None,
    *,
    backup_dir: BackupDir = None,
    limit: Annotated[int | None, Arg(help="only the N newest", metavar="N")] = None,
) -> BackupsResult:
    """List backups in the backup folder, newest first."""
    from ._verbs.backup import backups as _backups

    return _backups(path, folder=backup_dir, limit=limit)


def restore(
    backup: Annotated[str, Arg(help="backup name (see `backups`), its file, or `latest`")],
    path: Project = None,
    *,
    env: Annotated[
        str | None, Arg(help="with --verify: the source to compare with; otherwise the default target")
    ] = None,
    into: Annotated[
        str | None, Arg(help="restore into this environment or URL (overwrites it)", metavar="ENV|URL")
    ] = None,
    verify: Annotated[
        bool, Arg(help="restore into a scratch database, compare schema and rows with --env, drop it")
    ] = False,
    yes: Annotated[bool, Arg(help="confirm overwriting the target (not enough in production)")] = False,
    confirm: Annotated[
        str | None, Arg(help="type the target environment's name (needed in production)", metavar="ENV")
    ] = None,
    no_backup: Annotated[
        bool, Arg(help="in production, do not back up the target before overwriting it (recorded)")
    ] = False,
    backup_dir: BackupDir = None,
) -> RestoreResult:
    """Restore a backup into a target, or verify it in a scratch database."""
    from ._verbs.backup import restore as _restore

    return _restore(
        backup, path, env, into=into, verify=verify, yes=yes, confirm=confirm, no_backup=no_backup, folder=backup_dir
    )


#: the verbs of ``dbm`` and ``%dbm``, in the order their help lists them
VERBS = (
    detect,
    env,
    status,
    lint,
    migrate,
    new,
    rollback,
    resolve,
    baseline,
    diff,
    drift,
    generate,
    scratch,
    backup,
    backups,
    restore,
)

__all__ = [
    *(v.__name__ for v in VERBS),
    "down_for",
    "BackupResult",
    "BackupsResult",
    "RestoreResult",
    "DetectResult",
    "DiffResult",
    "DriftResult",
    "EnvResult",
    "DownResult",
    "GenerateResult",
    "LintResult",
    "RulesResult",
    "NewResult",
    "ChangeResult",
    "Preview",
    "ScratchResult",
    "StatusResult",
]
