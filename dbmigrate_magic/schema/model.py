"""The normalised schema model: frozen dataclasses, equal when the database objects are equal.

Every field holds what the database itself reports in canonical form (``format_type``,
``pg_get_*def``, MySQL's ``SHOW CREATE TABLE`` lines, SQLite's stored SQL), so two databases
with the same schema give equal models and the renderers can reuse the text verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import overload

Key = tuple[str, str]  # (schema, name); schema is "" where the dialect has none


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: str | None = None  # PG: "ALWAYS" / "BY DEFAULT"
    identity_options: str = ""  # PG: the identity sequence's options (INCREMENT BY ... CYCLE)
    generated: str | None = None  # expression of a stored generated column
    collation: str | None = None
    comment: str | None = None
    #: the dialect's full column definition when it has one (MySQL SHOW CREATE TABLE line)
    definition: str | None = field(default=None, compare=True)


@dataclass(frozen=True)
class Constraint:
    name: str
    kind: str  # primary, unique, check, foreign, exclusion
    definition: str  # e.g. "FOREIGN KEY (a) REFERENCES s.t(id) ON DELETE CASCADE"
    columns: tuple[str, ...] = ()
    references: Key | None = None  # referenced table for foreign keys
    comment: str | None = None


@dataclass(frozen=True)
class Index:
    name: str
    definition: str  # full CREATE INDEX statement (PG, SQLite) or key line (MySQL)
    columns: tuple[str, ...] = ()
    unique: bool = False
    comment: str | None = None


@dataclass(frozen=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...]
    constraints: tuple[Constraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    options: str = ""  # MySQL ENGINE/CHARSET line, PG UNLOGGED etc.
    comment: str | None = None
    rls: tuple[bool, bool] = (False, False)  # PG: row security enabled, forced
    sql: str | None = None  # SQLite: the stored CREATE TABLE text (normalised for comparison)
    grants: tuple[str, ...] = ()  # "privilege grantee" pairs, only with privileges
    storage: tuple[str, ...] = ()  # PG: reloptions, e.g. ("fillfactor=70",)
    partition_by: str = ""  # PG: "PARTITION BY RANGE (d)" on a partitioned table
    partition_of: str = ""  # PG: "PARTITION OF s.parent FOR VALUES ..." on a partition
    inherits: str = ""  # PG: "s.parent, s.other" of a table created with INHERITS (...)
    #: PG partition / INHERITS child: defaults that differ from the parent's on inherited columns
    #: (``None``: dropped on the child only); the parent's own come with the parent
    own_defaults: tuple[tuple[str, str | None], ...] = ()
    parents: tuple[Key, ...] = field(default=(), compare=False)  # PG: the tables it inherits from
    create: str = field(default="", compare=False)  # SQLite/MySQL: the database's own CREATE TABLE text

    @property
    def key(self) -> Key:
        return (self.schema, self.name)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def column_pairs(old: Table, new: Table) -> list[tuple[Column, Column]]:
    """(old column, new column) for each column both tables have, in ``new``'s order."""
    pairs = ((old.column(c.name), c) for c in new.columns)
    return [(was, c) for was, c in pairs if was is not None]


@dataclass(frozen=True)
class Thing:
    """Any other named object: view, materialized view, sequence, enum, extension, function,
    trigger, policy, schema. ``definition`` is compared; ``create``/``drop`` are rendered SQL."""

    kind: str
    schema: str
    name: str
    definition: str
    create: str
    drop: str
    table: str | None = None  # owning table for triggers, policies and matview indexes
    depends: tuple[Key, ...] = ()  # relations (tables/views) this object reads
    extra: tuple[tuple[str, str], ...] = ()  # kind-specific facts (enum labels, result type...)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.schema, self.name)

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: str) -> str: ...
    def get(self, name: str, default: str | None = None) -> str | None:
        return dict(self.extra).get(name, default)

    def fact(self, name: str) -> str:
        """A fact introspection always records for this kind (an enum's labels, a domain's
        constraints): KeyError when it is missing, which is a bug there, not a schema difference."""
        return dict(self.extra)[name]


@dataclass(frozen=True)
class SchemaModel:
    dialect: str
    tables: dict[Key, Table]
    things: dict[tuple[str, str, str], Thing]
    #: relation -> relations it reads (views over tables, matviews over views ...)
    database: str = ""

    def of_kind(self, kind: str) -> dict[tuple[str, str, str], Thing]:
        return {k: v for k, v in self.things.items() if k[0] == kind}

    @property
    def is_empty(self) -> bool:
        return not self.tables and not self.things

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SchemaModel):
            return NotImplemented
        return self.dialect == other.dialect and self.tables == other.tables and self.things == other.things

    __hash__ = None  # type: ignore[assignment]
