"""``migrate --fleet`` and ``rollback --fleet``: one preview, canaries first, then K targets at a time.

Every target is planned from its own tracking table; the distinct steps make one preview (the SQL
is the same for every target), reviewed like a single database's (lint, guard) and confirmed once
for the fleet (``--yes``, or ``--confirm FLEETNAME`` when a target is production). The first N
pending targets (canaries) run first; the rest follow only when every canary succeeded, with
``--yes`` or after a second confirmation. No target starts after one failed unless
``--keep-going``. Each target replans right before it runs, so a rerun after an interruption skips
what its tracking table already records: nothing is applied twice.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from ..adapters.base import PlannedStep
from ..change import Preview
from ..config import Environment
from ..errors import DbmError, MigrationFailed, UsageProblem
from ..fleet.runner import Progress, TargetOutcome, process_pool, run_targets, terminal_progress
from ..fleet.targets import Fleet, Target, load_fleet, require_tenant_schema
from ..masking import mask
from .fleet_result import FleetChangeResult, TargetPlan
from .migrate import check_history, writing_adapter
from .pipeline import decide, execute, make_preview

DONE_STATUS = {"migrate": "applied", "rollback": "rolled back"}


@dataclasses.dataclass(frozen=True)
class Options:
    """The flags of one fleet run, carried to every target."""

    verb: str
    to: str | None
    steps: int | None
    allow_modified: bool
    no_backup: bool
    canary: int
    parallel: int
    keep_going: bool


def _key(step: PlannedStep) -> tuple[str, str, str]:
    return step.migration, step.direction, step.sql


def plan_target(fleet: Fleet, target: Target, opts: Options) -> TargetPlan:
    """The target's steps from its own tracking table (read only), or why it cannot run."""
    ctx = fleet.context(target)
    look = None
    try:
        adapter = writing_adapter(ctx)
        look = ctx.database(read_only=True)
        require_tenant_schema(look)
        if opts.verb == "migrate":
            from ..adapters.ownership import refuse_foreign_tables

            refuse_foreign_tables(adapter, look)  # each target, not only the one the preview was made on
            check_history(adapter.history(look).rows, opts.allow_modified)
            planned = adapter.plan_apply(look, opts.to)
        else:
            planned = adapter.plan_rollback(look, opts.steps, opts.to)
        return TargetPlan(target, tuple(planned))
    except DbmError as exc:
        return TargetPlan(target, (), exc.message)
    except Exception as exc:  # a driver's surprise on one target must not hide the others
        return TargetPlan(target, (), mask(f"{type(exc).__name__}: {exc}"))
    finally:
        if look is not None:
            look.dispose()


def plan_fleet(fleet: Fleet, opts: Options) -> list[TargetPlan]:
    """Every target's plan, several at a time: threads, or K worker processes for tools that change
    process-wide state while they plan (Alembic renders each target's SQL with its own commands)."""
    if not type(fleet.project.adapter).thread_safe:
        if opts.parallel < 2 or len(fleet.targets) < 2:
            return [plan_target(fleet, t, opts) for t in fleet.targets]
        with process_pool(min(opts.parallel, len(fleet.targets))) as pool:
            return list(pool.map(partial(plan_target, fleet.fresh(), opts=opts), fleet.targets))
    found: dict[str, TargetPlan] = {}

    def work(target: Target) -> TargetOutcome:
        found[target.name] = plan_target(fleet, target, opts)
        return TargetOutcome(target.name, "planned")

    run_targets(fleet.targets, work, parallel=max(opts.parallel, 4), keep_going=True, name=lambda t: t.name)
    return [found[t.name] for t in fleet.targets]


def fleet_preview(fleet: Fleet, plans: list[TargetPlan], verb: str) -> Preview | None:
    """One reviewed preview of every distinct step, made on the target with the longest plan."""
    runnable = [p for p in plans if p.steps and not p.problem]
    if not runnable:
        return None
    steps: dict[tuple[str, str, str], PlannedStep] = {}
    for plan in sorted(runnable, key=lambda p: -len(p.steps)):
        for step in plan.steps:
            steps.setdefault(_key(step), step)
    ref = max(runnable, key=lambda p: len(p.steps))
    production = [t.name for t in fleet.targets if t.production]
    why = f"production targets: {', '.join(production[:5])}" + (" ..." if len(production) > 5 else "")
    env = Environment(
        fleet.spec.name,
        ref.target.environment.url,
        f"fleet {fleet.spec.name}",
        bool(production),
        why if production else "no target is production",
        (),
        ref.target.environment.schema,
    )
    ctx = fleet.context(ref.target)
    look = ctx.database(read_only=True)
    try:
        preview = make_preview(verb, writing_adapter(ctx), env, list(steps.values()), ctx, look)
    finally:
        look.dispose()
    where = f"{len(runnable)} of {len(plans)} targets to change, e.g. {ref.target.environment.masked_url}"
    return dataclasses.replace(preview, database=where)


def run_target(fleet: Fleet, target: Target, preview: Preview, opts: Options, canary: bool) -> TargetOutcome:
    """Replan the target, refuse steps the preview did not show, guard and back up, then run."""
    t0 = time.perf_counter()

    def outcome(state: str, message: str, steps: tuple[PlannedStep, ...] = ()) -> TargetOutcome:
        migrations = tuple(s.migration for s in steps)
        return TargetOutcome(
            target.name, state, len(steps), mask(message), time.perf_counter() - t0, migrations, target.schema, canary
        )

    plan = plan_target(fleet, target, opts)
    if plan.problem:
        return outcome("failed", plan.problem)
    if not plan.steps:
        return outcome("up to date", "nothing to do (its tracking table records it done)")
    shown = {_key(s) for s in preview.steps}
    unseen = [s.migration for s in plan.steps if _key(s) not in shown]
    if unseen:
        return outcome("refused", f"its plan has steps the preview did not show ({', '.join(unseen)}): not run")
    ctx = fleet.context(target)
    db = ctx.database()
    try:
        adapter = writing_adapter(ctx)
        env = target.environment
        mine = dataclasses.replace(
            preview,
            environment=target.name,
            database=env.masked_url,
            production=env.production,
            classification=env.classification,
            steps=plan.steps,
        )
        db.require_database_name()
        notes: list[str] = []
        if env.production:  # the fleet's name was typed back; each target still gets its backup
            from ..safety.gate import before_run

            notes = before_run(mine, ctx, db, yes=True, confirm=target.name, no_backup=opts.no_backup)
        run = adapter.apply if opts.verb == "migrate" else adapter.rollback
        done = execute(opts.verb, mine, lambda: run(db, list(plan.steps)), DONE_STATUS[opts.verb])
        if done.outcomes and all(o.state == "skipped" for o in done.outcomes):  # another run did them all
            return outcome("up to date", " ".join([done.message, *notes]))
        return outcome(DONE_STATUS[opts.verb], " ".join([done.message, *notes]), plan.steps)
    except MigrationFailed as exc:
        told = f"{exc.what} {exc.unchanged}" + (f" Next: {exc.next_step}" if exc.next_step else "")
        return outcome("failed", on_target(told, target), plan.steps)
    except DbmError as exc:
        return outcome("failed", exc.message, plan.steps)
    except Exception as exc:
        return outcome("failed", f"{type(exc).__name__}: {exc}", plan.steps)
    finally:
        db.dispose()


def _result(fleet: Fleet, opts: Options, status: str, preview: Preview | None, message: str, targets, **kw):
    return FleetChangeResult(
        opts.verb, status, preview, (), mask(message), None, (), fleet=fleet.spec.name, targets=tuple(targets), **kw
    )


def on_target(message: str, target: Target) -> str:
    """A single-database command in a target's advice must reach that target, not the default
    environment: say how to point it there."""
    if "`dbm " not in message:
        return message
    where = " with ?options=-csearch_path%3D" + target.schema if target.environment.schema and target.schema else ""
    return (
        f"{message} Run that command against this target: add --env with target {target.name}'s URL "
        f"from the fleet file{where}."
    )


def _merge(plans: list[TargetPlan], ran: dict[str, TargetOutcome]) -> list[TargetOutcome]:
    """Every target in the fleet's order: what ran, else what its plan said."""
    out = []
    for p in plans:
        t = p.target
        if t.name in ran:
            out.append(dataclasses.replace(ran[t.name], schema=t.schema))
        elif p.problem:
            out.append(TargetOutcome(t.name, "blocked", message=on_target(p.problem, t), schema=t.schema))
        elif p.steps:
            out.append(TargetOutcome(t.name, "pending", len(p.steps), schema=t.schema))
        else:
            out.append(TargetOutcome(t.name, "up to date", schema=t.schema))
    return out


def run_phase(
    fleet: Fleet, opts: Options, preview: Preview, plans: list[TargetPlan], ran: dict[str, TargetOutcome], auto: bool
) -> FleetChangeResult:
    """Canaries (those not run yet), then, when all succeeded and ``auto``, the rest K at a time."""
    t0 = time.perf_counter()
    pending = [p.target for p in plans if p.steps and not p.problem and p.target.name not in ran]
    canaries = [] if ran else pending[: opts.canary]
    rest = pending[len(canaries) :]
    # counted over the whole run: after the canaries' confirmation the count goes on from them
    progress = Progress(len(pending) + len(ran), terminal_progress(), len(ran), sum(o.failed for o in ran.values()))
    name: Callable[[Target], str] = lambda t: t.name  # noqa: E731
    processes = not type(fleet.project.adapter).thread_safe
    if canaries:
        for o in run_targets(
            canaries,
            partial(run_target, fleet.fresh(), preview=preview, opts=opts, canary=True),
            parallel=min(opts.parallel, len(canaries)),
            keep_going=False,
            progress=progress,
            name=name,
            processes=processes,
        ):
            ran[o.target] = o
        bad = [o for o in ran.values() if o.failed]
        if bad:
            return _failed(fleet, opts, preview, plans, ran, bad, "canary ")
        if rest and not auto:
            names = ", ".join(t.name for t in canaries)
            return _result(
                fleet,
                opts,
                "awaiting confirmation",
                preview,
                f"Every canary succeeded ({names}). Nothing else was run yet: confirm to run the other "
                f"{len(rest)} target(s), {opts.parallel} at a time ({preview.confirmation_flag()} on the command line).",
                _merge(plans, ran),
                runner=lambda phrase: run_phase(fleet, opts, preview, plans, dict(ran), True),
            )
    for o in run_targets(
        rest,
        partial(run_target, fleet.fresh(), preview=preview, opts=opts, canary=False),
        parallel=opts.parallel,
        keep_going=opts.keep_going,
        progress=progress,
        name=name,
        processes=processes,
    ):
        ran[o.target] = o
    bad = [o for o in ran.values() if o.failed]
    blocked = [p.target.name for p in plans if p.problem]
    if bad or blocked:
        return _failed(fleet, opts, preview, plans, ran, bad, "")
    done = sum(o.state == DONE_STATUS[opts.verb] for o in ran.values())
    return _result(
        fleet,
        opts,
        DONE_STATUS[opts.verb],
        preview,
        f"{done} target(s) {DONE_STATUS[opts.verb]}; {len(plans) - done} already up to date.",
        _merge(plans, ran),
        seconds=round(time.perf_counter() - t0, 3),
    )


def _failed(fleet, opts, preview, plans, ran, bad, kind: str) -> FleetChangeResult:
    merged = _merge(plans, ran)
    left = sum(o.state == "not started" or o.state == "pending" for o in merged)
    first = bad[0] if bad else None
    blocked = [p.target.name for p in plans if p.problem]
    if first:
        head = f"{kind}target {first.target} failed: {first.message.rstrip()}\n{len(bad)} target(s) failed"
    else:
        head = "no target failed"
    if blocked:
        head += f", {len(blocked)} blocked ({', '.join(blocked[:5])}{', ...' if len(blocked) > 5 else ''})"
    msg = (
        f"{head}, {left} not started (unchanged). Fix what failed or is blocked, then run the same "
        "command again: targets already done are skipped."
    )
    return _result(fleet, opts, "failed", preview, msg, merged)


def fleet_change(
    verb: str, fleet_file: str | Path | None, project: str | Path | None, *, dry_run: bool, yes: bool,
    confirm: str | None, **options,
) -> FleetChangeResult:  # fmt: skip
    """Plan every target, preview once, then decide from the flags (see the module docstring)."""
    opts = Options(verb=verb, **options)
    if opts.parallel < 1 or opts.canary < 0:
        raise UsageProblem("--parallel must be 1 or more and --canary 0 or more.", next_step="e.g. --parallel 4.")
    fleet = load_fleet(fleet_file, project)
    plans = plan_fleet(fleet, opts)
    problems = [p for p in plans if p.problem]
    preview = fleet_preview(fleet, plans, verb)
    if problems and not opts.keep_going:
        listed = "; ".join(f"{p.target.name}: {p.problem}" for p in problems[:5])
        return _result(
            fleet,
            opts,
            "refused",
            preview,
            f"{len(problems)} target(s) cannot run ({listed}). Nothing was run. Fix them, or pass --keep-going "
            "to run the others.",
            _merge(plans, {}),
        )
    if preview is None and problems:  # --keep-going, and only blocked targets had anything to do
        return _failed(fleet, opts, None, plans, {}, [], "")
    if preview is None:
        return _result(fleet, opts, "up to date", None, "Nothing to do: every target is up to date.", _merge(plans, {}))
    decision, message = decide(preview, dry_run=dry_run, yes=yes, confirm=confirm)
    if decision == "run":
        return run_phase(fleet, opts, preview, plans, {}, auto=True)

    def runner(phrase: str | None) -> FleetChangeResult:
        fresh_plans = plan_fleet(fleet, opts)
        fresh = fleet_preview(fleet, fresh_plans, verb)
        if fresh is None or fresh.signature != preview.signature:
            return _result(
                fleet, opts, "refused", fresh, "The plan changed since the preview: nothing was run. "
                "Look at the new preview and confirm again.", _merge(fresh_plans, {}),
            )  # fmt: skip
        return run_phase(fleet, opts, fresh, fresh_plans, {}, auto=not opts.canary)

    waiting = decision == "awaiting confirmation"
    return _result(fleet, opts, decision, preview, message, _merge(plans, {}), runner=runner if waiting else None)
