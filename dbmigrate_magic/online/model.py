"""The records of a zero-downtime plan: steps (each its own migration), the rewrite of one
statement into steps, and the whole plan with the lint findings it removes."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

#: the deploy checklist of the expand/contract pattern, in order; a step says which one follows it
DEPLOYS = {
    1: "deploy 1: expand (the new schema objects exist; old code keeps working)",
    2: "deploy 2: dual writes (application writes the old and the new column; the sync trigger covers old code)",
    3: "deploy 3: backfill (existing rows get the new value, in batches)",
    4: "deploy 4: switch reads (application reads the new column)",
    5: "deploy 5: stop old writes (application no longer writes the old column)",
    6: "deploy 6: contract after a bake period (old objects are dropped)",
}


@dataclass(frozen=True)
class Backfill:
    """A batched update a step runs with ``dbm backfill`` instead of one long UPDATE."""

    table: str
    set_sql: str
    where: str | None = None

    def command(self) -> str:
        where = f" --where {shlex.quote(self.where)}" if self.where else ""
        return f"dbm backfill {shlex.quote(self.table)} --set {shlex.quote(self.set_sql)}{where}"


@dataclass(frozen=True)
class EngineRun:
    """A table rebuild handed to an online schema-change engine (pt-online-schema-change, pg_repack)."""

    engine: str  # the program
    args: tuple[str, ...]  # its arguments, with no password (that goes in a 0600 file at run time)
    table: str
    why: str
    installed: bool
    install: str  # how to install it where it is missing

    def command(self) -> str:
        return " ".join(shlex.quote(a) for a in (self.engine, *self.args))


@dataclass(frozen=True)
class Step:
    """One step of a plan: a migration (``up``/``down`` SQL) or a backfill, and what it costs."""

    name: str  # the migration's name (slug)
    phase: str  # expand, backfill, validate, switch, contract, index, as written
    up: str = ""
    down: str | None = None
    locks: str = ""  # the strongest lock it takes and on what
    lock_time: str = ""  # how long that lock is expected to be held
    transactional: bool = True  # False: the tool must run it outside a transaction (CONCURRENTLY)
    then: str = ""  # the deploy (or check) that must happen before the next step
    backfill: Backfill | None = None
    engine: EngineRun | None = None

    @property
    def is_migration(self) -> bool:
        return self.backfill is None and self.engine is None

    def as_row(self) -> dict[str, object]:
        return {
            "step": self.name,
            "phase": self.phase,
            "kind": "migration" if self.is_migration else ("backfill" if self.backfill else "engine"),
            "transaction": "yes" if self.transactional else "no (outside a transaction)",
            "locks": self.locks,
            "lock held": self.lock_time,
            "then": self.then,
        }


@dataclass(frozen=True)
class Rewrite:
    """One input statement and the steps that replace it."""

    family: str  # add-not-null-column, change-column-type, rename-column, drop-column, ...
    statement: str
    steps: tuple[Step, ...]
    why: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class OnlinePlan:
    """Every rewrite in input order; ``findings_before``/``after``: lint rule ids of the input and of
    the steps, so ``removed`` says which findings the plan takes away."""

    rewrites: tuple[Rewrite, ...]
    findings_before: tuple[str, ...] = ()
    findings_after: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for r in self.rewrites for s in r.steps)

    @property
    def removed(self) -> tuple[str, ...]:
        after = set(self.findings_after)
        return tuple(sorted({r for r in self.findings_before if r not in after}))
