"""``plan``: a zero-downtime expand/contract plan for a risky change (a cell of SQL, a migration file,
or the pending migrations), shown step by step with the deploy checklist; ``write`` stores each
step as its own migration in the project's tool. Nothing is applied here."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..context import resolve_context
from ..dialects import dialect_for
from ..errors import UnsupportedOperation, UsageProblem
from ..online.model import OnlinePlan
from ..results import Result
from .migrate import writing_adapter
from .preview import ChangeResult


@dataclass(frozen=True)
class PlannedChange:
    """The plan of one source (the cell, a file, one pending migration)."""

    source: str
    plan: OnlinePlan
    removed: tuple[str, ...]


@dataclass(frozen=True, repr=False)
class PlanResult(Result):
    title: ClassVar[str] = "dbm plan"

    tool: str
    changes: tuple[PlannedChange, ...]
    written: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def table(self) -> list[dict[str, Any]] | None:
        return [{"source": c.source, **s.as_row()} for c in self.changes for s in c.plan.steps]

    def summary_lines(self) -> list[str]:
        return self.to_text().splitlines()

    def to_text(self) -> str:
        from ..masking import mask

        out: list[str] = []
        n = 0
        for change in self.changes:
            out.append(f"Plan for {change.source} ({self.tool}):")
            for rw in change.plan.rewrites:
                out.append(f"\n* {rw.family}: {rw.statement}")
                if rw.why:
                    out.append(f"  why: {rw.why}")
                out += [f"  note: {note}" for note in rw.notes]
                for step in rw.steps:
                    n += 1
                    kind = "migration" if step.is_migration else ("backfill" if step.backfill else "engine")
                    tx = "" if step.transactional else ", outside a transaction"
                    out.append(f"\n  {n}. [{step.phase}] {step.name} ({kind}{tx})")
                    out.append(f"     locks: {step.locks}; held: {step.lock_time}")
                    if step.backfill is not None:
                        out.append(f"     run: {step.backfill.command()}")
                    elif step.engine is not None:
                        run = step.engine
                        out.append(f"     engine: {run.engine} instead of: {step.up}")
                        out.append(f"     run: {run.command()}  (password from a 0600 file, never the command line)")
                        if not run.installed:
                            out.append(f"     {run.engine} is not installed here: {run.install}")
                    else:
                        out += ["     up:"] + [f"       {line}" for line in step.up.splitlines()]
                        if step.down:
                            out += ["     down:"] + [f"       {line}" for line in step.down.splitlines()]
                    if step.then:
                        out.append(f"     then: {step.then}")
            removed = ", ".join(change.removed) or "none"
            left = ", ".join(change.plan.findings_after) or "none"
            out.append(f"\nLint findings this plan removes: {removed}; findings in its steps: {left}.")
        out += [f"Wrote {w}" for w in self.written]
        out += self.notes
        if not self.written:
            out.append("Nothing was written or applied. `--write` stores the migrations; run them one at a time.")
        return mask("\n".join(out))


def _sources(ctx, adapter, file: str | None, sql: str | None, pending: bool, look) -> list[tuple[str, str, Any]]:
    """(label, SQL, pending migration file or None) to plan."""
    given = [x for x in (file, sql, pending or None) if x]
    if len(given) != 1:
        raise UsageProblem(
            "plan needs exactly one source: a migration FILE, --pending, or a %%dbm plan cell of SQL.",
            next_step="e.g. `dbm plan migrations/20260101_change.sql` or `dbm plan --pending`.",
        )
    if sql is not None:
        from ..adapters.rawsql.files import split_sections

        return [("the cell", split_sections(sql)[0], None)]
    if file is not None:
        path = Path(file)
        path = path if path.is_absolute() or path.exists() else ctx.project.root / path
        if not path.is_file():
            raise UsageProblem(f"There is no file {file}.", next_step="Give the path of a migration's SQL file.")
        text = path.read_text(encoding="utf-8")
        parts = adapter.file_parts(text)
        return [(adapter.relative(path.resolve()), parts[0][0] if parts else text, None)]
    steps = adapter.plan_apply(look)
    if not steps:
        raise UsageProblem("There are no pending migrations to plan.", next_step="`dbm status` lists the migrations.")
    files = {f.id: f for f in adapter.migration_files()}
    return [(s.file or s.migration, s.sql, files.get(s.migration)) for s in steps]


def _plan_pg(sql: str, db: Any, pg_version: str | int | None, label: str) -> OnlinePlan:
    from ..online.planner import plan_pg

    return plan_pg(sql, db, pg_version, label)


def _plan_mysql(sql: str, db: Any, pg_version: str | int | None, label: str) -> OnlinePlan:
    from ..online.mysql_online import plan_mysql

    return plan_mysql(sql, db, label)


#: the planner for each kind of plan a dialect says it gets (``Dialect.online_plans``)
_PLANNERS = {"expand-contract": _plan_pg, "algorithm-clause": _plan_mysql}


def plan(
    file: str | None = None,
    *,
    sql: str | None = None,
    pending: bool = False,
    env: str | None = None,
    project: str | Path | None = None,
    write: bool = False,
    pg_version: str | int | None = None,
    apply: bool = False,
    yes: bool = False,
    confirm: str | None = None,
    dry_run: bool = False,
    no_backup: bool = False,
) -> PlanResult | ChangeResult:
    from ..online.pg_live import LiveSchema
    from ..online.planner import plan_sql
    from ..online.write import write_plan

    ctx = resolve_context(project, env)
    adapter = writing_adapter(ctx)
    look = ctx.database(read_only=True) if ctx.environment is not None else None
    # the steps' SQL (dollar-quoted trigger functions) is split for the database it was planned on
    adapter.sql_dialect = look.dialect if look is not None else "postgresql"
    planner: Callable[..., OnlinePlan] | None = (
        _PLANNERS.get(dialect_for(look).online_plans or "") if look is not None else None
    )
    if look is None:  # no database: the rewrites that need no live schema still plan (PostgreSQL)
        live = LiveSchema(None)

        def planner(text: str, db: Any, version: str | int | None, label: str) -> OnlinePlan:
            return plan_sql(text, live, version, label)

    if planner is None:
        raise UnsupportedOperation(
            f"dbm plan writes plans for PostgreSQL and MySQL/MariaDB; {getattr(look, 'dialect', 'this database')} is not planned.",
            unchanged="Nothing was written.",
            next_step="`dbm lint` shows each risky statement with its safe alternative for this database.",
        )
    changes, written, notes = [], [], []
    sources = [
        (label, planner(text, look, pg_version, Path(label).stem if original is not None else "change"), original)
        for label, text, original in _sources(ctx, adapter, file, sql, pending, look)
    ]
    if apply:
        from .plan_apply import apply_plan

        if not pending and look is not None:
            _refuse_other_pending(adapter, look)

        return apply_plan(
            ctx,
            adapter,
            sources,
            replace=lambda path: _replace(adapter, ctx.project.root, path),
            yes=yes,
            confirm=confirm,
            dry_run=dry_run,
            no_backup=no_backup,
        )
    for label, online, original in sources:
        changes.append(PlannedChange(label, online, online.removed))
        if write:
            for name, path, how in write_plan(adapter, online):
                written.append(adapter.relative(path))
                if how:
                    notes.append(f"{name} runs outside a transaction: {how}.")
            if original is not None:
                notes.append(_replace(adapter, ctx.project.root, original.path))
    return PlanResult(adapter.tool, tuple(changes), tuple(written), tuple(notes))


def _refuse_other_pending(adapter: Any, look: Any) -> None:
    """Each written step is applied with the tool's runner up to it, which runs every migration pending
    before it too: those would run unpreviewed, and a failure among them be reported as the plan's."""
    others = [s.file or s.migration for s in adapter.plan_apply(look)]
    if others:
        listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
        raise UsageProblem(
            f"plan --apply runs only the plan's steps, and {len(others)} other migration(s) are pending: {listed}. "
            "Applying the steps would run them too, without their preview.",
            unchanged="Nothing was written or applied.",
            next_step="Apply those first (`dbm migrate`, previewed), or plan them too with `dbm plan --pending --apply`.",
        )


def _replace(adapter, root: Path, path: Path) -> str:
    """The pending migration the plan replaces is moved aside, so it never also runs as written."""
    keep = root / ".dbm" / "replaced"
    keep.mkdir(parents=True, exist_ok=True)
    target = keep / path.name
    if path.is_dir():
        shutil.copytree(path, target, dirs_exist_ok=True)
    else:
        shutil.copy2(path, target)
    adapter.discard_migration(path)
    return (
        f"The pending migration {adapter.relative(path)} is replaced by the plan's steps (a copy is in "
        f"{adapter.relative(target)})."
    )
