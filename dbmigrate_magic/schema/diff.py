"""Shared diff entry point: pick the dialect's differ, return changes and ordered statements."""

from __future__ import annotations

from dataclasses import dataclass

from ..dialects import dialect_for, find_dialect
from .changes import Change, Statement
from .model import SchemaModel


@dataclass(frozen=True)
class SchemaDiff:
    dialect: str
    changes: tuple[Change, ...]
    statements: tuple[Statement, ...]

    @property
    def is_empty(self) -> bool:
        return not self.changes and all(s.wrapper for s in self.statements)

    @property
    def destructive(self) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.destructive)

    def sql_statements(self, unsafe: bool = False) -> list[str]:
        chosen = [s for s in self.statements if unsafe or not s.destructive]
        if all(s.wrapper for s in chosen):
            return []
        body = [s.sql for s in chosen]
        kind = find_dialect(self.dialect)
        switch = kind.fk_checks_switch if kind else None  # foreign-key checks off around the script
        return [switch[0], *body, switch[1]] if switch else body

    def sql(self, unsafe: bool = False) -> str:
        stmts = self.sql_statements(unsafe)
        return "\n\n".join(stmts) + ("\n" if stmts else "")


def for_piping(sql: str, dialect: str) -> str:
    """The diff's SQL as the dialect's command-line client reads it from a pipe (SQLite: inside
    BEGIN/COMMIT between the foreign_keys pragmas; MySQL: multi-statement trigger bodies between
    ``DELIMITER`` lines). Migrations keep the plain form."""
    kind = find_dialect(dialect)
    return kind.for_piping(sql) if kind is not None else sql


def diff(a: SchemaModel, b: SchemaModel, *, extensions_only: bool = False) -> SchemaDiff:
    """Changes and SQL that turn ``a`` into ``b`` (both read from the same dialect)."""
    if a.dialect != b.dialect:
        from ..errors import UsageProblem

        raise UsageProblem(
            f"Cannot diff a {a.dialect} schema against a {b.dialect} schema.",
            next_step="Compare two databases of the same kind (a schema file is loaded into "
            "a scratch database of the other side's kind).",
        )
    differ = (find_dialect(a.dialect) or dialect_for("sqlite")).differ()
    out = differ(a, b, extensions_only=extensions_only).run()
    return SchemaDiff(a.dialect, tuple(out.changes), tuple(out.ordered()))
