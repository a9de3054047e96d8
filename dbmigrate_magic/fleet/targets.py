"""A fleet's targets resolved to connections, and the ``Context`` each runs in.

Every target becomes an ``Environment`` named after the target, so the one-database code path
(plan, preview, guard, backup, ledger) runs unchanged for it. A target's schema is the search path
on PostgreSQL (its migrations and its tracking table live there) and the database on MySQL/MariaDB;
SQLite has no schemas (one file per tenant). Each target gets its own ``Project`` copy: adapters
keep per-database notes, and targets run in parallel threads.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from ..config import Environment, canonical_env_name, environment_from_url
from ..context import Context, discover_environments, select_environment
from ..db import Database
from ..dialects import find_dialect
from ..errors import ConfigError, DbmError
from ..masking import mask
from ..project import Project, find_project
from .spec import FleetSpec, QuerySpec, TargetSpec, fleet_path, parse_fleet


@dataclass(frozen=True)
class Target:
    name: str
    environment: Environment  # named after the target; url, schema, production
    source: str  # where its connection came from, for the matrix (never a password)
    schema: str | None = None
    #: the runner lock's scope: servers whose lock is server-wide (MySQL GET_LOCK) or shared by
    #: schemas of one database (PostgreSQL advisory locks) would otherwise run the targets one by one
    lock_scope: str | None = None

    @property
    def production(self) -> bool:
        return self.environment.production


@dataclass
class TargetContext(Context):
    """A ``Context`` whose databases carry the target's lock scope and tenant schema."""

    lock_scope: str | None = None
    tenant_schema: str | None = None

    def database(self, read_only: bool = False) -> Database:
        db = super().database(read_only)
        db.lock_scope, db.tenant_schema = self.lock_scope, self.tenant_schema
        return db


@dataclass(frozen=True)
class Fleet:
    spec: FleetSpec
    project: Project
    environments: list[Environment]
    targets: tuple[Target, ...]

    @property
    def production(self) -> bool:
        return any(t.production for t in self.targets)

    def fresh(self) -> Fleet:
        """The same fleet without the project's loaded adapter (what a worker process is sent)."""
        return dataclasses.replace(self, project=dataclasses.replace(self.project))

    def context(self, target: Target) -> TargetContext:
        """A fresh context (and project copy) for one target: safe to use in its own thread."""
        tenant_schema = target.environment.schema if target.schema else None  # None: the target is a database
        return TargetContext(
            dataclasses.replace(self.project),
            self.environments,
            target.environment,
            "fleet",
            target.lock_scope,
            tenant_schema,
        )


def _dotenv_value(root: Path, var: str) -> str | None:
    from dotenv import dotenv_values

    return os.environ.get(var) or dotenv_values(root / ".env").get(var)


def _named_env(environments: list[Environment], name: str, where: str) -> Environment:
    wanted = canonical_env_name(name)
    for env in environments:
        if env.name == wanted and env.url:
            return env
    known = ", ".join(e.name for e in environments if e.url) or "none"
    raise ConfigError(
        f"{where}: there is no environment named '{name}' with a connection (found: {known}).",
        next_step="Run `dbm env` to list environments, or give the target url or url_env.",
    )


def _base(spec: FleetSpec, entry: TargetSpec, project: Project, envs: list[Environment]) -> tuple[Environment, str]:
    """The environment a target's connection starts from, and a masked description of where it came from."""
    where = f"{spec.path.name}, target {entry.name}"
    if entry.env:
        return _named_env(envs, entry.env, where), f"env {entry.env}"
    if entry.url:
        return environment_from_url(entry.url, entry.name, project.root, f"{where}: its url"), mask(entry.url)
    if entry.url_env:
        value = _dotenv_value(project.root, entry.url_env)
        if not value:
            raise ConfigError(
                f"{where}: the variable {entry.url_env} is not set (neither in the process nor in .env).",
                next_step=f"Set {entry.url_env} to the target's database URL.",
            )
        return (
            environment_from_url(value, entry.name, project.root, f"{where}: the URL in {entry.url_env}"),
            f"${entry.url_env}",
        )
    if spec.env:
        return _named_env(envs, spec.env, where), f"env {spec.env}"
    chosen, _reason = select_environment(envs, None, project.root)
    if chosen is None or not chosen.url:
        raise ConfigError(
            f"{where} gives no connection and the project has no default environment.",
            next_step="Give the target env, url or url_env, or set env = NAME at the top of the fleet file.",
        )
    return chosen, f"env {chosen.name}"


def make_target(spec: FleetSpec, name: str, base: Environment, source: str, schema: str | None) -> Target:
    """The target's environment: its name, the base connection narrowed to ``schema``."""
    url = base.url or ""
    kind = find_dialect(url)
    scoped_schema, lock_scope = base.schema, None
    if schema and kind is not None:
        narrowed = kind.url_for_schema(url, schema)
        if narrowed is None:
            raise ConfigError(
                f"{spec.path.name}, target {name}: {kind.name} has no schemas (schema = {schema}).",
                next_step="Give each tenant its own database file (url = sqlite:///tenant.db) and no schema.",
            )
        url = narrowed
        if kind.has_schemas:
            scoped_schema = lock_scope = schema
    if kind is not None and kind.server_wide_lock:
        lock_scope = url.split("?", 1)[0].rsplit("/", 1)[-1]
    production = base.production or spec.production
    why = f"fleet {spec.name} is production" if spec.production and not base.production else base.classification
    env = Environment(name, url, f"fleet {spec.name}: {source}", production, why, base.found, scoped_schema)
    return Target(name, env, source, schema, lock_scope)


def query_targets(spec: FleetSpec, q: QuerySpec, project: Project, envs: list[Environment]) -> list[Target]:
    """Targets listed by ``[query]``: its SQL runs on the control database, read only."""
    where = f"{spec.path.name}, [query]"
    base, source = _base(spec, TargetSpec("[query]", q.env, None, q.url_env), project, envs)
    db = Database(base.url or "", base.name, base.schema, read_only=True)
    try:
        from sqlalchemy import text

        with db.connect() as conn:
            rows = [tuple(r) for r in conn.execute(text(q.sql)).all()]
    except DbmError:
        raise
    except Exception as exc:
        from ..db import short_db_error

        raise ConfigError(
            f"{where}: the query failed on {db.place}: {short_db_error(exc)}",
            next_step="Fix the SQL; it must return schema names, or (name, schema or URL) rows.",
        ) from None
    finally:
        db.dispose()
    targets = []
    for row in rows:
        if not row or row[0] is None:
            continue
        name, value = (str(row[0]), str(row[0])) if len(row) == 1 else (str(row[0]), str(row[1]))
        if "://" in value or value.startswith("file:"):
            env = environment_from_url(value, name, project.root, f"{where}: the URL of row {name}")
            targets.append(make_target(spec, name, env, f"{source} query", None))
        else:
            targets.append(make_target(spec, name, base, f"{source} query", value))
    return targets


def load_fleet(given: str | Path | None, project_path: str | Path | None = None) -> Fleet:
    """Read the fleet file and resolve every target (a ``[query]`` runs here); nothing changes."""
    project = find_project(project_path)
    spec = parse_fleet(fleet_path(given, project.root))
    envs = discover_environments(project)
    targets = []
    for entry in spec.targets:
        base, source = _base(spec, entry, project, envs)
        targets.append(make_target(spec, entry.name, base, source, entry.schema))
    if spec.query is not None:
        targets.extend(query_targets(spec, spec.query, project, envs))
    names = [t.name for t in targets]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        raise ConfigError(
            f"The fleet {spec.name} names these targets twice: {', '.join(doubled)}.",
            next_step="Give each target (and each row of [query]) its own name.",
        )
    if not targets:
        raise ConfigError(
            f"The fleet {spec.name} has no targets (its [query] returned no rows).",
            next_step="Check the query, or list targets with [[targets]].",
        )
    return Fleet(spec, project, envs, tuple(targets))


def require_tenant_schema(db: Database) -> None:
    """A schema target whose schema is not in the database (a typo in the fleet file, or a tenant
    not created yet) is named as such, instead of reading as "behind" and failing later with "no
    schema has been selected". Nothing is created: making a tenant's schema is the application's job."""
    if not db.tenant_schema:
        return
    from sqlalchemy import text

    with db.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": db.tenant_schema}).first()
    if found is None:
        raise ConfigError(
            f"the schema {db.tenant_schema} does not exist in {db.masked_url}",
            unchanged="Nothing was run on this target.",
            next_step="Create it (CREATE SCHEMA ...) or fix the target's schema in the fleet file.",
        )
