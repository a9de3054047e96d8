"""Turning a diff side (environment, URL, schema file, ``migrations``) into a schema model.

Files and ``migrations`` are loaded into scratch databases of the other side's dialect, on the
same server; every scratch database is dropped when the ``ExitStack`` closes.
"""
from __future__ import annotations

import re
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from .. import shadow
from ..config import dialect_of, environment_from_url
from ..db import Database
from ..errors import DbmError, ProjectError, UnsupportedOperation, UsageProblem
from ..schema.introspect import Scope, introspect
from ..secrets import mask
from . import context

MIGRATIONS = "migrations"


@dataclass
class Side:
    spec: str
    kind: str  # url, environment, file, migrations
    url: str | None = None  # for url/environment
    path: Path | None = None  # for file
    label: str = ""

    @property
    def dialect(self) -> str | None:
        return dialect_of(self.url) if self.url else None


def classify_side(spec: str, project: str | Path | None) -> Side:
    if spec == MIGRATIONS:
        return Side(spec, "migrations", label="migrations (replayed on a scratch database)")
    if "://" in spec or spec.startswith(("sqlite:", "file:")):
        env = environment_from_url(spec, base_dir=Path(project) if project else Path.cwd())
        return Side(spec, "url", env.url, label=mask(env.url or spec))
    path = Path(spec)
    if not path.is_absolute() and project:
        candidate = Path(project) / spec
        path = candidate if candidate.exists() else path
    if path.suffix.lower() == ".sql" or path.is_file():
        if not path.is_file():
            raise UsageProblem(f"The schema file {spec} does not exist.", next_step="Pass an existing .sql file.")
        return Side(spec, "file", path=path, label=f"file {path.name}")
    ctx = context.resolve(project, spec)
    env = ctx.require_environment()
    return Side(spec, "environment", env.url, label=f"{env.name} ({env.masked_url})")


def anchor_url(sides: list[Side], project: str | Path | None, dialect: str | None) -> str:
    """A URL whose server hosts scratch databases: another side's, else the project's, else SQLite."""
    for s in sides:
        if s.url and (dialect is None or s.dialect == dialect):
            return s.url
    if dialect in (None, "sqlite"):
        try:
            env = context.resolve(project).environment
        except ProjectError:
            env = None
        if env and env.url and (dialect is None or env.dialect == dialect):
            return env.url
        return "sqlite://"
    try:
        env = context.resolve(project).require_environment()
    except ProjectError:
        env = None
    if env is None or env.dialect != dialect:
        raise UsageProblem(f"A scratch {dialect} database is needed but no {dialect} server is known.",
                           next_step="Pass a URL for the other side or set DATABASE_URL.")
    return env.url or ""


def migration_scripts(project: str | Path | None, upto: str | None = None, before: str | None = None) -> list[tuple[str, str]]:
    """(id, up SQL) of the project's migrations in order, for replay on a scratch database."""
    proj = context.resolve(project).project
    adapter = proj.adapter
    out = []
    for f in adapter.migration_files():
        if before is not None and f.id == before:
            break
        if f.path.suffix != ".sql":
            raise UnsupportedOperation(
                f"Replaying {adapter.display_name} migrations on a scratch database is not supported yet "
                f"({f.path.name} is not SQL).", next_step="Compare against a database the tool migrated instead.")
        out.append((f.id, up_section(f.path.read_text(encoding="utf-8"))))
        if upto is not None and f.id == upto:
            break
    return out


_MARK = re.compile(r"^\s*--\s*(?:migrate:)?(up|down)\s*$", re.IGNORECASE | re.MULTILINE)


def up_section(text: str) -> str:
    """The ``-- UP`` part of a raw SQL migration (``-- migrate:up`` for dbmate); all of it if unmarked."""
    marks = list(_MARK.finditer(text))
    if not marks:
        return text
    out, current, pos = [], None, 0
    for m in marks:
        if current == "up":
            out.append(text[pos:m.start()])
        current, pos = m.group(1).lower(), m.end()
    if current == "up":
        out.append(text[pos:])
    return "".join(out)


def replay(project: str | Path | None, url: str, upto: str | None = None, before: str | None = None) -> None:
    """Apply the project's migrations to the (scratch) database at ``url`` with the tool's own apply
    (Knex and TypeORM: the project's CLI, handed the scratch URL); all of them, up to and including
    ``upto``, or the schema ``before`` starts from (up to each of its parents: with a graph, "the
    file before it" may be another branch). A failure is a ``ProjectError`` naming the migration:
    the files cannot build a schema, and only the scratch database saw it."""
    adapter = context.resolve(project).project.adapter
    if before is not None:
        for parent in adapter.parents(before):
            replay(project, url, upto=parent)
        return
    db = Database(url, "scratch")
    try:
        try:
            steps = adapter.plan_apply(db, upto)
        except UnsupportedOperation:  # a tool we cannot apply yet: its plain SQL files, if it has them
            for mid, sql in migration_scripts(project, upto):
                shadow.load_sql(url, sql, source=f"migration {mid}")
            return
        try:
            outcomes = adapter.apply(db, steps)
        except DbmError as exc:  # a tool run as a whole (knex, typeorm) reports the failure itself
            raise replay_failed(failed_in(exc.what, [s.migration for s in steps]), exc.what) from None
        for outcome in outcomes:
            if outcome.state == "failed":
                raise replay_failed(outcome.migration, outcome.error or "")
    finally:
        db.dispose()


def replay_failed(migration: str | None, error: str) -> ProjectError:
    which = f"migration {migration}" if migration else "a migration"
    return ProjectError(
        f"Replaying the project's migrations on a scratch database failed at {which}: {error}",
        unchanged="Only a scratch database was touched, and it is dropped; the live database was not changed.",
        next_step=f"Fix {migration or 'the failing migration'} so it runs on an empty database "
        "(`dbm migrate --dry-run` shows what runs), then retry.")


def failed_in(message: str, names: list[str]) -> str | None:
    """The migration a tool's own output says failed (knex: 'migration file "X" failed', TypeORM:
    'Migration "X" failed'), so the error can name it; None when the output does not say."""
    for name in names:
        stem = name.rsplit(".", 1)[0]
        if re.search(rf"""["']?(?:{re.escape(name)}|{re.escape(stem)})["']?\s+failed""", message):
            return name
    return None


def tracking_tables(project) -> tuple[str, ...]:
    """The detected tool's tracking (and lock) tables, ``schema.table`` where the tool pins a
    schema (Drizzle on PostgreSQL): left out of every comparison."""
    try:
        adapter = context.resolve(project).project.adapter
        return tuple(t.replace('"', "").replace("`", "") for t in adapter.tracking_tables())
    except DbmError:
        return ()
    except Exception:  # an adapter that cannot describe itself offline: compare everything
        return ()


def load_models(specs: list[str], project, scope: Scope, dialect: str | None, stack: ExitStack,
                ignore_tables: tuple[str, ...] = ()):
    """Resolve each spec to a (Side, SchemaModel); scratch databases live as long as ``stack``."""
    sides = [classify_side(s, project) for s in specs]
    dialects = {s.dialect for s in sides if s.dialect}
    if len(dialects) > 1:
        raise UsageProblem(f"The two sides use different databases ({', '.join(sorted(dialects))}).",
                           next_step="Compare databases of the same kind.")
    dialect = dialect or (dialects.pop() if dialects else None)
    urls = []
    for side in sides:
        url = side.url
        if side.kind in ("file", "migrations"):
            url = stack.enter_context(shadow.scratch(anchor_url(sides, project, dialect)))
            if side.kind == "file":
                shadow.load_sql(url, side.path.read_text(encoding="utf-8"), source=f"schema file {side.path.name}")
            else:
                replay(project, url)
        urls.append(url or "")

    def read(pair) -> object:
        url, side = pair
        db = Database(url, side.label)
        try:
            return drop_tables(introspect(db, scope), ignore_tables)
        finally:
            db.dispose()

    # both sides are read at once: the time goes to the servers' catalog queries, which overlap
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        models = list(pool.map(read, zip(urls, sides)))
    return sides, models


def drop_tables(model, names: tuple[str, ...]):
    """The model without the migration tools' tracking tables, what hangs on them (the sequences
    behind their serial ids, triggers) and a schema the tool made only for them (``drizzle``).

    A name without a schema matches in every schema; ``schema.table`` only there (PostgreSQL; the
    other dialects have no schemas inside a database, so only the table name counts)."""
    if not names:
        return model
    from dataclasses import replace

    pinned = model.dialect == "postgresql"
    wanted = [tuple(n.rsplit(".", 1)) if "." in n and pinned else (None, n.rsplit(".", 1)[-1]) for n in names]

    def tracked(schema: str, table: str | None) -> bool:
        return table is not None and any(t == table and s in (None, schema) for s, t in wanted)

    tables = {k: v for k, v in model.tables.items() if not tracked(*k)}
    things = {k: v for k, v in model.things.items()
              if not tracked(v.get("owner_schema") or v.schema, v.table)}
    for schema in {s for s, _ in wanted if s is not None}:
        used = any(k[0] == schema for k in tables) or any(
            v.schema == schema for v in things.values() if v.kind != "schema")
        if not used:
            things.pop(("schema", schema, schema), None)
    return replace(model, tables=tables, things=things)
