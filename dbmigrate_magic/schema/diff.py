"""Shared diff entry point: pick the dialect's differ, return changes and ordered statements."""

from __future__ import annotations

from dataclasses import dataclass

from .changes import Change, Statement
from .model import SchemaModel

PREAMBLE = {
    "sqlite": ("PRAGMA foreign_keys = OFF;", "PRAGMA foreign_keys = ON;"),
    "mysql": ("SET FOREIGN_KEY_CHECKS = 0;", "SET FOREIGN_KEY_CHECKS = 1;"),
}


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
        before, after = PREAMBLE.get(self.dialect, (None, None))
        return ([before] if before else []) + body + ([after] if after else [])

    def sql(self, unsafe: bool = False) -> str:
        stmts = self.sql_statements(unsafe)
        return "\n\n".join(stmts) + ("\n" if stmts else "")


def for_piping(sql: str, dialect: str) -> str:
    """SQLite: the statements inside BEGIN/COMMIT, between the foreign_keys pragmas (which a transaction
    would ignore), so ``sqlite3 -bail`` leaves the database as it was when a rebuild's copy fails instead
    of a table renamed away. Migrations keep the plain form: the tools run them in their own transaction."""
    if dialect == "mysql":
        return _mysql_delimited(sql)
    if dialect != "sqlite" or not sql.strip():
        return sql
    before, after = PREAMBLE["sqlite"]
    body = sql.strip()
    if not (body.startswith(before) and body.endswith(after)):
        return sql
    body = body[len(before) : -len(after)].strip()
    return f"{before}\n\nBEGIN;\n\n{body}\n\nCOMMIT;\n\n{after}\n"


def _mysql_delimited(sql: str) -> str:
    """MySQL/MariaDB: a trigger body with several statements (``BEGIN ...; ...; END``) between
    ``DELIMITER ;;`` lines, as mysqldump writes it, since the ``mysql`` client ends statements at ``;``."""
    from ..sqlsplit import split

    statements = split(sql, "mysql") if ";" in sql else []
    if not any(";" in s.sql for s in statements):
        return sql
    return (
        "\n\n".join(f"DELIMITER ;;\n{s.sql};;\nDELIMITER ;" if ";" in s.sql else f"{s.sql};" for s in statements) + "\n"
    )


def diff(a: SchemaModel, b: SchemaModel, *, extensions_only: bool = False) -> SchemaDiff:
    """Changes and SQL that turn ``a`` into ``b`` (both read from the same dialect)."""
    if a.dialect != b.dialect:
        from ..errors import UsageProblem

        raise UsageProblem(
            f"Cannot diff a {a.dialect} schema against a {b.dialect} schema.",
            next_step="Compare two databases of the same kind (a schema file is loaded into "
            "a scratch database of the other side's kind).",
        )
    if a.dialect == "postgresql":
        from .pg_diff import PgDiffer as Differ
    elif a.dialect == "mysql":
        from .mysql_diff import MySqlDiffer as Differ
    else:
        from .sqlite_diff import SqliteDiffer as Differ
    out = Differ(a, b, extensions_only=extensions_only).run()
    return SchemaDiff(a.dialect, tuple(out.changes), tuple(out.ordered()))
