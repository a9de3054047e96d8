"""Statements that remove or rename what the running application still uses."""

from __future__ import annotations

from ..context import Context
from ..model import ERROR, WARNING, rule
from .nodes import alter_cmds, relname, strings, table_key
from .registry import on
from .restate import ident

PG = "postgresql"
DROP_COLUMN = rule("ban-drop-column", ERROR, PG, "dropping a column breaks code that still reads it", squawk=True)
DROP_TABLE = rule("ban-drop-table", ERROR, PG, "dropping a table breaks code that still uses it", squawk=True)
DROP_DATABASE = rule("ban-drop-database", ERROR, PG, "DROP DATABASE in a migration", squawk=True)
DROP_NOT_NULL = rule(
    "ban-drop-not-null", WARNING, PG, "DROP NOT NULL lets NULLs reach code that assumes none", squawk=True
)
TRUNCATE_CASCADE = rule(
    "ban-truncate-cascade", ERROR, PG, "TRUNCATE ... CASCADE empties every referencing table", squawk=True
)
RENAME_COLUMN = rule("renaming-column", ERROR, PG, "renaming a column breaks code using the old name", squawk=True)
RENAME_TABLE = rule("renaming-table", ERROR, PG, "renaming a table breaks code using the old name", squawk=True)
RENAME_OBJECT = rule("renaming-object", WARNING, PG, "renaming an index, constraint, view, type, ...", squawk=True)
SET_SCHEMA = rule(
    "ban-set-schema", ERROR, PG, "moving an object to another schema breaks unqualified names", squawk=True
)
DROP_CONSTRAINT = rule(
    "ban-drop-constraint", WARNING, PG, "dropping a constraint removes a data guarantee", squawk=True
)
DROP_DEFAULT = rule(
    "ban-drop-default", WARNING, PG, "DROP DEFAULT breaks inserts that rely on the default", squawk=True
)
DROP_GENERATED = rule(
    "ban-drop-generated-expression",
    WARNING,
    PG,
    "DROP EXPRESSION turns a generated column into a plain one",
    squawk=True,
)
ALTER_IDENTITY = rule("ban-alter-identity", WARNING, PG, "changing or dropping a column's identity", squawk=True)

_DROPS = {
    "OBJECT_VIEW": ("ban-drop-view", "view"),
    "OBJECT_MATVIEW": ("ban-drop-view", "materialized view"),
    "OBJECT_FUNCTION": ("ban-drop-function", "function"),
    "OBJECT_PROCEDURE": ("ban-drop-function", "procedure"),
    "OBJECT_TYPE": ("ban-drop-type", "type"),
    "OBJECT_SCHEMA": ("ban-drop-schema", "schema"),
    "OBJECT_SEQUENCE": ("ban-drop-sequence", "sequence"),
    "OBJECT_DOMAIN": ("ban-drop-domain", "domain"),
    "OBJECT_EXTENSION": ("ban-drop-extension", "extension"),
}
for _id, _what in {v for v in _DROPS.values()}:
    rule(
        _id,
        ERROR if _id in ("ban-drop-schema", "ban-drop-extension") else WARNING,
        PG,
        f"dropping a {_what} breaks whatever still uses it",
        squawk=True,
    )


def _parts(n: dict) -> list[list[str]]:
    """Each dropped object's name, as its parts (schema, name) spelt as the database knows them."""
    out = []
    for o in n.get("objects", ()):
        if "List" in o:
            out.append(strings(o["List"].get("items")))
        elif "String" in o:
            out.append([o["String"]["sval"]])
        elif "ObjectWithArgs" in o:
            out.append(strings(o["ObjectWithArgs"].get("objname")))
        elif "TypeName" in o:
            out.append(strings(o["TypeName"].get("names")))
    return out


def _names(n: dict) -> list[str]:
    """Dropped names quoted as SQL needs them (``"Account"``), for messages and suggestions."""
    return [".".join(map(ident, p)) for p in _parts(n)]


@on("DropStmt")
def drop(n: dict, ctx: Context) -> None:
    kind = n.get("removeType")
    names = _names(n)
    shown = ", ".join(names) or "?"
    cascade = " CASCADE also drops every object that depends on it." if n.get("behavior") == "DROP_CASCADE" else ""
    if kind == "OBJECT_TABLE":
        if all(p and p[-1].lower() in ctx.new_tables for p in _parts(n)):
            return
        old = _parts(n)[0][-1] if names else "name"
        ctx.emit(
            DROP_TABLE,
            f"DROP TABLE {shown} deletes the table and its data: application code still "
            "deployed that reads or writes it fails immediately, and the data is gone without a backup." + cascade,
            f"Stop using {shown} in a release first, take a backup, then drop it in a later migration "
            f"(or ALTER TABLE {names[0] if names else 'name'} RENAME TO {ident(old + '_deprecated')}; and drop it "
            "once nothing failed).",
        )
    elif kind in _DROPS:
        rid, what = _DROPS[kind]
        ctx.emit(
            rid,
            f"DROP {what.upper()} {shown}: anything still using the {what} (queries, columns, "
            f"defaults, other functions) fails once it is gone.{cascade}",
            f"Remove every use of the {what} in an earlier release, then drop it (IF EXISTS, without CASCADE).",
        )


@on("DropdbStmt")
def drop_database(n: dict, ctx: Context) -> None:
    ctx.emit(
        DROP_DATABASE,
        f"DROP DATABASE {n.get('dbname')} deletes the whole database; in a migration it can "
        "run against production by mistake.",
        "Never drop databases from a migration; do it by hand after a backup (dbm backup).",
    )


@on("TruncateStmt")
def truncate(n: dict, ctx: Context) -> None:
    if n.get("behavior") == "DROP_CASCADE":
        tables = ", ".join(relname(r.get("RangeVar")) for r in n.get("relations", ()))
        ctx.emit(
            TRUNCATE_CASCADE,
            f"TRUNCATE {tables} CASCADE also empties every table that references it by "
            "foreign key, recursively: far more data can disappear than the statement names.",
            f"TRUNCATE {tables};  -- without CASCADE, listing every table you mean to empty",
        )


@on("RenameStmt")
def rename(n: dict, ctx: Context) -> None:
    rt = n.get("renameType")
    rel = n.get("relation")
    if rel is not None and table_key(rel) in ctx.new_tables:
        return
    table = relname(rel)
    new = ident(n.get("newname"))
    if rt == "OBJECT_COLUMN":
        old = ident(n.get("subname"))
        ctx.emit(
            RENAME_COLUMN,
            f"Renaming {table}.{old} to {new}: application code still deployed uses the old "
            "name, and every query naming it fails from the moment the migration commits.",
            f"ALTER TABLE {table} ADD COLUMN {new} <type>;  -- write both columns, backfill, switch reads to "
            f"{new}, then drop {old} in a later release",
        )
    elif rt == "OBJECT_TABLE":
        ctx.emit(
            RENAME_TABLE,
            f"Renaming table {table} to {new}: code still deployed uses the old name and fails immediately.",
            f"ALTER TABLE {table} RENAME TO {new};\nCREATE VIEW {table} AS SELECT * FROM {new};  -- keep the "
            "old name working until every client has moved, then drop the view",
        )
    else:
        what = (rt or "OBJECT").removeprefix("OBJECT_").lower().replace("tabconstraint", "constraint")
        ctx.emit(
            RENAME_OBJECT,
            f"Renaming {what} {table if rel else ''} to {new} takes an ACCESS EXCLUSIVE lock and "
            "breaks anything that refers to the old name (queries, hints, monitoring, later migrations).",
            "Keep the old name, or rename in a release where nothing refers to it any more.",
        )


@on("AlterObjectSchemaStmt")
def set_schema(n: dict, ctx: Context) -> None:
    ctx.emit(
        SET_SCHEMA,
        f"SET SCHEMA {n.get('newschema')} moves the object: code that finds it through the "
        "search_path or a qualified name fails.",
        "Create the object in the new schema and keep a view (or synonym function) in the old one until "
        "nothing uses it.",
    )


@on("AlterTableStmt")
def alter_table(n: dict, ctx: Context) -> None:
    rel = n.get("relation")
    if table_key(rel) in ctx.new_tables:
        return
    table = relname(rel)
    for cmd in alter_cmds(n):
        sub = cmd.get("subtype")
        col = ident(cmd.get("name")) if cmd.get("name") else None
        if sub == "AT_DropColumn":
            ctx.emit(
                DROP_COLUMN,
                f"DROP COLUMN {table}.{col}: code still deployed that selects, inserts or updates "
                f"{col} fails from the moment this commits (ORMs that list every column fail on every "
                "query), and the data is gone.",
                f"Stop reading and writing {col} in a release first (Django: SeparateDatabaseAndState; "
                f"Rails: ignored_columns), then ALTER TABLE {table} DROP COLUMN IF EXISTS {col}; later.",
            )
        elif sub == "AT_DropNotNull":
            ctx.emit(
                DROP_NOT_NULL,
                f"DROP NOT NULL on {table}.{col}: NULLs can now be written, and code that "
                "assumes the column always has a value may crash on them.",
                "Make sure every reader handles NULL before dropping the constraint.",
            )
        elif sub == "AT_DropConstraint":
            key = (table_key(rel), (cmd.get("name") or "").lower())
            if key in ctx.not_null_checks:  # the helper CHECK of the SET NOT NULL recipe
                continue
            ctx.flags.setdefault("dropped_constraints", {})[key] = len(ctx.hits)
            ctx.emit(
                DROP_CONSTRAINT,
                f"DROP CONSTRAINT {col} on {table} removes a guarantee the data had; "
                "invalid rows can be written from now on, and it takes an ACCESS EXCLUSIVE lock.",
                "Check nothing relies on the constraint; keep a NOT VALID replacement if the rule still holds.",
            )
        elif sub == "AT_ColumnDefault" and not cmd.get("def"):
            ctx.emit(
                DROP_DEFAULT,
                f"DROP DEFAULT on {table}.{col}: inserts that omit {col} now store NULL (or fail "
                "on NOT NULL), breaking code that relied on the default.",
                "Make every writer set the column explicitly before dropping the default.",
            )
        elif sub == "AT_DropExpression":
            ctx.emit(
                DROP_GENERATED,
                f"DROP EXPRESSION on {table}.{col}: the column stops being computed, so code "
                "that relied on it being derived now sees stale values.",
                "Keep the generated column, or replace it with a trigger in the same release as the code change.",
            )
        elif sub in ("AT_DropIdentity", "AT_SetIdentity"):
            ctx.emit(
                ALTER_IDENTITY,
                f"Changing the identity of {table}.{col}: inserts that rely on generated "
                "values fail or collide with existing keys.",
                "Leave identity columns alone in a live migration; move to a new column if needed.",
            )
