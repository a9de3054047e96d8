"""``seed``: the project's seeds (the tool's own, then the seed folder) or one table from a DataFrame/CSV.

Previewed and confirmed like migrate: the preview is a rehearsal (the whole load in a transaction
that is rolled back), so it shows the real per-table counts and SQL; the production guard and the
automatic backup are the pipeline's (``pipeline.decide``, ``safety.gate``). Production is refused
unless the seed is meant for it: ``--production``, or a ``seeds/<production env>/`` folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..adapters.base import PlannedStep
from ..change import Preview
from ..context import resolve_context
from ..errors import ProductionRefused, UsageProblem
from ..masking import mask
from ..seeding.load import ScriptRun, TableCount
from ..seeding.sources import ScriptSeed, TableSeed, read_csv, read_folder, split_key
from .pipeline import decide
from .seed_result import NativeOutcome, SeedResult

if TYPE_CHECKING:
    from ..context import Context
    from ..db import Database

__all__ = ["SeedResult", "seed"]


@dataclass
class SeedPlan:
    tables: list[TableSeed]
    scripts: list[ScriptSeed]
    native: list[Any]  # seeding.native.NativeSeed
    meant_for_production: bool
    where: str  # what the plan came from, for messages

    @property
    def empty(self) -> bool:
        return not (self.tables or self.scripts or self.native)


def _native_module() -> Any:
    """``seeding.native`` (the tools' own seeds), imported when a seed runs."""
    from ..seeding import native

    return native


def _one_table(table: str | None, frame: Any, from_csv: str | None, key: Any, ctx: Context) -> TableSeed | None:
    if table is None:
        if frame is not None or from_csv is not None:
            raise UsageProblem(
                "--from and --from-csv need --table: the table the rows go to.", next_step="Add --table T."
            )
        return None
    if from_csv is not None:
        path = Path(from_csv)
        path = path if path.is_absolute() else Path.cwd() / path
        if not path.is_file():
            raise UsageProblem(f"There is no CSV file {from_csv}.", next_step="Check the path (relative to here).")
        return TableSeed(table, read_csv(path), split_key(key), (str(from_csv),))
    if frame is None:
        raise UsageProblem(
            f"--table {table} needs rows: --from VAR (a DataFrame in the notebook) or --from-csv FILE.",
            next_step="Add one of them.",
        )
    if isinstance(frame, str):
        raise UsageProblem(
            f"--from {frame} names a notebook variable; in a terminal there is none.",
            next_step="Use --from-csv FILE, or run %dbm seed in the notebook that holds the DataFrame.",
        )
    import pandas as pd

    if not isinstance(frame, pd.DataFrame):
        raise UsageProblem(
            f"--from needs a pandas DataFrame, not a {type(frame).__name__}.",
            next_step="Pass a DataFrame (pd.DataFrame(rows) turns a list of dicts into one).",
        )
    return TableSeed(table, frame, split_key(key), ("DataFrame",))


def make_plan(ctx: Context, kw: dict[str, Any]) -> SeedPlan:
    """What this call seeds (read again on confirmation, so an edited file is noticed)."""
    env = ctx.require_environment()
    single = _one_table(kw["table"], kw["frame"], kw["from_csv"], kw["key"], ctx)
    if single is not None:
        return SeedPlan([single], [], [], kw["production"], single.source)
    tables: list[TableSeed] = []
    scripts: list[ScriptSeed] = []
    native: list[Any] = []
    meant = kw["production"]
    where = []
    if not kw["native_only"]:
        folder = read_folder(ctx.project.root, kw["folder"], env.name)
        tables, scripts = list(folder.tables), list(folder.scripts)
        meant = meant or folder.has_env_folder
        where.append(", ".join(str(f.relative_to(ctx.project.root)) for f in folder.folders) or "no seed folder")
    module = _native_module()
    if not kw["ours_only"]:
        fixtures = split_key(kw["fixtures"]) or ()
        native = list(module.find_native_seeds(ctx, fixtures=fixtures))
        where.extend(n.label for n in native)
    return SeedPlan(tables, scripts, native, meant, "; ".join(where))


def _steps(plan: SeedPlan, kw: dict[str, Any]) -> tuple[PlannedStep, ...]:
    steps = [
        PlannedStep(f"{n.tool} seed", n.source, "up", "-- runs: " + " ".join(n.command), False) for n in plan.native
    ]
    for t in plan.tables:
        key = ",".join(t.key) if t.key else "primary key"
        lines = [f"-- upsert {len(t.frame)} row(s) into {t.table}, matched on {key} (data sha256 {t.fingerprint()})"]
        if kw["reset"]:
            lines.append(f"DELETE FROM {t.table};")
        if kw["prune"]:
            lines.append(f"-- then delete the rows of {t.table} whose key the seed no longer has")
        steps.append(PlannedStep(f"seed {t.table}", t.source, "up", "\n".join(lines), True))
    for s in plan.scripts:
        text = s.text if s.kind == "sql" else f"-- calls seed(conn) in {s.source} (sha256 {s.fingerprint()})"
        steps.append(PlannedStep(f"script {s.source}", s.source, "up", text, True))
    return tuple(steps)


def _preview(plan: SeedPlan, ctx: Context, db: Database, kw: dict[str, Any]) -> Preview:
    from ..safety.gate import guard_review

    env = ctx.require_environment()
    preview = Preview(
        verb="seed",
        tool="dbm seed",
        environment=env.name,
        database=env.masked_url,
        production=env.production,
        classification=env.classification,
        steps=_steps(plan, kw),
    )
    return guard_review(preview, ctx, db)


def _guard_production(plan: SeedPlan, ctx: Context, kw: dict[str, Any]) -> None:
    from ..safety.guard import environment_class, refuse_dev_only

    env = ctx.require_environment()
    for flag in ("prune", "reset"):
        if kw[flag]:
            refuse_dev_only(f"seed --{flag}", env)
    if environment_class(env) == "production" and not plan.meant_for_production:
        raise ProductionRefused(
            f"Refused: '{env.name}' is a production environment and this seed is not marked for production.",
            unchanged=f"Nothing was written to {env.name}.",
            next_step=f"If these rows belong in production, put them in seeds/{env.name}/ (with seeds/common/) "
            f"or pass --production; then confirm with --confirm {env.name} (a backup is taken first).",
        )


def _run(
    plan: SeedPlan, ctx: Context, db: Database, preview: Preview, kw: dict[str, Any], notes: list[str]
) -> SeedResult:
    """Tool seeds first (their own transactions), then ours in one transaction."""
    from ..seeding.load import seed_database

    outcomes = []
    module = _native_module()
    for n in plan.native:
        run = module.run_native_seed(n, ctx)
        outcomes.append(
            NativeOutcome(
                n.tool,
                n.label,
                " ".join(n.command),
                n.source,
                "ran" if run.ok else "failed",
                run.exit_code,
                round(run.seconds, 3),
                mask(run.output),
            )
        )
        if not run.ok:
            return SeedResult(
                "failed",
                f"{n.label} exited with {run.exit_code}; the seeds after it did not run "
                "(what it wrote is the tool's own doing: see its output).",
                preview,
                native=tuple(outcomes),
                notes=tuple(notes),
            )
    report = seed_database(db, plan.tables, plan.scripts, prune=kw["prune"], reset=kw["reset"], commit=True)
    done = sum(c.inserted + c.updated + c.deleted for c in report.counts)
    message = f"{done} row(s) written in one transaction." if plan.tables else "Seeds ran."
    if plan.tables and not done:
        message = "Nothing to change: every row was already there."
    return SeedResult(
        "seeded",
        message,
        preview,
        tuple(report.counts),
        tuple(report.scripts),
        tuple(outcomes),
        tuple(report.sql),
        tuple(report.order),
        tuple(notes + report.notes),
    )


def seed(path: Any, **kw: Any) -> SeedResult:
    ctx = resolve_context(path, kw["env"])
    db = ctx.database()
    try:
        return _seed(ctx, db, kw)
    finally:
        db.dispose()


def _seed(
    ctx: Context, db: Database, kw: dict[str, Any], phrase: str | None = None, confirmed: bool = False
) -> SeedResult:
    plan = make_plan(ctx, kw)
    if plan.empty:
        return SeedResult(
            "nothing to seed",
            f"No seeds found ({plan.where}). Put rows in seeds/common/<table>.csv (or .json/.yaml), "
            "or load a DataFrame with --table T --from VAR.",
            None,
        )
    _guard_production(plan, ctx, kw)
    preview = _preview(plan, ctx, db, kw)
    yes, confirm = (not preview.production, phrase) if confirmed else (kw["yes"], kw["confirm"])
    decision, message = decide(preview, dry_run=kw["dry_run"] and not confirmed, yes=yes, confirm=confirm)
    if decision == "run":
        from ..safety.gate import before_run

        db.require_database_name()
        notes = before_run(preview, ctx, db, yes=yes, confirm=confirm, no_backup=kw["no_backup"])
        return _run(plan, ctx, db, preview, kw, list(notes))
    scripts: tuple[ScriptRun, ...] = ()
    counts: tuple[TableCount, ...] = ()
    sql: tuple[str, ...] = ()
    order: tuple[str, ...] = ()
    rehearsal_notes: tuple[str, ...] = ()
    if decision != "refused" and (plan.tables or plan.scripts):
        from ..seeding.load import seed_database

        report = seed_database(db, plan.tables, plan.scripts, prune=kw["prune"], reset=kw["reset"], commit=False)
        scripts = tuple(report.scripts)
        counts, sql, order, rehearsal_notes = (
            tuple(report.counts),
            tuple(report.sql),
            tuple(report.order),
            tuple(report.notes),
        )
    native = tuple(NativeOutcome(n.tool, n.label, " ".join(n.command), n.source, "planned") for n in plan.native)
    if plan.native:
        rehearsal_notes += ("The tool's own seeds cannot be rehearsed: the preview shows their commands.",)

    def runner(answer: str | None) -> SeedResult:
        fresh_db = ctx.database()
        try:
            fresh = _preview(make_plan(ctx, kw), ctx, fresh_db, kw)
            if fresh.signature != preview.signature:
                return SeedResult(
                    "refused",
                    "The seed changed since the preview (an edited file or DataFrame): nothing was written. "
                    "Look at the new preview and confirm again.",
                    fresh,
                )
            return _seed(ctx, fresh_db, kw, answer, confirmed=True)
        finally:
            fresh_db.dispose()

    return SeedResult(
        decision,
        message,
        preview,
        counts,
        scripts,
        native,
        sql,
        order,
        rehearsal_notes,
        runner=runner if decision == "awaiting confirmation" else None,
    )
