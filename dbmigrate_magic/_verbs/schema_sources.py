"""Turning a diff side (environment, URL, schema file, ``migrations``) into a schema model.

Files and ``migrations`` are loaded into scratch databases of the other side's dialect, on the
same server; every scratch database is dropped when the ``ExitStack`` closes.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..config import canonical_env_name, dialect_of, environment_from_url
from ..context import resolve_context
from ..db import Database
from ..dialects import dialect_for
from ..errors import ConfigError, DbmError, ProjectError, UnsupportedOperation, UsageProblem
from ..masking import mask
from ..schema.introspect import Scope, introspect, prepare

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
    if path.is_file() and is_sqlite_file(path):  # `dbm diff a.db b.db`: a database, not a schema file
        url = "sqlite:///" + str(path.resolve())
        return Side(spec, "url", url, label=mask(url))
    if path.suffix.lower() == ".sql" or path.is_file():
        if not path.is_file():
            raise UsageProblem(f"The schema file {spec} does not exist.", next_step="Pass an existing .sql file.")
        check_text(path, spec)
        return Side(spec, "file", path=path, label=f"file {path.name}")
    try:
        ctx = resolve_context(project, spec)
    except ConfigError:
        names = [e.name for e in resolve_context(project).environments]
        if canonical_env_name(spec) in names:
            raise
        known = ", ".join(names) or "none"
        raise UsageProblem(
            f"'{spec}' is not an environment (found: {known}), a URL, an existing .sql file, an "
            "existing SQLite database file or `migrations`.",
            next_step="`dbm env` lists the environments; a schema file needs the .sql suffix.",
        ) from None
    env = ctx.require_environment()
    return Side(spec, "environment", env.url, label=f"{env.name} ({env.masked_url})")


SQLITE_HEADER = b"SQLite format 3\x00"


def is_sqlite_file(path: Path) -> bool:
    """A SQLite database file, known by the 16-byte header every one starts with."""
    try:
        with path.open("rb") as f:
            return f.read(16) == SQLITE_HEADER
    except OSError:
        return False


def check_text(path: Path, spec: str) -> None:
    """A schema file must be UTF-8 text: say so for a binary file instead of failing while loading it."""
    try:
        path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        why = "is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else f"cannot be read ({exc.strerror})"
        raise UsageProblem(
            f"{spec} {why}, so it is neither a schema .sql file nor a SQLite database.",
            next_step="Pass a SQL schema file (UTF-8), a SQLite database file, a URL, an "
            "environment name or `migrations`.",
        ) from None


def anchor_url(sides: list[Side], project: str | Path | None, dialect: str | None) -> str:
    """A URL whose server hosts scratch databases: another side's, else the project's, else SQLite."""
    for s in sides:
        if s.url and (dialect is None or s.dialect == dialect):
            return s.url
    if dialect is None or dialect_for(dialect).embedded:  # a scratch file needs no server
        try:
            env = resolve_context(project).environment
        except (ProjectError, ConfigError):
            env = None
        if env and env.url and (dialect is None or env.dialect == dialect):
            return env.url
        return "sqlite://"
    try:
        env = resolve_context(project).require_environment()
    except (ProjectError, ConfigError):  # no project or no connection: say what this diff needs instead
        env = None
    if env is None or env.dialect != dialect:
        raise UsageProblem(
            f"A scratch {dialect} database is needed but no {dialect} server is known.",
            next_step=f"Set DATABASE_URL (e.g. in .env) to a {dialect} server where scratch "
            "databases may be created, or pass a URL as the other side.",
        )
    return env.url or ""


def migration_scripts(
    project: str | Path | None, upto: str | None = None, before: str | None = None
) -> list[tuple[str, str]]:
    """(id, up SQL) of the project's migrations in order, for replay on a scratch database."""
    proj = resolve_context(project).project
    adapter = proj.adapter
    out = []
    for f in adapter.migration_files():
        if before is not None and f.id == before:
            break
        if f.path.suffix != ".sql":
            raise UnsupportedOperation(
                f"Replaying {adapter.display_name} migrations on a scratch database is not supported yet "
                f"({f.path.name} is not SQL).",
                next_step="Compare against a database the tool migrated instead.",
            )
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
            out.append(text[pos : m.start()])
        current, pos = m.group(1).lower(), m.end()
    if current == "up":
        out.append(text[pos:])
    return "".join(out)


def replay(
    project: str | Path | None,
    url: str,
    upto: str | None = None,
    before: str | None = None,
    only: frozenset[str] | None = None,
) -> None:
    """Apply the project's migrations to the (scratch) database at ``url`` with the tool's own apply
    (Knex and TypeORM: the project's CLI, handed the scratch URL); all of them, up to and including
    ``upto``, or the schema ``before`` starts from (up to each of its parents: with a graph, "the
    file before it" may be another branch); with ``only``, just those ids (what a live database ran:
    a migration it skipped must not be replayed). A failure is a ``ProjectError`` naming the
    migration: the files cannot build a schema, and only the scratch database saw it."""
    from ..scratch import load_sql

    adapter = resolve_context(project).project.adapter
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
                if only is None or mid in only:
                    load_sql(url, sql, source=f"migration {mid}")
            return
        if only is not None:
            steps = [s for s in steps if s.migration in only]
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
        "(`dbm migrate --dry-run` shows what runs), then retry.",
    )


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
        adapter = resolve_context(project).project.adapter
        return tuple(t.replace('"', "").replace("`", "") for t in adapter.tracking_tables())
    except Exception:  # no project, or an adapter that cannot describe itself offline: compare everything
        return ()


NOT_APPLIED = ("pending", "failed", "rolled_back", "skipped")


#: states of a migration the database ran (modified: its file changed since; replaying it shows how)
RAN = ("applied", "modified")


def listed(ids: list[str]) -> str:
    """The first few migration ids, for a message."""
    return ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")


def applied_and_not(ctx) -> tuple[list[str], list[str], list[str]]:
    """(applied, skipped, pending) migrations of the context's database, each in the tool's order:
    skipped ones come before the last applied one but were not run (an older file merged late)."""
    db = ctx.database(read_only=True)
    try:
        rows = ctx.project.adapter.history(db).rows
    finally:
        db.dispose()
    ran = [r.migration for r in rows if r.state in RAN]
    last = max((i for i, r in enumerate(rows) if r.state in RAN), default=-1)
    waiting = [(i, r.migration) for i, r in enumerate(rows) if r.state in NOT_APPLIED]
    return ran, [m for i, m in waiting if i < last], [m for i, m in waiting if i > last]


def load_models(
    specs: list[str],
    project,
    scope: Scope,
    dialect: str | None,
    stack: ExitStack,
    ignore_tables: tuple[str, ...] | Callable[[], tuple[str, ...]] = (),
    upto: str | None = None,
    before: str | None = None,
    missing_ok: bool = False,
    only: frozenset[str] | None = None,
):
    """Resolve each spec to a (Side, SchemaModel); scratch databases live as long as ``stack``.

    ``ignore_tables`` may be a function: it is then called while the servers answer the catalog
    queries (finding the project's tracking tables costs about as much as one side's queries).
    ``upto``/``before``/``only`` limit which migrations a ``migrations`` side replays; ``missing_ok`` reads a
    SQLite file that does not exist yet as empty (the project's own database before its first migrate)."""
    sides = [classify_side(s, project) for s in specs]
    dialects = {s.dialect for s in sides if s.dialect}
    if len(dialects) > 1:
        raise UsageProblem(
            f"The two sides use different databases ({', '.join(sorted(dialects))}).",
            next_step="Compare databases of the same kind.",
        )
    dialect = dialect or (dialects.pop() if dialects else None)
    for side in sides:
        if side.url and not missing_ok and not Database(side.url, side.label).exists():  # a mistyped SQLite path
            raise UsageProblem(
                f"The SQLite database {mask(side.url)} does not exist (it was not created).",
                next_step="Check the path (a schema file needs the .sql suffix); an "
                "environment's SQLite file is created by `dbm migrate`.",
            )
    urls = []
    for side in sides:
        url = side.url
        if side.kind in ("file", "migrations"):
            from ..scratch import load_sql, scratch

            anchor = anchor_url(sides, project, dialect)
            url = stack.enter_context(scratch(anchor))
            if side.path is not None:  # a file side: classify_side gives only those a path
                try:
                    load_sql(url, side.path.read_text(encoding="utf-8"), source=f"schema file {side.path.name}")
                except ProjectError as exc:
                    if dialect is None and anchor == "sqlite://":  # nothing said which kind: SQLite was a guess
                        raise ProjectError(
                            exc.what,
                            unchanged=exc.unchanged,
                            next_step=(
                                "No database was given, so the file was loaded into SQLite. For PostgreSQL or MySQL, "
                                "pass --dialect postgresql|mysql with DATABASE_URL set, or a URL as the other side."
                            ),
                        ) from None
                    raise
            else:
                replay(project, url, upto=upto, before=before, only=only)
        urls.append(url or "")

    def read(pair) -> object:
        url, side = pair
        db = Database(url, side.label, read_only=side.kind in ("url", "environment"))
        try:
            return introspect(db, scope)
        finally:
            db.dispose()

    # both sides are read at once: the time goes to the servers' catalog queries, which overlap
    from concurrent.futures import ThreadPoolExecutor

    for url in set(urls):
        prepare(url)
    with gc_paused(), ThreadPoolExecutor(max_workers=2) as pool:
        pending = [pool.submit(read, pair) for pair in zip(urls, sides)]
        skip = ignore_tables() if callable(ignore_tables) else ignore_tables
        models = [drop_tables(f.result(), skip) for f in pending]
    return sides, models


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while the catalogs are read. The rows and models hold no cycles
    (reference counting frees them), but the many objects they are made of would trigger full
    collections that walk the whole heap: at 500 tables about a tenth of ``dbm diff``'s CPU time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def drop_tables(model, names: tuple[str, ...]):
    """The model without the migration tools' tracking tables, what hangs on them (the sequences
    behind their serial ids, triggers) and a schema the tool made only for them (``drizzle``).

    A name without a schema matches in every schema; ``schema.table`` only there (PostgreSQL; the
    other dialects have no schemas inside a database, so only the table name counts)."""
    if not names:
        return model
    from dataclasses import replace

    pinned = dialect_for(model.dialect).has_schemas
    wanted = [tuple(n.rsplit(".", 1)) if "." in n and pinned else (None, n.rsplit(".", 1)[-1]) for n in names]

    def tracked(schema: str, table: str | None) -> bool:
        return table is not None and any(t == table and s in (None, schema) for s, t in wanted)

    tables = {k: v for k, v in model.tables.items() if not tracked(*k)}
    things = {k: v for k, v in model.things.items() if not tracked(v.get("owner_schema") or v.schema, v.table)}
    for schema in {s for s, _ in wanted if s is not None}:
        used = any(k[0] == schema for k in tables) or any(
            v.schema == schema for v in things.values() if v.kind != "schema"
        )
        if not used:
            things.pop(("schema", schema, schema), None)
    return replace(model, tables=tables, things=things)
