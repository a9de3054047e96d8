"""Rules shared by the sqlglot dialects (MySQL/MariaDB, SQLite): dropping and renaming what the
running application still uses. Same ids as the PostgreSQL rules."""

from __future__ import annotations

from .context import Context
from .model import ERROR, rule

GLOT = ("mysql", "sqlite")
DROP_TABLE = rule("ban-drop-table", ERROR, GLOT, "dropping a table breaks code that still uses it", squawk=True)
DROP_COLUMN = rule("ban-drop-column", ERROR, GLOT, "dropping a column breaks code that still reads it", squawk=True)
DROP_DATABASE = rule("ban-drop-database", ERROR, GLOT, "DROP DATABASE in a migration", squawk=True)
RENAME_COLUMN = rule("renaming-column", ERROR, GLOT, "renaming a column breaks code using the old name", squawk=True)
RENAME_TABLE = rule("renaming-table", ERROR, GLOT, "renaming a table breaks code using the old name", squawk=True)


def name(node, dialect: str | None = None) -> str:
    """A table or column as SQL in ``dialect``, quoted exactly where the statement quoted it."""
    return node.sql(dialect=dialect) if node is not None else "?"


def with_suffix(node, suffix: str, dialect: str) -> str:
    """A name derived from ``node``'s (``Account`` -> ``Account_new``), quoted as ``node`` was."""
    from sqlglot import exp

    if node is None:
        return "?"
    ident = node.this if isinstance(node, exp.Table) else node
    if not isinstance(ident, exp.Identifier):
        return name(node, dialect) + suffix
    return exp.Identifier(this=ident.this + suffix, quoted=ident.quoted).sql(dialect=dialect)


def drop_table(ctx: Context, table: str, extra: str = "") -> None:
    ctx.emit(
        DROP_TABLE,
        f"DROP TABLE {table} deletes the table and its data: code still deployed that uses it "
        f"fails immediately, and the data is gone without a backup.{extra}",
        f"Stop using {table} in a release first, back it up, then drop it in a later migration "
        f"(or RENAME it to {table}_deprecated and drop it once nothing failed).",
    )


def drop_column(ctx: Context, table: str, col: str, extra: str = "") -> None:
    ctx.emit(
        DROP_COLUMN,
        f"DROP COLUMN {table}.{col}: code still deployed that selects or writes {col} fails "
        f"from the moment this runs, and the data is gone.{extra}",
        f"Stop reading and writing {col} in a release first, then ALTER TABLE {table} DROP COLUMN {col}; in a "
        "later migration.",
    )


def drop_database(ctx: Context, db: str) -> None:
    ctx.emit(
        DROP_DATABASE,
        f"DROP DATABASE {db} deletes the whole database; in a migration it can run against production by mistake.",
        "Never drop databases from a migration; do it by hand after a backup.",
    )


def rename_column(ctx: Context, table: str, old: str, new: str) -> None:
    ctx.emit(
        RENAME_COLUMN,
        f"Renaming {table}.{old} to {new}: code still deployed uses the old name and every "
        "query naming it fails from the moment this runs.",
        f"ALTER TABLE {table} ADD COLUMN {new} <type>;  -- write both, backfill, switch reads, drop {old} in a "
        "later release",
    )


def rename_table(ctx: Context, old: str, new: str) -> None:
    ctx.emit(
        RENAME_TABLE,
        f"Renaming table {old} to {new}: code still deployed uses the old name and fails immediately.",
        f"ALTER TABLE {old} RENAME TO {new};\nCREATE VIEW {old} AS SELECT * FROM {new};  -- keep the old name "
        "working until every client has moved",
    )
