"""The production guard: every changing verb passes its planned SQL through ``check`` inside
the api, so the magic, the CLI and Python callers are all covered the same way.

Rules:
- dev-only operations (drop/recreate database, reset, schema push) are refused in production;
- destructive statements (see ``destructive.py``) need the environment's name typed back
  (``--confirm production``) in production, and at least ``--yes`` anywhere else;
- before a table or database is dropped, the sessions connected to it are listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..config import Environment, dialect_of
from ..config import classify as classify_environment
from ..errors import ConfirmationRequired, ProductionRefused
from ..results import Result
from .destructive import Destructive, classify

if TYPE_CHECKING:
    from ..db import Database

#: operations that only make sense on a throw-away database
DEV_ONLY = {
    "drop_database": "drop the database",
    "recreate_database": "drop and recreate the database",
    "reset": "reset the database (drop everything and re-apply)",
    "push": "push the schema without a migration",
    "seed --prune": "delete the rows of the seeded tables that the seed no longer has",
    "seed --reset": "empty the seeded tables before loading them",
}
_STAGING = re.compile(r"(^|[^a-z])(staging|stage|stg|preprod|pre-prod|uat|qa|test)([^a-z]|$)")


def environment_class(env: Environment | str) -> str:
    """``production``, ``staging`` or ``development`` (anything else counts as development)."""
    name = env.name if isinstance(env, Environment) else env
    production = env.production if isinstance(env, Environment) else classify_environment(name)[0]
    if production:
        return "production"
    if _STAGING.search(name.lower()):
        return "staging"
    return "development"


@dataclass(frozen=True, repr=False)
class GuardReport(Result):
    """What the guard found in a plan: shown in the preview, kept in the verb's result."""

    title: ClassVar[str] = "dbm guard"

    environment: str
    environment_class: str
    findings: tuple[Destructive, ...]
    connections: tuple[dict[str, Any], ...] = ()
    confirmed_by: str | None = None  # "--confirm production", "--yes", or None (nothing destructive)

    @property
    def destructive(self) -> bool:
        return bool(self.findings)

    def summary_lines(self) -> list[str]:
        if not self.findings:
            return [f"Guard: no destructive statements ({self.environment}, {self.environment_class})."]
        lines = [
            f"Guard: {len(self.findings)} destructive statement(s) for {self.environment} "
            f"({self.environment_class})" + (f", confirmed with {self.confirmed_by}." if self.confirmed_by else ".")
        ]
        lines.extend(connection_lines(self.connections))
        return lines

    def table(self) -> list[dict[str, Any]]:
        return [f.as_row() for f in self.findings]

    def columns(self) -> list[str]:
        return ["step", "line", "kind", "targets", "statement", "why"]


def connection_lines(connections: Iterable[dict[str, Any]]) -> list[str]:
    rows = list(connections)
    if not rows:
        return []
    lines = [f"Active connections to what will be dropped ({len(rows)}):"]
    for c in rows:
        lock = " holds a lock on it" if c.get("holds_lock") else ""
        query = f": {c['query']}" if c.get("query") else ""
        lines.append(
            f"  {c['target']}: session {c.get('pid')} user {c.get('user')} from "
            f"{c.get('client') or 'local'} ({c.get('state') or '-'}){lock}{query}"
        )
    return lines


def _steps(plan: Any) -> list[tuple[str | None, str]]:
    """Accept {step: sql}, [(step, sql)], [PlannedStep] or one SQL string."""
    if plan is None:
        return []
    if isinstance(plan, str):
        return [(None, plan)]
    if isinstance(plan, Mapping):
        return [(str(k), v or "") for k, v in plan.items()]
    out = []
    for item in plan:
        if hasattr(item, "sql"):
            out.append((getattr(item, "migration", None), item.sql or ""))
        else:
            step, sql = item
            out.append((step, sql or ""))
    return out


def refuse_dev_only(operation: str, environment: Environment | str) -> None:
    """Raise ``ProductionRefused`` when a dev-only operation targets production."""
    if operation not in DEV_ONLY or environment_class(environment) != "production":
        return
    name = environment.name if isinstance(environment, Environment) else environment
    raise ProductionRefused(
        f"Refused: '{operation}' would {DEV_ONLY[operation]}, and '{name}' is a production environment. "
        "Dev-only operations never run in production, whatever the flags.",
        unchanged=f"Nothing was run against {name}.",
        next_step="Write a migration for the change and apply it with `dbm migrate`, or run this against a "
        "development database.",
    )


def check(
    plan_sql_by_step: Any,
    environment: Environment | str,
    confirm: str | None = None,
    yes: bool = False,
    *,
    dialect: str | None = None,
    operation: str | None = None,
    db: Database | None = None,
) -> GuardReport:
    """Classify the plan's SQL and enforce the rules; return the report for the preview.

    Raises ``ProductionRefused`` for dev-only ``operation`` in production, and
    ``ConfirmationRequired`` when destructive statements lack the confirmation their
    environment needs. ``db`` (the target) is used to list active connections before drops.
    """
    name = environment.name if isinstance(environment, Environment) else environment
    env_class = environment_class(environment)
    if operation:
        refuse_dev_only(operation, environment)
    if dialect is None:
        url = environment.url if isinstance(environment, Environment) else None
        dialect = dialect_of(url) if url else (db.dialect if db is not None else "postgresql")
    findings: list[Destructive] = []
    for step, sql in _steps(plan_sql_by_step):
        findings.extend(classify(sql, dialect, step))
    if not findings:
        return GuardReport(name, env_class, ())
    connections: tuple[dict[str, Any], ...] = ()
    if db is not None and any(f.kind in ("drop_table", "drop_database", "drop_schema") for f in findings):
        from .connections import active_connections

        connections = tuple(active_connections(db, findings))
    typed = confirm is not None and confirm.strip().lower() == name.lower()
    if env_class == "production":
        if not typed:
            raise ConfirmationRequired(
                _refusal(findings, name, env_class, connections, confirm, yes),
                unchanged=f"Nothing was run against {name}.",
                next_step=f"Review the statements, then run again with --confirm {name} "
                "(the environment's name typed back; --yes is not enough in production).",
            )
        return GuardReport(name, env_class, tuple(findings), connections, f"--confirm {name}")
    if not (yes or typed):
        raise ConfirmationRequired(
            _refusal(findings, name, env_class, connections, confirm, yes),
            unchanged=f"Nothing was run against {name}.",
            next_step="Review the statements, then run again with --yes.",
        )
    return GuardReport(name, env_class, tuple(findings), connections, "--yes" if yes else f"--confirm {name}")


def _refusal(
    findings: list[Destructive],
    name: str,
    env_class: str,
    connections: tuple[dict[str, Any], ...],
    confirm: str | None,
    yes: bool,
) -> str:
    lines = [f"{len(findings)} destructive statement(s) would run against '{name}' ({env_class}):"]
    for f in findings:
        where = f"{f.step}, line {f.line}" if f.step else f"line {f.line}"
        lines.append(f"  - {where}: {f.description}: {' '.join(f.statement.split())[:160]}")
    lines.extend(connection_lines(connections))
    if env_class == "production" and confirm:
        lines.append(f"--confirm {confirm} does not match the environment's name '{name}'.")
    elif env_class == "production" and yes:
        lines.append("--yes alone does not confirm destructive statements in production.")
    return "\n".join(lines)


def require_confirmation(environment: Environment | str, confirm: str | None, yes: bool, what: str) -> str:
    """Confirmation for an operation that overwrites data as a whole (``restore``).

    Production needs its name typed back; elsewhere ``--yes`` is enough. Returns how it was
    confirmed, for the result.
    """
    name = environment.name if isinstance(environment, Environment) else environment
    env_class = environment_class(environment)
    typed = confirm is not None and confirm.strip().lower() == name.lower()
    if typed:
        return f"--confirm {name}"
    if env_class == "production":
        extra = (
            f" (--confirm {confirm} does not match)"
            if confirm
            else (" (--yes is not enough in production)" if yes else "")
        )
        raise ConfirmationRequired(
            f"{what} '{name}', a production environment: confirmation required{extra}.",
            unchanged=f"Nothing was changed in {name}.",
            next_step=f"Run again with --confirm {name} (the environment's name typed back).",
        )
    if not yes:
        raise ConfirmationRequired(
            f"{what} '{name}' ({env_class}): confirmation required.",
            unchanged=f"Nothing was changed in {name}.",
            next_step="Run again with --yes.",
        )
    return "--yes"
