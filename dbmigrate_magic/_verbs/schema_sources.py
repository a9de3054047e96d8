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
from ..config import canonical_env_name, dialect_of, environment_from_url
from ..db import Database
from ..errors import ConfigError, ProjectError, UnsupportedOperation, UsageProblem
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
    try:
        ctx = context.resolve(project, spec)
    except ConfigError:
        names = [e.name for e in context.resolve(project).environments]
        if canonical_env_name(spec) in names:
            raise
        known = ", ".join(names) or "none"
        raise UsageProblem(f"'{spec}' is not an environment (found: {known}), a URL, an existing .sql file or "
                           "`migrations`.", next_step="`dbm env` lists the environments; a schema file needs "
                           "the .sql suffix.") from None
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
        except (ProjectError, ConfigError):
            env = None
        if env and env.url and (dialect is None or env.dialect == dialect):
            return env.url
        return "sqlite://"
    try:
        env = context.resolve(project).require_environment()
    except (ProjectError, ConfigError):  # no project or no connection: say what this diff needs instead
        env = None
    if env is None or env.dialect != dialect:
        raise UsageProblem(f"A scratch {dialect} database is needed but no {dialect} server is known.",
                           next_step=f"Set DATABASE_URL (e.g. in .env) to a {dialect} server where scratch "
                           "databases may be created, or pass a URL as the other side.")
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
    """Apply the project's migrations to the (scratch) database at ``url`` with the tool's own apply;
    all of them, up to and including ``upto``, or only those before ``before``."""
    from ..errors import MigrationFailed

    adapter = context.resolve(project).project.adapter
    if before is not None:
        ids = [f.id for f in adapter.migration_files()]
        if before not in ids:
            raise UsageProblem(f"There is no migration named {before}.", next_step="`dbm status` lists them.")
        if ids.index(before) == 0:
            return
        upto = ids[ids.index(before) - 1]
    db = Database(url, "scratch")
    try:
        try:
            steps = adapter.plan_apply(db, upto)
        except UnsupportedOperation:  # a tool we cannot apply yet: its plain SQL files, if it has them
            for mid, sql in migration_scripts(project, upto):
                shadow.load_sql(url, sql, source=f"migration {mid}")
            return
        for outcome in adapter.apply(db, steps):
            if outcome.state == "failed":
                raise MigrationFailed(f"Replaying migration {outcome.migration} on a scratch database failed: "
                                      f"{outcome.error}", unchanged="Only a scratch database was touched; it is dropped.",
                                      next_step="Fix the migration; `dbm migrate --dry-run` shows its SQL.")
    finally:
        db.dispose()


def tracking_tables(project) -> tuple[str, ...]:
    """The detected tool's tracking tables (and their lock tables), left out of every comparison."""
    from ..errors import DbmError

    try:
        adapter = context.resolve(project).project.adapter
        table = adapter.history(None).table
    except DbmError:
        return ()
    except Exception:  # an adapter that cannot describe itself offline: compare everything
        return ()
    name = table.split(".")[-1].strip('"`')
    return (name, name + "_lock")


NOT_APPLIED = ("pending", "failed", "rolled_back", "skipped")


def unapplied(ctx) -> tuple[list[str], str | None]:
    """The migrations not applied to the context's environment, and the last one that is."""
    db = ctx.database(read_only=True)
    try:
        rows = ctx.project.adapter.history(db).rows
    finally:
        db.dispose()
    applied = [r.migration for r in rows if r.state == "applied"]
    return [r.migration for r in rows if r.state in NOT_APPLIED], (applied[-1] if applied else None)


def load_models(specs: list[str], project, scope: Scope, dialect: str | None, stack: ExitStack,
                ignore_tables: tuple[str, ...] = (), upto: str | None = None, before: str | None = None,
                missing_ok: bool = False):
    """Resolve each spec to a (Side, SchemaModel); scratch databases live as long as ``stack``.
    ``upto``/``before`` limit which migrations a ``migrations`` side replays; ``missing_ok`` reads a
    SQLite file that does not exist yet as empty (the project's own database before its first migrate)."""
    sides = [classify_side(s, project) for s in specs]
    dialects = {s.dialect for s in sides if s.dialect}
    if len(dialects) > 1:
        raise UsageProblem(f"The two sides use different databases ({', '.join(sorted(dialects))}).",
                           next_step="Compare databases of the same kind.")
    dialect = dialect or (dialects.pop() if dialects else None)
    for side in sides:
        if side.url and not missing_ok and not Database(side.url, side.label).exists():  # a mistyped SQLite path
            raise UsageProblem(f"The SQLite database {mask(side.url)} does not exist (it was not created).",
                               next_step="Check the path (a schema file needs the .sql suffix); an "
                               "environment's SQLite file is created by `dbm migrate`.")
    urls = []
    for side in sides:
        url = side.url
        if side.kind in ("file", "migrations"):
            anchor = anchor_url(sides, project, dialect)
            url = stack.enter_context(shadow.scratch(anchor))
            if side.kind == "file":
                try:
                    shadow.load_sql(url, side.path.read_text(encoding="utf-8"), source=f"schema file {side.path.name}")
                except ProjectError as exc:
                    if dialect is None and anchor == "sqlite://":  # nothing said which kind: SQLite was a guess
                        raise ProjectError(exc.what, unchanged=exc.unchanged, next_step=(
                            "No database was given, so the file was loaded into SQLite. For PostgreSQL or MySQL, "
                            "pass --dialect postgresql|mysql with DATABASE_URL set, or a URL as the other side.")) from None
                    raise
            else:
                replay(project, url, upto=upto, before=before)
        urls.append(url or "")

    def read(pair) -> object:
        url, side = pair
        db = Database(url, side.label, read_only=side.kind in ("url", "environment"))
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
    """The model without the migration tools' tracking tables and what belongs to them (the
    sequence behind a serial id, triggers, policies): a diff must never drop or recreate those."""
    if not names:
        return model
    from dataclasses import replace

    return replace(model, tables={k: v for k, v in model.tables.items() if k[1] not in names},
                   things={k: v for k, v in model.things.items() if v.table not in names})
