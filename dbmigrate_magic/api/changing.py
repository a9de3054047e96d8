"""The verbs that change a database or the migrations: migrate, new, rollback, resolve, baseline,
generate, scratch."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from ..argspec import Arg
from ..errors import UsageProblem
from ._params import (
    App,
    Canary,
    Confirm,
    DryRun,
    Env,
    Fleet,
    KeepGoing,
    NoBackup,
    Parallel,
    PathLike,
    Project,
    Where,
    Yes,
    _at_most_one,
    _fleet_only,
)

if TYPE_CHECKING:
    from .._verbs.fleet_result import FleetChangeResult
    from .._verbs.generate import DownResult, GenerateResult
    from .._verbs.migrate import NewResult
    from .._verbs.preview import ChangeResult
    from .._verbs.scratch import ScratchResult


def _no_fleet_with(**given: object) -> None:
    """Options that name one database (or write a file) mean nothing for a fleet."""
    named = [name for name, value in given.items() if value is not None]
    if named:
        flags = ", ".join("--" + n for n in named)
        raise UsageProblem(
            f"{flags} cannot be used with --fleet: the fleet file names the targets.",
            next_step="Write the migration first (`dbm new`), then `dbm migrate --fleet`.",
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
    fleet: Fleet = None,
    canary: Canary = None,
    parallel: Parallel = None,
    keep_going: KeepGoing = False,
) -> ChangeResult | FleetChangeResult:
    """Preview and apply pending migrations (cell form: the cell's SQL becomes a new migration).

    With ``sql`` (a ``%%dbm migrate`` cell, ``-- UP``/``-- DOWN`` sections), the SQL first becomes a new
    migration in the tool's own format, unless an earlier run already wrote the same one.
    Unconfirmed (``yes``, or ``confirm=<env name>`` in production), nothing runs: the result
    previews the plan and ``result.confirm(...)`` runs it.
    """
    _at_most_one(yes=yes, confirm=confirm)
    _fleet_only(fleet, canary=canary, parallel=parallel, keep_going=keep_going)
    if fleet is not None:
        _no_fleet_with(env=env, sql=sql, name=name, app=app)
        from .._verbs.fleet_change import fleet_change

        return fleet_change(
            "migrate", fleet, path, dry_run=dry_run, yes=yes, confirm=confirm, to=to, steps=None,
            allow_modified=allow_modified, no_backup=no_backup, canary=canary or 0, parallel=parallel or 1,
            keep_going=keep_going,
        )  # fmt: skip
    from .._verbs.migrate import migrate as _migrate

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
    from .._verbs.migrate import new as _new

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
    fleet: Fleet = None,
    canary: Canary = None,
    parallel: Parallel = None,
    keep_going: KeepGoing = False,
) -> ChangeResult | FleetChangeResult:
    """Preview and revert the last migration, N steps, or back to a target (Knex: the last batch)."""
    _at_most_one(steps=steps, to=to)
    _at_most_one(yes=yes, confirm=confirm)
    _fleet_only(fleet, canary=canary, parallel=parallel, keep_going=keep_going)
    if fleet is not None:
        _no_fleet_with(env=env)
        if steps is not None and steps < 1:
            raise UsageProblem("--steps must be 1 or more.", next_step="Pass --steps 1 to revert the last migration.")
        from .._verbs.fleet_change import fleet_change

        return fleet_change(
            "rollback", fleet, path, dry_run=dry_run, yes=yes, confirm=confirm, to=to, steps=steps,
            allow_modified=False, no_backup=no_backup, canary=canary or 0, parallel=parallel or 1,
            keep_going=keep_going,
        )  # fmt: skip
    from .._verbs.migrate import rollback as _rollback

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
    from .._verbs.resolve_baseline import resolve as _resolve

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
    from .._verbs.resolve_baseline import baseline as _baseline

    return _baseline(path, env=env, to=to, dry_run=dry_run, yes=yes, confirm=confirm)


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
        from .._verbs.generate import down_for as _down_for

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
        from .._verbs.generate import autogenerate as _autogenerate

        return _autogenerate(name, project=project, env=env, app=app)
    if name and from_schema:
        from .._verbs.generate import generate as _generate

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
    from .._verbs.generate import down_for as _down_for

    return _down_for(migration, project=project, env=env, write=write, force=force)


def scratch(
    *,
    env: Env = None,
    project: Project = None,
    clean: Annotated[bool, Arg(help="drop scratch databases left by processes that are gone")] = False,
    everything: Annotated[bool, Arg(help="with --clean: drop every dbm_scratch_* database", flag="--all")] = False,
) -> ScratchResult:
    """List scratch databases (dbm_scratch_*); clean drops stale ones (left by processes that are gone)."""
    from .._verbs.scratch import scratch as _scratch

    return _scratch(project=project, env=env, clean=clean, everything=everything)
