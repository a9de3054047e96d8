"""``generate``: a new migration whose up part is diff(current -> desired) and whose down part is
diff(desired -> current), written in the detected tool's format; and automatic down migrations."""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from .. import shadow
from ..db import Database
from ..results import Result
from ..schema.introspect import Scope, introspect
from . import context
from .schema_sources import drop_tables, load_models, replay, tracking_tables


@dataclass(frozen=True, repr=False)
class GenerateResult(Result):
    title: ClassVar[str] = "dbm generate"

    name: str
    up_sql: str
    down_sql: str
    path: str | None  # None when nothing was written (dry run or no change)
    changes: tuple[Any, ...]
    left_out: tuple[str, ...] = ()

    def summary_lines(self) -> list[str]:
        if not self.up_sql:
            return ["No differences: nothing to generate."]
        head = f"Wrote {self.path}" if self.path else "Preview only (nothing written; drop --dry-run to write)"
        lines = [head, f"{len(self.changes)} changes", "", "-- up", self.up_sql.rstrip(), "", "-- down",
                 self.down_sql.rstrip() or "-- (nothing)"]
        if self.left_out:
            lines += ["", "Left out of up (destructive; use --unsafe):"] + [f"  {s}" for s in self.left_out]
        return lines


def generate(name: str, from_schema: str, *, project: str | Path | None = None, env: str | None = None,
             unsafe: bool = False, dry_run: bool = False) -> GenerateResult:
    """Desired schema from a file, environment or URL; current = the project's environment."""
    from ..schema import diff as schema_diff

    ctx = context.resolve(project, env)
    current = ctx.require_environment()
    root = ctx.project.root
    with ExitStack() as stack:
        _, models = load_models([current.url or "", from_schema], root, Scope(), current.dialect, stack,
                                ignore_tables=tracking_tables(root))
    up = schema_diff(models[0], models[1])
    down = schema_diff(models[1], models[0])
    up_sql, down_sql = up.sql(unsafe), down.sql(unsafe=True)
    left_out = tuple(s.sql for s in up.statements if s.destructive and not unsafe)
    path = None
    if up_sql and not dry_run:
        path = str(ctx.project.adapter.new_migration(name, up_sql, down_sql))
    return GenerateResult(name, up_sql, down_sql, path, up.changes, left_out)


@dataclass(frozen=True, repr=False)
class DownResult(Result):
    title: ClassVar[str] = "dbm generate --down-for"

    migration: str
    down_sql: str
    changes: tuple[Any, ...]

    def summary_lines(self) -> list[str]:
        return [f"Computed down migration for {self.migration} (review before storing it):", "",
                self.down_sql.rstrip() or "-- (no schema change to undo)"]


def down_for(migration: str, *, project: str | Path | None = None, env: str | None = None) -> DownResult:
    """Replay the migrations before ``migration`` and through it on two scratch databases; the down
    part is the diff from 'after' back to 'before'."""
    from ..schema import diff as schema_diff

    ctx = context.resolve(project, env)
    root = ctx.project.root
    like = ctx.environment.url if ctx.environment and ctx.environment.url else "sqlite://"
    skip = tracking_tables(root)
    models = []
    with ExitStack() as stack:
        for upto, before in ((None, migration), (migration, None)):
            url = stack.enter_context(shadow.scratch(like))
            replay(root, url, upto=upto, before=before)
            db = Database(url, "scratch")
            try:
                models.append(drop_tables(introspect(db), skip))
            finally:
                db.dispose()
    d = schema_diff(models[1], models[0])
    return DownResult(migration, d.sql(unsafe=True), d.changes)
