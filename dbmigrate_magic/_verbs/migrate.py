"""``migrate``, ``new`` and ``rollback``: write, preview, confirm and run migrations with any adapter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .. import cell_files
from ..adapters.base import Adapter, MigrationRow, PlannedStep
from ..adapters.rawsql.files import split_sections
from ..context import Context, resolve_context
from ..dialects import dialect_for, find_dialect
from ..errors import ChecksumMismatch, ForeignTrackingTable, NeedsResolve, UnsupportedOperation, UsageProblem
from ..results import Result
from .cell import default_name
from .pipeline import finish, make_preview
from .preview import ChangeResult

PathLike = str | Path | None


def writing_adapter(ctx: Context) -> Adapter:
    """The detected tool's adapter; a project with no tool yet gets our own raw SQL format. It
    writes SQL for the environment's database when the URL names a known one (``sql_dialect``)."""
    if ctx.project.has_tool:
        adapter = ctx.project.adapter
    else:
        from ..adapters import DEFAULT_TOOL, adapter_class

        adapter = adapter_class(DEFAULT_TOOL)(ctx.project.root)
    env = ctx.environment
    kind = find_dialect(env.url) if env is not None and env.url and not env.problem else None
    adapter.sql_dialect = kind.name if kind is not None else None
    return adapter


@dataclass(frozen=True, repr=False)
class NewResult(Result):
    title: ClassVar[str] = "dbm new"
    frame_option: ClassVar[bool] = False

    tool: str
    migration: str
    file: str

    def summary_lines(self) -> list[str]:
        return [f"Created {self.file} ({self.tool}). Edit it, then preview with `dbm migrate --dry-run`."]


def new(
    name: str, path: PathLike = None, up_sql: str = "", down_sql: str | None = None, app: str | None = None
) -> NewResult:
    ctx = resolve_context(path, None)
    adapter = writing_adapter(ctx)
    adapter.app = app or adapter.app
    created = adapter.new_migration(_check_name(name), up_sql, down_sql)
    rel = adapter.relative(created)
    return NewResult(adapter.tool, created.stem if created.is_file() else created.name, rel)


def _check_name(name: str) -> str:
    from .cell import slug

    cleaned = slug(name or "")
    if not name or cleaned == "migration" and slug(name) != name.lower():
        raise UsageProblem(
            f"'{name}' cannot be used as a migration name.",
            next_step="Use letters, digits and underscores, e.g. add_orders_total.",
        )
    return cleaned


def _replace_cells_pending_file(adapter: Adapter, look, keep: Path | None) -> list[str]:
    """Remove the file this notebook cell wrote on an earlier run if it is still pending (its SQL
    changed since: the fixed cell replaces it); an applied, failed or modified one stays."""
    prev = cell_files.previous()
    if prev is None or not prev.exists() or prev == keep:
        return []
    rel = adapter.relative(prev)
    row = next((r for r in adapter.history(look).rows if r.file and (r.file == rel or r.file.startswith(rel))), None)
    if row is None or row.state != "pending":
        return []
    adapter.discard_migration(prev)
    cell_files.forget(prev)
    return [f"Replaced {rel}: this cell wrote it on an earlier run and it was never applied."]


def check_history(rows: tuple[MigrationRow, ...], allow_modified: bool) -> tuple[str, ...]:
    """Stop on failed or modified applied migrations before anything runs."""
    failed = [r for r in rows if r.state == "failed"]
    if failed:
        bad = failed[0]
        detail = f": {bad.note}" if bad.note else ""
        raise NeedsResolve(
            f"Migration {bad.migration} is recorded as failed (it started and did not finish{detail}).",
            next_step=f"Check what it left behind, then `dbm resolve {bad.migration} --rolled-back` (it did not "
            f"take effect, or you reverted it) or `--applied` (you completed it by hand); then migrate "
            "again.",
        )
    modified = [r.migration for r in rows if r.state == "modified"]
    if modified and not allow_modified:
        raise ChecksumMismatch(
            f"Applied migration(s) changed on disk since they were applied: {', '.join(modified)}. Databases "
            "migrated from the old and the new file would differ.",
            next_step="Restore the file(s) from version control and put new changes in a new migration; or, if the "
            "edit is cosmetic, pass --allow-modified-applied to run anyway.",
        )
    return (
        (f"Applied migration(s) modified on disk, allowed by --allow-modified-applied: {', '.join(modified)}",)
        if modified
        else ()
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
    """Apply pending migrations (up to ``to``); with ``sql`` (a cell), first write it as a new migration."""
    ctx = resolve_context(path, env)
    adapter = writing_adapter(ctx)
    adapter.app = app or adapter.app
    if adapter.read_only and not dry_run:  # a preview is fine; running would stop after the backup
        raise UnsupportedOperation(
            f"dbmigrate_magic cannot apply migrations for {adapter.display_name} projects (read-only support).",
            next_step=f"Run them with {adapter.display_name} itself; `dbm migrate --dry-run` previews them "
            "and `dbm lint --pending` lints them.",
        )
    environment = ctx.require_environment()
    db = ctx.database()
    look = ctx.database(read_only=True)  # planning and previewing create nothing (not even a SQLite file)
    created: str | None = None
    notes: list[str] = []
    discard = None
    pending_new: PlannedStep | None = None
    if sql is not None:
        up, down = split_sections(sql)
        if not up.strip():
            raise UsageProblem(
                "The cell holds no SQL for the up part.",
                next_step="Put the SQL in the cell body, optionally under `-- UP` and `-- DOWN`.",
            )
        if not ctx.project.has_tool:  # the first migration of a new project: said once (then raw SQL is detected)
            notes.append(
                "No migration tool was detected here: this cell's migration is written as raw SQL in "
                "migrations/ (dbm's own format; `dbm detect` shows what was looked for)."
            )
        mig_name = _check_name(name) if name else default_name(up)
        existing = adapter.find_migration(mig_name, up, down)
        notes.extend(_replace_cells_pending_file(adapter, look, existing.path if existing else None))
        if existing is not None:
            row = next((r for r in adapter.history(look).rows if r.migration == existing.id), None)
            state = row.state if row else "pending"
            notes.append(
                f"This cell's migration already exists as {adapter.relative(existing.path)} ({state}); "
                "no new migration was written."
            )
            if state in ("applied", "modified"):
                return ChangeResult(
                    "migrate",
                    "up to date",
                    None,
                    (),
                    f"{existing.id} is already applied.",
                    adapter.relative(existing.path),
                    tuple(notes),
                )
            to = to or existing.id
        elif dry_run:
            pending_new = PlannedStep(f"{mig_name} (new)", None, "up", up, dialect_for(db).transactional_ddl)
            notes.append("Dry run: the new migration file was not written.")
        else:
            written = adapter.new_migration(mig_name, up, down)
            created = adapter.relative(written)
            cell_files.remember(written)

            def discard() -> str:
                cell_files.forget(written)
                return adapter.discard_migration(written)

    guard_notes = check_history(adapter.history(look).rows, allow_modified)
    notes.extend(guard_notes)
    notes.extend(adapter.preview_notes(look))

    def plan():
        steps = adapter.plan_apply(look, to)
        if pending_new is not None:
            steps = steps + [pending_new]
        return make_preview("migrate", adapter, environment, steps, ctx, look, tuple(notes))

    try:
        preview = plan()
    except ForeignTrackingTable:
        if discard is not None:  # the cell's file goes too: a refusal changes nothing
            discard()
        raise
    if not preview.steps:
        return ChangeResult(
            "migrate", "up to date", preview, (), "Nothing to apply: the database is up to date.", created, tuple(notes)
        )
    return finish(
        "migrate",
        preview,
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        run=lambda: adapter.apply(db, list(preview.steps)),
        replan=plan,
        done_status="applied",
        ctx=ctx,
        db=db,
        created=created,
        notes=tuple(notes),
        discard=discard,
        no_backup=no_backup,
    )


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
    """Revert the last migration, ``steps`` of them, or back to (not including) ``to``."""
    if steps is not None and to is not None:
        raise UsageProblem("--steps and --to cannot be used together.", next_step="Pass one of them.")
    if steps is not None and steps < 1:
        raise UsageProblem("--steps must be 1 or more.", next_step="Pass --steps 1 to revert the last migration.")
    ctx = resolve_context(path, env)
    adapter = writing_adapter(ctx)
    environment = ctx.require_environment()
    db = ctx.database()
    look = ctx.database(read_only=True)

    def plan():
        # steps None = the tool's own default unit (Knex: the last batch; the others: one migration)
        planned = adapter.plan_rollback(look, steps, to)
        return make_preview("rollback", adapter, environment, planned, ctx, look)

    preview = plan()
    if not preview.steps:
        return ChangeResult("rollback", "up to date", preview, (), "Nothing to roll back.")
    return finish(
        "rollback",
        preview,
        dry_run=dry_run,
        yes=yes,
        confirm=confirm,
        run=lambda: adapter.rollback(db, list(preview.steps)),
        replan=plan,
        done_status="rolled back",
        ctx=ctx,
        db=db,
        no_backup=no_backup,
    )
