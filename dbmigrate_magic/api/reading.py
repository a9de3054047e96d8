"""The verbs that read: detect, env, status, lint, diff, drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

from ..argspec import Arg
from ..errors import UsageProblem
from ._params import (
    DIALECTS,
    Env,
    Fleet,
    Parallel,
    Project,
    Unsafe,
    Where,
    _at_most_one,
    _fleet_only,
)

if TYPE_CHECKING:
    from .._verbs.detect import DetectResult
    from .._verbs.diff import DiffResult
    from .._verbs.drift import DriftResult
    from .._verbs.environments import EnvResult
    from .._verbs.fleet_schema import FleetSchemaResult
    from .._verbs.fleet_status import FleetStatusResult
    from .._verbs.lint import LintResult
    from .._verbs.lint_rules import RulesResult
    from .._verbs.status import StatusResult
    from .._verbs.status_matrix import StatusMatrix


# --- reading --------------------------------------------------------------------------------------
def detect(path: Where = None, *, env: Env = None) -> DetectResult:
    """Which migration tool the project uses, and its connection (masked)."""
    from .._verbs.detect import detect as _detect

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
    from .._verbs.environments import env as _env

    return _env(name, project, persist)


def status(
    path: Where = None,
    *,
    env: Env = None,
    envs: Annotated[
        Sequence[str],
        Arg(
            help="several environments side by side: a matrix and a timeline (repeat or comma-separate)", metavar="A,B"
        ),
    ] = (),
    fleet: Fleet = None,
    parallel: Parallel = None,
) -> StatusResult | StatusMatrix | FleetStatusResult:
    """Migration history: applied, pending, failed, modified, missing (``envs``: one matrix for several).

    With ``fleet``: one matrix of every target's migrations and a summary per target.
    """
    _fleet_only(fleet, parallel=parallel)
    names = [n.strip() for v in envs for n in v.split(",") if n.strip()]
    _at_most_one(env=env, envs=names or None, fleet=fleet)
    if fleet is not None:
        from .._verbs.fleet_status import fleet_status

        return fleet_status(fleet, path, parallel or 4)
    if names:
        from .._verbs.status_matrix import status_matrix

        return status_matrix(path, names)
    from .._verbs.status import status as _status

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
        str | int | None,
        Arg(help="PostgreSQL major version (default: the environment's server, else project config, else 14)"),
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
    fail_on: Annotated[
        str | None,
        Arg(
            help="exit 1 only for findings at or above this severity (never: always exit 0)",
            metavar="LEVEL",
            choices=("error", "warning", "never"),
        ),
    ] = None,
    fleet: Fleet = None,
) -> LintResult | RulesResult:
    """Dangerous operations in migration SQL, with why and the safe alternative.

    Lints SQL files, a SQL string (``sql``, the ``%%dbm lint`` cell) or the pending migrations;
    ``rules=True`` lists the rules instead.
    """
    if rules:
        from .._verbs.lint_rules import rules as _rules

        return _rules()
    from .._verbs.lint import lint as _lint

    if fleet is not None:
        if not pending or env is not None:
            raise UsageProblem(
                "lint --fleet lints the fleet's pending migrations: it goes with --pending and without --env.",
                next_step="`dbm lint --pending --fleet`.",
            )
        from .._verbs.fleet_schema import fleet_lint_env

        env = fleet_lint_env(fleet, project)
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
        fail_on=fail_on,
    )


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
    fleet: Fleet = None,
    parallel: Parallel = None,
) -> DiffResult | FleetSchemaResult:
    """Schema diff between environments, URLs, schema files or the migrations.

    With ``fleet``: every target against SOURCE (default: the fleet's first target).
    """
    _fleet_only(fleet, parallel=parallel)
    if fleet is not None:
        if target:
            raise UsageProblem("diff --fleet compares every target: it takes no TARGET.", next_step="Drop TARGET.")
        from .._verbs.fleet_schema import fleet_diff

        return fleet_diff(fleet, project, source, parallel or 4)
    if not source or not target:
        raise UsageProblem(
            "diff needs a SOURCE and a TARGET.",
            next_step="`dbm diff SOURCE TARGET` or `dbm diff --from SOURCE --to TARGET`.",
        )
    from .._verbs.diff import diff as _diff

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


def drift(
    path: Where = None, *, env: Env = None, fleet: Fleet = None, parallel: Parallel = None
) -> DriftResult | FleetSchemaResult:
    """The live database against what its migrations produce on a scratch database.

    With ``fleet``: every target against what its own applied migrations produce.
    """
    _fleet_only(fleet, parallel=parallel)
    if fleet is not None:
        if env is not None:
            raise UsageProblem("--env and --fleet exclude each other.", next_step="The fleet file names the targets.")
        from .._verbs.fleet_schema import fleet_drift

        return fleet_drift(fleet, path, parallel or 2)
    from .._verbs.drift import drift as _drift

    return _drift(path, env)
