"""The verbs, one function each. The magic, the CLI and Python callers all come through here
and get the same result objects back.

Implementations live in private modules (``dbmigrate_magic._verbs``), imported when a verb is
first called, so ``dbm status`` does not pay for diff, backup or lint.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._verbs.backup import BackupResult, BackupsResult, RestoreResult
    from ._verbs.detect import DetectResult
    from ._verbs.diff import DiffResult
    from ._verbs.drift import DriftResult
    from ._verbs.environments import EnvResult
    from ._verbs.generate import DownResult, GenerateResult
    from ._verbs.lint import LintResult
    from ._verbs.migrate import NewResult
    from ._verbs.preview import ChangeResult
    from ._verbs.scratch import ScratchResult
    from ._verbs.status import StatusResult

#: result classes exported here, imported on first access
_RESULTS = {
    "BackupResult": "backup",
    "BackupsResult": "backup",
    "RestoreResult": "backup",
    "DetectResult": "detect",
    "DiffResult": "diff",
    "DriftResult": "drift",
    "EnvResult": "environments",
    "DownResult": "generate",
    "GenerateResult": "generate",
    "LintResult": "lint",
    "NewResult": "migrate",
    "ChangeResult": "preview",
    "Preview": "preview",
    "ScratchResult": "scratch",
    "StatusResult": "status",
}


def __getattr__(name: str):
    if name in _RESULTS:
        value = getattr(import_module(f"._verbs.{_RESULTS[name]}", __package__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _verb(module: str, name: str):
    """The implementation of a verb, imported when the verb is first called."""
    return getattr(import_module(f"._verbs.{module}", __package__), name)


PathLike = str | Path | None


def detect(path: PathLike = None, *, env: str | None = None) -> DetectResult:
    """Which migration tool the project at ``path`` uses, the evidence, and its connection (masked)."""
    return _verb("detect", "detect")(path, env)


def env(name: str | None = None, *, project: PathLike = None, persist: bool = False) -> EnvResult:
    """List environments and their (masked) connections; with ``name``, make it the active one for
    later verbs in this process (``persist=True``, as the CLI does: for later commands too)."""
    return _verb("environments", "env")(name, project, persist)


def status(path: PathLike = None, *, env: str | None = None) -> StatusResult:
    """Every migration on disk or in the tracking table, with its state."""
    return _verb("status", "status")(path, env)


def lint(
    files=None,
    *,
    sql: str | None = None,
    pending: bool = False,
    dialect: str | None = None,
    pg_version: str | int | None = None,
    in_transaction: bool = False,
    include=(),
    exclude=(),
    project: PathLike = None,
    env: str | None = None,
    session_timeouts: bool = False,
) -> LintResult:
    """Dangerous operations in SQL files, a SQL string, or the pending migrations, with the safe alternative."""
    return _verb("lint", "lint")(
        files,
        sql=sql,
        pending=pending,
        dialect=dialect,
        pg_version=pg_version,
        in_transaction=in_transaction,
        include=include,
        exclude=exclude,
        project=project,
        env=env,
        session_timeouts=session_timeouts,
    )


def migrate(
    path: PathLike = None,
    *,
    env: str | None = None,
    to: str | None = None,
    sql: str | None = None,
    name: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
    allow_modified: bool = False,
    app: str | None = None,
    no_backup: bool = False,
) -> ChangeResult:
    """Preview, then (confirmed by ``yes``, or ``confirm=<env name>`` in production) apply pending migrations.

    With ``sql`` (a ``%%dbm migrate`` cell, ``-- UP``/``-- DOWN`` sections), the SQL first becomes a new
    migration in the tool's own format, unless an earlier run already wrote the same one.
    Unconfirmed, nothing runs: the result previews the plan and ``result.confirm(...)`` runs it.
    """
    return _verb("migrate", "migrate")(
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
    name: str, path: PathLike = None, *, up_sql: str = "", down_sql: str | None = None, app: str | None = None
) -> NewResult:
    """Write a new (empty unless SQL is given) migration in the project's tool format (``app``: which
    Django app, when there are several)."""
    return _verb("migrate", "new")(name, path, up_sql, down_sql, app)


def rollback(
    path: PathLike = None,
    *,
    env: str | None = None,
    steps: int | None = None,
    to: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
    no_backup: bool = False,
) -> ChangeResult:
    """Preview, then (confirmed) revert the last migration (Knex: the last batch), ``steps`` of them, or
    back to ``to``."""
    return _verb("migrate", "rollback")(
        path, env=env, steps=steps, to=to, dry_run=dry_run, yes=yes, confirm=confirm, no_backup=no_backup
    )


def resolve(
    name: str,
    state: str,
    path: PathLike = None,
    *,
    env: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
) -> ChangeResult:
    """Mark a (failed) migration ``applied`` or ``rolled_back`` in the tracking table without running it."""
    return _verb("resolve_baseline", "resolve")(name, state, path, env=env, dry_run=dry_run, yes=yes, confirm=confirm)


def baseline(
    path: PathLike = None,
    *,
    env: str | None = None,
    to: str | None = None,
    dry_run: bool = False,
    yes: bool = False,
    confirm: str | None = None,
) -> ChangeResult:
    """Record migrations up to ``to`` (default: all) as applied on an existing database, running nothing."""
    return _verb("resolve_baseline", "baseline")(path, env=env, to=to, dry_run=dry_run, yes=yes, confirm=confirm)


def diff(
    source: str,
    target: str,
    *,
    project: PathLike = None,
    unsafe: bool = False,
    schemas: tuple[str, ...] = (),
    exclude_schemas: tuple[str, ...] = (),
    privileges: bool = False,
    extensions_only: bool = False,
    ignore_extension_versions: bool = False,
    dialect: str | None = None,
) -> DiffResult:
    """Schema diff from ``source`` to ``target`` (environment, URL, .sql file or "migrations")."""
    return _verb("diff", "diff")(
        source,
        target,
        project=project,
        unsafe=unsafe,
        schemas=schemas,
        exclude_schemas=exclude_schemas,
        privileges=privileges,
        extensions_only=extensions_only,
        ignore_extension_versions=ignore_extension_versions,
        dialect=dialect,
    )


def drift(path: PathLike = None, *, env: str | None = None) -> DriftResult:
    """The live database against what its migrations produce on a scratch database."""
    return _verb("drift", "drift")(path, env)


def generate(
    name: str,
    from_schema: str | None = None,
    *,
    project: PathLike = None,
    env: str | None = None,
    unsafe: bool = False,
    dry_run: bool = False,
    autogenerate: bool = False,
    app: str | None = None,
) -> GenerateResult:
    """A new migration: up = diff(current -> desired), down = diff(desired -> current); or, with
    ``autogenerate``, written by the tool from its models (Alembic autogenerate, Django makemigrations)."""
    if autogenerate:
        return _verb("generate", "autogenerate")(name, project=project, env=env, app=app)
    if not from_schema:
        from .errors import UsageProblem

        raise UsageProblem(
            "generate needs from_schema (a schema file, environment or URL) or autogenerate=True.",
            next_step="e.g. `dbm generate --name add_users --from-schema schema.sql`.",
        )
    return _verb("generate", "generate")(name, from_schema, project=project, env=env, unsafe=unsafe, dry_run=dry_run)


def down_for(
    migration: str, *, project: PathLike = None, env: str | None = None, write: bool = False, force: bool = False
) -> DownResult:
    """A computed down migration for ``migration`` (replay + diff), for review; ``write`` stores it
    where ``rollback`` reads it (``force``: replacing a stored one)."""
    return _verb("generate", "down_for")(migration, project=project, env=env, write=write, force=force)


def scratch(
    *, project: PathLike = None, env: str | None = None, clean: bool = False, everything: bool = False
) -> ScratchResult:
    """Scratch databases on the environment's server; ``clean`` drops stale ones."""
    return _verb("scratch", "scratch")(project=project, env=env, clean=clean, everything=everything)


def backup(
    path: PathLike = None,
    *,
    env: str | None = None,
    schema_only: bool = False,
    tables: str | list[str] | None = None,
    backup_dir: PathLike = None,
) -> BackupResult:
    """Back up the environment's database (pg_dump, mysqldump, SQLite backup API) with a manifest."""
    return _verb("backup", "backup")(path, env, schema_only=schema_only, tables=tables, folder=backup_dir)


def backups(path: PathLike = None, *, backup_dir: PathLike = None) -> BackupsResult:
    """The backups in the backup folder, newest first."""
    return _verb("backup", "backups")(path, folder=backup_dir)


def restore(
    backup: str,
    path: PathLike = None,
    *,
    env: str | None = None,
    into: str | None = None,
    verify: bool = False,
    yes: bool = False,
    confirm: str | None = None,
    no_backup: bool = False,
    backup_dir: PathLike = None,
) -> RestoreResult:
    """Restore a backup into ``into`` (default: the environment), or ``verify`` it in a scratch database."""
    return _verb("backup", "restore")(
        backup, path, env, into=into, verify=verify, yes=yes, confirm=confirm, no_backup=no_backup, folder=backup_dir
    )


__all__ = [
    "detect",
    "env",
    "status",
    "lint",
    "migrate",
    "new",
    "rollback",
    "resolve",
    "baseline",
    "diff",
    "drift",
    "generate",
    "down_for",
    "scratch",
    "backup",
    "backups",
    "restore",
    *_RESULTS,
]
