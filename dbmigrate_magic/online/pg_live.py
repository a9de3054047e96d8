"""What the live PostgreSQL schema says about a column: its type, nullability and default, and
every object that uses it (views, indexes, constraints, owned sequences). A rewrite that copies or
drops a column needs these facts; the parse of the migration alone cannot know them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageProblem

if TYPE_CHECKING:
    from ..db import Database

_COLUMN = """
SELECT format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = to_regclass(:rel) AND a.attname = :col AND a.attnum > 0 AND NOT a.attisdropped
"""

#: (a foreign key's conindid is the index it references: a self-reference on the index's own table is
#: no owner of it, so only the constraints that own an index are joined to it)
_USERS = """
SELECT 'index', i.indexrelid::regclass::text, c.conname, c.contype::text
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
WHERE i.indrelid = to_regclass(:rel) AND a.attname = :col
UNION ALL
SELECT 'constraint', c.conname, c.conname, c.contype::text
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
WHERE c.conrelid = to_regclass(:rel) AND a.attname = :col AND c.contype NOT IN ('p', 'u', 'x')
UNION ALL
SELECT 'referenced by', c.conrelid::regclass::text || ' (' || c.conname || ')', c.conname, c.contype::text
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey)
WHERE c.confrelid = to_regclass(:rel) AND a.attname = :col AND c.contype = 'f'
UNION ALL
SELECT DISTINCT 'view', r.ev_class::regclass::text, NULL, NULL
FROM pg_depend d
JOIN pg_rewrite r ON r.oid = d.objid
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.classid = 'pg_rewrite'::regclass AND d.refobjid = to_regclass(:rel) AND a.attname = :col
  AND r.ev_class <> d.refobjid
UNION ALL
SELECT 'sequence', s.oid::regclass::text, NULL, NULL
FROM pg_depend d
JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
WHERE d.refobjid = to_regclass(:rel) AND a.attname = :col AND d.deptype IN ('a', 'i')
"""

#: foreign keys of any table that reference the column: what a copy of each must repeat
_REFERENCES = """
SELECT c.conname, c.conrelid::regclass::text, cardinality(c.conkey), pg_get_constraintdef(c.oid), quote_ident(:col),
  r.relkind = 'p'
FROM pg_constraint c
JOIN pg_class r ON r.oid = c.conrelid
JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = ANY(c.confkey)
WHERE c.confrelid = to_regclass(:rel) AND a.attname = :col AND c.contype = 'f'
  AND c.conparentid = 0  -- a partition's copy of its parent's key follows the parent's
ORDER BY c.conrelid::regclass::text, c.conname
"""


@dataclass(frozen=True)
class Column:
    table: str  # as written in the migration (quoted where it must be)
    name: str
    type_sql: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class User:
    """An object that uses a column: ``kind`` is index, constraint, referenced by, view or sequence."""

    kind: str
    name: str
    constraint: str | None = None
    contype: str | None = None

    @property
    def is_primary_key(self) -> bool:
        return self.contype == "p"

    def describe(self) -> str:
        if self.kind == "referenced by":  # name is "<table> (<constraint>)"
            return f"foreign key {self.constraint} of {self.name.split(' (')[0]}"
        what = {"p": "primary key", "u": "unique constraint", "f": "foreign key", "c": "check"}.get(self.contype or "")
        return f"{self.kind} {self.name}" + (f" ({what})" if what and self.kind != "constraint" else "")


@dataclass(frozen=True)
class Reference:
    """A foreign key that references a column: ``table`` as SQL may name it, ``definition`` as
    ``pg_get_constraintdef`` prints it (ON DELETE / ON UPDATE / MATCH / DEFERRABLE / NOT VALID)."""

    name: str
    table: str
    columns: int  # how many columns the key has: a composite one cannot follow a copied column
    definition: str
    quoted_column: str  # the referenced column as the definition spells it
    partitioned: bool = False  # on a partitioned table, where PostgreSQL cannot add it NOT VALID

    @property
    def validated(self) -> bool:
        return not self.definition.endswith(" NOT VALID")

    def pointing_at(self, column: str) -> str:
        """The definition with the referenced column replaced by ``column`` (quoted), nothing else."""
        head, sep, tail = self.definition.partition(" REFERENCES ")
        old = f"({self.quoted_column})"
        at = tail.index(old)  # the referenced table's name comes first; a single column follows it
        return f"{head}{sep}{tail[:at]}({column}){tail[at + len(old) :]}"


class LiveSchema:
    """Column facts read from ``db`` (one connection, opened on first use)."""

    def __init__(self, db: Database | None):
        self.db = db

    def _rows(self, sql: str, table: str, column: str) -> list[tuple]:
        if self.db is None:
            raise UsageProblem(
                f"Planning this change needs the live schema of {table} (its columns and what uses {column}), "
                "and no database is reachable.",
                unchanged="Nothing was written.",
                next_step="Pass --env NAME (or a URL) of a database that has the table.",
            )
        from sqlalchemy import text

        with self.db.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), {"rel": table, "col": column})]

    def column(self, table: str, column: str) -> Column:
        rows = self._rows(_COLUMN, table, column)
        if not rows:
            raise UsageProblem(
                f"The database has no column {column} in table {table}.",
                unchanged="Nothing was written.",
                next_step="Check the names, or pass --env for the database the migration is meant for.",
            )
        type_sql, not_null, default = rows[0]
        return Column(table, column, type_sql, bool(not_null), default)

    def has_primary_key(self, table: str) -> bool:
        sql = "SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(:rel) AND contype = 'p' AND :col = ''"
        return bool(self._rows(sql, table, ""))

    def users(self, table: str, column: str) -> list[User]:
        return [User(*r) for r in self._rows(_USERS, table, column)]

    def references(self, table: str, column: str) -> list[Reference]:
        return [Reference(*r) for r in self._rows(_REFERENCES, table, column)]
