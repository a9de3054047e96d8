"""Foreign keys of other tables (or the same one) that reference a key column whose type the plan
changes through a copied column.

The naive ``ALTER COLUMN id TYPE bigint`` keeps every referencing foreign key, now pointing at the
new type. The copied column gets the same: each foreign key is copied onto it ``NOT VALID`` (the
copied column's unique index, built concurrently, is the referenced key), validated without
blocking writes, and in the switch the old keys are dropped and the copies take their names. The
copies repeat the original definitions (ON DELETE / ON UPDATE / MATCH / DEFERRABLE) word for word:
only the referenced column differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageProblem
from .model import Step
from .pg_live import Reference
from .pg_sql import VALIDATE, q


def refuse_unsupported(refs: list[Reference], table: str, column: str) -> None:
    """Refuse before anything is written when a key cannot be copied online: a composite one needs a
    unique index over the copied column and its other columns, which the plan does not build; one on
    a partitioned table cannot be added NOT VALID, so its copy would scan that table blocking writes."""
    for found, why, how in (
        (
            [r for r in refs if r.columns > 1],
            "composite: a copy on the copied column would need a unique index over several columns that the "
            "plan does not build",
            "add it back after it (NOT VALID, then VALIDATE CONSTRAINT)",
        ),
        (
            [r for r in refs if r.partitioned and r.columns == 1],
            "on a partitioned table, where PostgreSQL cannot add a foreign key NOT VALID: its copy would scan the "
            "table while blocking writes",
            "add it back after it (NOT VALID then VALIDATE CONSTRAINT on each partition, then on the parent)",
        ),
    ):
        if found:
            listed = ", ".join(f"foreign key {r.name} of {r.table} ({r.definition})" for r in found)
            raise UsageProblem(
                f"Cannot plan a type change of {table}.{column} online: {listed} references it and "
                f"{'is' if len(found) == 1 else 'are'} {why}.",
                unchanged="Nothing was written.",
                next_step=f"Drop that foreign key in a migration before the plan and {how}, or make the change in "
                "a maintenance window.",
            )


def _listed(names: list[str]) -> str:
    *rest, last = names
    return f"{', '.join(rest)} and {last}" if rest else last


def copy_name(name: str) -> str:
    """The copy's name while both exist (cut to PostgreSQL's 63 characters)."""
    return name[: 63 - len("__new")] + "__new"


@dataclass(frozen=True)
class KeyCopies:
    """The copies of ``refs`` onto ``new`` (the copied column of ``table``, quoted)."""

    refs: tuple[Reference, ...]
    table: str
    new: str

    @property
    def tables(self) -> list[str]:
        """The referencing tables other than ``table``, each once, in order."""
        return [t for t in dict.fromkeys(r.table for r in self.refs) if t != self.table]

    def locked(self, lock: str) -> str:
        """``lock`` on ``table`` and every referencing table (what the step's transaction holds)."""
        return f"{lock} on " + _listed([self.table, *self.tables])

    def lock_all(self, mode: str) -> str:
        """Every table's lock taken at once, the key's table first: no lock is upgraded or taken midway
        while writers of an already locked table queue (and the short lock wait covers them all)."""
        return f"LOCK TABLE {', '.join([self.table, *self.tables])} IN {mode} MODE;"

    def _add(self, r: Reference) -> str:
        valid = r.pointing_at(self.new).removesuffix(" NOT VALID")
        return f"ALTER TABLE {r.table} ADD CONSTRAINT {q(copy_name(r.name))} {valid} NOT VALID;"

    def steps(self, table_name: str, column: str) -> list[Step]:
        """Copies added NOT VALID (a catalog change on both tables), then validated (one scan of each
        referencing table; writes continue). A copy of a key that is itself NOT VALID stays so."""
        drop = [f"ALTER TABLE {r.table} DROP CONSTRAINT IF EXISTS {q(copy_name(r.name))};" for r in self.refs]
        steps = [
            Step(
                f"add_{table_name}_{column}_new_foreign_keys",
                "expand",
                "\n".join([self.lock_all("SHARE ROW EXCLUSIVE"), *(self._add(r) for r in self.refs)]),
                "\n".join([self.lock_all("ACCESS EXCLUSIVE"), *reversed(drop)]),
                self.locked("SHARE ROW EXCLUSIVE"),
                "milliseconds: catalog changes, no scan",
                then=f"rows written from now on are checked against {column} and its copy",
            )
        ]
        valid = [r for r in self.refs if r.validated]
        if valid:
            tables = _listed(list(dict.fromkeys(r.table for r in valid)))
            steps.append(
                Step(
                    f"validate_{table_name}_{column}_new_foreign_keys",
                    "validate",
                    "\n".join(f"ALTER TABLE {r.table} VALIDATE CONSTRAINT {q(copy_name(r.name))};" for r in valid),
                    "\n".join(
                        f"ALTER TABLE {r.table} DROP CONSTRAINT {q(copy_name(r.name))};\n{self._add(r)}" for r in valid
                    ),
                    VALIDATE[0].format(t=tables),
                    "one scan of each referencing table; reads and writes continue",
                )
            )
        return steps

    def switch_up(self) -> tuple[list[str], list[str]]:
        """(before the primary key is dropped, at the end): every table locked, the old keys go (they
        hang on the primary key's index), then the copies take their names."""
        before = [self.lock_all("ACCESS EXCLUSIVE")]
        before += [f"ALTER TABLE {r.table} DROP CONSTRAINT {q(r.name)};" for r in self.refs]
        after = [f"ALTER TABLE {r.table} RENAME CONSTRAINT {q(copy_name(r.name))} TO {q(r.name)};" for r in self.refs]
        return before, after

    def switch_down(self) -> tuple[list[str], list[str]]:
        """(first, last) of the switch's reverse: the keys on the new column hang on the primary key's
        index, which the reverse drops, so they are dropped first and both keys re-added at the end
        (each scans its table once, under the switch's locks: a rollback, not the online path)."""
        first = [self.lock_all("ACCESS EXCLUSIVE")]
        first += [f"ALTER TABLE {r.table} DROP CONSTRAINT {q(r.name)};" for r in self.refs]
        last = [f"ALTER TABLE {r.table} ADD CONSTRAINT {q(r.name)} {r.definition};" for r in self.refs]
        last += [
            f"ALTER TABLE {r.table} ADD CONSTRAINT {q(copy_name(r.name))} {r.pointing_at(self.new)};" for r in self.refs
        ]
        return first, last
