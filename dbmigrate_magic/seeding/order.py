"""The seeded tables as the live database has them, and the order to load them in.

Reflection (SQLAlchemy) gives each table's columns, primary key, unique constraints and foreign
keys; ``sort_tables_and_constraints`` orders parents before children and hands back the foreign
keys that form a cycle. A cycle loads in one pass when its constraints are DEFERRABLE and the
dialect defers them (PostgreSQL), else in two passes when the cycle's columns are nullable (insert
them NULL, then set them), else it is refused with the cycle named.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..errors import SeedFailed


@dataclass
class Ordering:
    """Tables in load order; which foreign keys wait for the commit or for a second pass."""

    tables: list[Any]  # SQLAlchemy Tables
    #: PostgreSQL: DEFERRABLE constraints in a cycle, set DEFERRED for the run
    deferred_constraints: list[str] = field(default_factory=list)
    #: table name -> columns first written NULL, then set in a second pass
    second_pass: dict[str, list[str]] = field(default_factory=dict)


def reflect(conn: Any, names: list[str], schema: str | None = None) -> dict[str, Any]:
    """The named tables (and the tables their foreign keys point to); an unknown name is refused."""
    from sqlalchemy import MetaData, inspect

    existing = inspect(conn).get_table_names(schema=schema)
    missing = [n for n in names if n not in existing]
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, existing, n=1)
            hints.append(f"{name}" + (f" (did you mean {close[0]}?)" if close else ""))
        raise SeedFailed(
            f"The seed names table(s) the database does not have: {', '.join(hints)}.",
            unchanged="Nothing was written.",
            next_step="Run the migrations that create them (`dbm migrate`), or fix the table name "
            "(a file's name, less any leading number, is its table).",
        )
    metadata = MetaData(schema=schema)
    metadata.reflect(conn, only=names)
    prefix = f"{schema}." if schema else ""
    return {n: metadata.tables[prefix + n] for n in names}


def key_columns(table: Any, given: tuple[str, ...] | None) -> list[str]:
    """The key rows are matched on: the given columns, else the primary key. It must be the primary key
    or a unique constraint/index, because each dialect's upsert matches on one."""
    from sqlalchemy import UniqueConstraint

    if given is None:
        key = [c.name for c in table.primary_key.columns]
        if not key:
            raise SeedFailed(
                f"Table {table.name} has no primary key, so the seed cannot tell a new row from an existing one.",
                unchanged="Nothing was written.",
                next_step="Name the key columns (--key COL[,COL], or `key:` in a JSON/YAML seed file).",
            )
        return key
    unknown = [c for c in given if c not in table.columns]
    if unknown:
        raise SeedFailed(
            f"Key column(s) {', '.join(unknown)} are not columns of {table.name} "
            f"(it has {', '.join(table.columns.keys())}).",
            unchanged="Nothing was written.",
            next_step="Fix --key (or the file's `key:`).",
        )
    wanted = set(given)
    candidates = [{c.name for c in table.primary_key.columns}]
    candidates += [{c.name for c in u.columns} for u in table.constraints if isinstance(u, UniqueConstraint)]
    candidates += [{c.name for c in i.columns} for i in table.indexes if i.unique]
    if wanted not in candidates:
        raise SeedFailed(
            f"The key {','.join(given)} of {table.name} is neither its primary key nor a unique constraint, "
            "so the database's upsert cannot match rows on it.",
            unchanged="Nothing was written.",
            next_step="Use the primary key, or add a unique constraint on those columns in a migration.",
        )
    return list(given)


def _cycle_text(fkcs: list[Any]) -> str:
    return "; ".join(
        f"{f.table.name}({', '.join(f.column_keys)}) -> {f.referred_table.name}"
        for f in sorted(fkcs, key=lambda f: f.table.name)
    )


def load_order(tables: list[Any], seeded_columns: dict[str, set[str]], defers: bool) -> Ordering:
    """Parents before children among ``tables``; a cycle handled or refused (see the module)."""
    ordering = _table_order(tables, seeded_columns, defers)
    if defers:  # PostgreSQL checks a foreign key at the end of each statement: one COPY / INSERT takes any row order
        return ordering
    # A table referencing itself (parent_id -> id) may list children before their parents, which MySQL
    # (row by row) and SQLite (an INSERT per row) refuse: a nullable self-reference goes in a second pass.
    for table in ordering.tables:
        for f in table.foreign_key_constraints:
            if f.referred_table is table and all(c.nullable for c in f.columns):
                held = ordering.second_pass.setdefault(table.name, [])
                held.extend(c for c in f.column_keys if c in seeded_columns.get(table.name, set()) and c not in held)
                if not held:
                    del ordering.second_pass[table.name]
    return ordering


def _table_order(tables: list[Any], seeded_columns: dict[str, set[str]], defers: bool) -> Ordering:
    from sqlalchemy.sql.ddl import sort_tables_and_constraints

    names = {t.name for t in tables}
    pairs = sort_tables_and_constraints(tables)
    cycle = [f for t, fkcs in pairs if t is None for f in fkcs if f.table.name in names]
    if not cycle:
        return Ordering([t for t, _ in pairs if t is not None])
    if defers and all(f.deferrable and f.name for f in cycle):
        return Ordering([t for t, _ in pairs if t is not None], deferred_constraints=[f.name for f in cycle])
    nullable = [f for f in cycle if all(c.nullable for c in f.columns)]
    skipped = set(nullable)
    again = sort_tables_and_constraints(tables, filter_fn=lambda f: True if f in skipped else None)
    left = [f for t, fkcs in again if t is None for f in fkcs if f.table.name in names and f not in skipped]
    if left:
        raise SeedFailed(
            f"The seeded tables' foreign keys form a cycle that cannot be loaded: {_cycle_text(cycle)}.",
            unchanged="Nothing was written.",
            next_step="Make one foreign key of the cycle nullable or DEFERRABLE (PostgreSQL) in a migration, "
            "or load those tables with a .sql seed that orders the statements itself.",
        )
    second: dict[str, list[str]] = {}
    for f in nullable:
        cols = [c for c in f.column_keys if c in seeded_columns.get(f.table.name, set())]
        if cols:
            second.setdefault(f.table.name, []).extend(c for c in cols if c not in second.get(f.table.name, []))
    return Ordering([t for t, _ in again if t is not None], second_pass=second)
