"""The database is evidence too: before any write, refuse a database that another tool keeps.

A project read as one tool (or a project with no tool yet, written in raw SQL) may point at a
database whose migrations another tool runs: golang-migrate's ``schema_migrations``, Knex's
``knex_migrations``. Writing there records migrations where that tool does not look, and it would
run them a second time. So every write first lists the target's tables (one cheap read through
``_tables.table_names``) and compares them with every tool's marks: the adapters' own
(``Adapter.table_marks``) and the catalogue of tools we have no adapter for (``foreign_tables``).
The chosen tool's own tables, as configured and as it creates them by default, never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..dialects import dialect_for
from ..errors import DbmError, ForeignTrackingTable
from . import all_adapter_classes
from ._tables import read_tables, table_names
from .foreign_tables import FOREIGN, TableMark

if TYPE_CHECKING:
    from ..db import Database
    from .base import Adapter


@dataclass(frozen=True)
class ForeignTable:
    """A table in the target database that belongs to another tool."""

    schema: str
    table: str
    mark: TableMark

    @property
    def label(self) -> str:
        return f"{self.schema}.{self.table}" if self.schema else self.table


def _own_names(adapter: Adapter) -> set[str]:
    """The chosen tool's tracking tables as configured, bare and schema-qualified, lowercase."""
    try:
        names = adapter.tracking_tables()
    except DbmError:  # a config the tool cannot read now: its default marks still count as its own
        names = ()
    out: set[str] = set()
    for name in names:
        clean = name.replace('"', "").replace("`", "").lower()
        out.update((clean, clean.rsplit(".", 1)[-1]))
    return out


def foreign_tables(adapter: Adapter, db: Database) -> list[ForeignTable]:
    """Tables of ``db`` that another tool than ``adapter``'s keeps its migrations in."""
    kind = dialect_for(db)
    target, found = table_names(db)
    own = _own_names(adapter)
    marks = [m for cls in all_adapter_classes() if cls.tool != adapter.tool for m in cls.table_marks]
    marks += FOREIGN
    names = {m.table.lower() for m in marks}
    candidates = [
        (schema, table)
        for schema, table in sorted(found)
        if table.lower() in names
        and table.lower() not in own
        and f"{schema}.{table}".lower() not in own
        and (not kind.has_schemas or schema == target or any(m.schema == schema for m in marks))
    ]
    if not candidates:
        return []
    out: list[ForeignTable] = []
    for schema, table in candidates:  # columns tell same-named tables apart: only for these few
        read = read_tables(db, {"t": (table, "*", "WHERE 1 = 0")}, schema if kind.has_schemas else None)["t"]
        columns = {c.lower() for c in (read.columns if read is not None else ())}
        if any(o.matches(schema, table, columns, target, kind.has_schemas) for o in type(adapter).table_marks):
            continue  # the chosen tool's own table in its default form
        mark = next((m for m in marks if m.matches(schema, table, columns, target, kind.has_schemas)), None)
        if mark is not None:
            out.append(ForeignTable(schema, table, mark))
    return out


def refuse_foreign_tables(adapter: Adapter, db: Database) -> None:
    """Raise ``ForeignTrackingTable`` when ``db`` holds another tool's tracking table."""
    found = foreign_tables(adapter, db)
    if not found:
        return
    owners = ", ".join(f"{f.label} ({f.mark.owner})" for f in found)
    first = found[0].mark
    evidence = adapter.evidence
    read_as = f"{adapter.display_name} ({', '.join(evidence.files)})" if evidence else f"{adapter.display_name}"
    raise ForeignTrackingTable(
        f"{db.place} holds the tracking table of another migration tool: {owners}. This project is read "
        f"as {read_as}; writing with it would record migrations where {first.owner} does not look, and "
        f"{first.owner} would run them again.",
        unchanged="Nothing was changed: dbm only listed the database's tables.",
        next_step=(
            f"Run this database's migrations with {first.owner} itself (`{first.command}`); or point dbm at the "
            "right project folder (--project PATH) or at the right database (--env). If the table is a leftover "
            "of a tool nobody runs on this database any more, check that, then drop it by hand and run again."
        ),
    )
