"""What a diff produces: changes a person reads, and ordered statements a database runs."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    """One row of the change table."""

    object_type: str  # table, column, index, constraint, view, ...
    schema: str
    name: str
    change: str  # added, removed, changed
    detail: str = ""
    destructive: bool = False
    table: str | None = None  # the table a column/index/constraint belongs to

    def as_row(self) -> dict:
        return {
            "object_type": self.object_type,
            "schema": self.schema,
            "name": self.name,
            "change": self.change,
            "detail": self.detail,
            "destructive": self.destructive,
        }


@dataclass(frozen=True)
class Statement:
    phase: int  # the differ's Phase (an IntEnum listing the order); within a phase, in the order made
    sql: str
    destructive: bool = False
    seq: int = field(default=0, compare=False)
    #: a session setting that only brackets other statements (dropped when nothing else is left)
    wrapper: bool = False


class Collector:
    """Collects changes and statements while a dialect's differ walks two models."""

    def __init__(self) -> None:
        self.changes: list[Change] = []
        self.statements: list[Statement] = []
        self._rows: dict[tuple, int] = {}  # (type, schema, name, change) -> index in ``changes``

    def change(
        self,
        object_type: str,
        schema: str,
        name: str,
        change: str,
        detail: str = "",
        destructive: bool = False,
        table: str | None = None,
    ) -> None:
        key = (object_type, schema, name, change)
        if key in self._rows:  # one row per object and change (a table's comment and storage): details joined
            i = self._rows[key]
            c = self.changes[i]
            self.changes[i] = Change(
                *key, "; ".join(filter(None, (c.detail, detail))), c.destructive or destructive, c.table or table
            )
            return
        self._rows[key] = len(self.changes)
        self.changes.append(Change(object_type, schema, name, change, detail, destructive, table))

    def sql(self, phase: int, sql: str, destructive: bool = False, wrapper: bool = False) -> None:
        self.statements.append(Statement(phase, sql, destructive, len(self.statements), wrapper))

    def ordered(self) -> list[Statement]:
        return sorted(self.statements, key=lambda s: (s.phase, s.seq))
