"""strong_migrations' checks that squawk has no rule for: json columns, exclusion constraints, and a
backfill run in the same transaction as a schema change of that table."""

from __future__ import annotations

from ..context import Context
from ..model import WARNING, rule
from .nodes import alter_cmds, relname, table_key, type_name
from .registry import at, on
from .splice import splice_type

PG = "postgresql"
JSONB = rule(
    "prefer-jsonb",
    WARNING,
    PG,
    "json columns have no equality operator: SELECT DISTINCT / UNION over the table fail",
)
EXCLUSION = rule(
    "adding-exclusion-constraint",
    WARNING,
    PG,
    "an exclusion constraint on an existing table checks every row under an ACCESS EXCLUSIVE lock",
)
BACKFILL = rule(
    "backfill-in-schema-transaction",
    WARNING,
    PG,
    "UPDATE/DELETE of a table in the transaction that changed its schema keeps the schema lock while it runs",
)


def _jsonb(ctx: Context, coldef: dict, table: str) -> None:
    if type_name(coldef.get("typeName")) != "json":
        return
    col = coldef.get("colname") or "column"

    ctx.emit(
        JSONB,
        f"{table}.{col} is json: the type has no equality operator, so SELECT DISTINCT, UNION and GROUP BY "
        'over rows of the table fail ("could not identify an equality operator for type json"), and every '
        "read re-parses the text.",
        splice_type(ctx, coldef.get("typeName"), "jsonb") or f"{col} jsonb",
        at(ctx, coldef.get("typeName")),
    )


@on("CreateStmt")
def create_table(n: dict, ctx: Context) -> None:
    table = relname(n.get("relation"))
    for elt in n.get("tableElts", ()):
        if "ColumnDef" in elt:
            _jsonb(ctx, elt["ColumnDef"], table)


@on("AlterTableStmt")
def alter_table(n: dict, ctx: Context) -> None:
    table = relname(n.get("relation"))
    key = table_key(n.get("relation"))
    existing = key not in ctx.new_tables
    for cmd in alter_cmds(n):
        sub = cmd.get("subtype")
        d = cmd.get("def") or {}
        if sub in ("AT_AddColumn", "AT_AlterColumnType") and "ColumnDef" in d:
            _jsonb(ctx, {**d["ColumnDef"], "colname": d["ColumnDef"].get("colname") or cmd.get("name")}, table)
        con = d.get("Constraint") or {}
        if sub == "AT_AddConstraint" and con.get("contype") == "CONSTR_EXCLUSION" and existing:
            ctx.emit(
                EXCLUSION,
                f"Adding exclusion constraint to {table} checks every existing row under an ACCESS EXCLUSIVE lock "
                "(no reads or writes meanwhile), and unlike CHECK or FOREIGN KEY it cannot be added NOT VALID.",
                "Add it while the table is small or in a maintenance window; for large tables consider a "
                "trigger that enforces the rule for new rows, then clean existing rows before adding it.",
                at(ctx, con),
            )
        if existing and ctx.in_transaction:
            ctx.flags.setdefault("schema_changed", set()).add(key)


@on("UpdateStmt", "DeleteStmt")
def backfill(n: dict, ctx: Context) -> None:
    key = table_key(n.get("relation"))
    if ctx.in_transaction and key in ctx.flags.get("schema_changed", ()):
        table = relname(n.get("relation"))
        ctx.emit(
            BACKFILL,
            f"This rewrites rows of {table} in the same transaction that changed its schema: the ACCESS EXCLUSIVE "
            "lock of the ALTER TABLE is held until the whole backfill commits, so reads and writes of the "
            "table wait for all of it.",
            "Commit the schema change first, then backfill in a separate migration (in batches, e.g. "
            "UPDATE ... WHERE id BETWEEN x AND y), outside the schema change's transaction.",
        )
