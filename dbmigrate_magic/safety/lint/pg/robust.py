"""Statements that cannot be re-run after a partial failure, and names PostgreSQL would truncate."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..context import Context
from ..model import WARNING, rule
from . import splice
from .nodes import alter_cmds, relname
from .registry import on
from .restate import alter_cmd, ident, restated

PG = "postgresql"
ROBUST = rule(
    "prefer-robust-stmts",
    WARNING,
    PG,
    "outside a transaction, a statement that fails when re-run after a partial failure",
    squawk=True,
)
TOO_LONG = rule(
    "identifier-too-long", WARNING, PG, "identifier longer than 63 bytes is silently truncated", squawk=True
)

_ROBUST_HELP = (
    "Without a transaction around the file, a failure half-way leaves the earlier statements applied; "
    "re-running then fails on this one."
)


def _robust(ctx: Context, what: str, fix: str | Callable[[], str], offset: int | None = None) -> None:
    """A callable ``fix`` is called only when the finding is reported: restating a statement costs a
    pglast parse and print."""
    if not ctx.in_transaction and ROBUST in ctx.enabled:
        ctx.emit(ROBUST, f"{what} fails if it already ran. {_ROBUST_HELP}", fix() if callable(fix) else fix, offset)


def _state_change(ctx: Context, what: str, sql: str) -> None:
    """squawk also asks for a transaction around switches that re-run fine but change behaviour at once
    (row security, NOT NULL): half-applied, the application sees the new rule without the rest."""
    ctx.emit(
        ROBUST,
        f"{what} takes effect for every query at once; outside a transaction a failure later in the file "
        "leaves it applied without the statements meant to go with it.",
        f"BEGIN;\n{sql};\nCOMMIT;",
    )


@on("CreateStmt")
def create_table(n: dict, ctx: Context) -> None:
    if (
        n.get("oncommit") == "ONCOMMIT_DROP" and (n.get("relation") or {}).get("relpersistence") == "t"
    ):  # gone at the end of its own transaction: re-running is fine
        return
    if not n.get("if_not_exists"):
        t = relname(n.get("relation"))
        _robust(
            ctx,
            f"CREATE TABLE {t}",
            lambda: (
                splice.create_if_not_exists(ctx, n.get("relation"))
                or restated(ctx, _set("if_not_exists"))
                or f"CREATE TABLE IF NOT EXISTS {t} (...);"
            ),
        )


@on("IndexStmt")
def create_index(n: dict, ctx: Context) -> None:
    if not n.get("if_not_exists"):
        if not n.get("idxname"):  # PostgreSQL picks a fresh name, so re-running succeeds (a duplicate index)
            return
        _robust(
            ctx,
            f"CREATE INDEX {ident(n['idxname'])}",
            lambda: splice.create_index(ctx, n, False, True) or restated(ctx, _set("if_not_exists")) or "",
        )


@on("DropStmt")
def drop(n: dict, ctx: Context) -> None:
    if not n.get("missing_ok"):
        what = (n.get("removeType") or "OBJECT").removeprefix("OBJECT_").replace("_", " ")
        _robust(
            ctx,
            f"DROP {what}",
            lambda: splice.drop_if_exists(ctx, n) or restated(ctx, _set("missing_ok")) or f"DROP {what} IF EXISTS ...;",
        )


@on("AlterTableStmt")
def alter_table(n: dict, ctx: Context) -> None:
    if ctx.in_transaction:
        return
    t = relname(n.get("relation"))
    for i, cmd in enumerate(alter_cmds(n)):
        sub = cmd.get("subtype")
        if sub == "AT_AddColumn" and not cmd.get("missing_ok"):
            col = ident((cmd.get("def") or {}).get("ColumnDef", {}).get("colname"))
            _robust(ctx, f"ADD COLUMN {col}", partial(_add_column_fix, ctx, n, i))
        elif sub in ("AT_DropColumn", "AT_DropConstraint") and not cmd.get("missing_ok"):
            what = "COLUMN" if sub == "AT_DropColumn" else "CONSTRAINT"
            name = ident(cmd.get("name"))
            _robust(ctx, f"DROP {what} {name}", f"ALTER TABLE {t} DROP {what} IF EXISTS {name};")
        elif sub in ("AT_EnableRowSecurity", "AT_DisableRowSecurity", "AT_ForceRowSecurity"):
            what = sub.removeprefix("AT_").replace("RowSecurity", " ROW LEVEL SECURITY").upper()
            _state_change(ctx, f"{what} on {t}", ctx.current.text.strip().rstrip(";"))
        elif sub == "AT_SetNotNull":
            col = ident(cmd.get("name"))
            _state_change(ctx, f"SET NOT NULL on {col}", f"ALTER TABLE {t} ALTER COLUMN {col} SET NOT NULL")
        elif sub == "AT_AddConstraint":
            con = (cmd.get("def") or {}).get("Constraint", {})
            name = (con.get("conname") or "").lower()
            dropped = ctx.flags.setdefault("dropped_if_exists", set())
            if name and (t.lower(), name) in dropped:
                dropped.discard((t.lower(), name))  # one DROP IF EXISTS covers one ADD
            else:
                shown = ident(con.get("conname")) if name else "name"
                _robust(
                    ctx,
                    f"ADD CONSTRAINT {shown if name else '(unnamed)'}",
                    partial(_add_constraint_fix, ctx, n, i, t, shown, bool(name)),
                )
        if sub == "AT_DropConstraint" and cmd.get("missing_ok"):
            ctx.flags.setdefault("dropped_if_exists", set()).add((t.lower(), (cmd.get("name") or "").lower()))


def _add_column_fix(ctx: Context, n: dict, index: int) -> str:
    fix = splice.alter_cmd(ctx, n, index, splice.add_column_if_not_exists)
    return fix or alter_cmd(ctx, index, _set("missing_ok")) or ""


def _add_constraint_fix(ctx: Context, n: dict, index: int, table: str, shown: str, named: bool) -> str:
    again = (splice.alter_cmd(ctx, n, index) or alter_cmd(ctx, index)) if named else None
    return f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {shown};\n" + (
        again or f"ALTER TABLE {table} ADD CONSTRAINT {shown} ...;"
    )


def _set(attr: str):
    """A change for ``restated``: set one flag of the statement node (IF [NOT] EXISTS)."""

    def change(node) -> None:
        setattr(node, attr, True)

    return change


def _long(ctx: Context, name: str, offset: int | None) -> None:
    size = len(name.encode("utf-8"))
    ctx.emit(
        TOO_LONG,
        f"'{name[:40]}...' is {size} bytes; PostgreSQL silently truncates identifiers to 63 bytes, "
        "so two long names can collide and later migrations or code that use the full name fail.",
        f"Use a name of at most 63 bytes, e.g. '{name[:63]}'.",
        offset,
    )


def _names(n: dict) -> list:
    """The names a statement creates (the parser already truncated them to 63 bytes)."""
    out = [(n.get("relation") or {}).get("relname"), n.get("idxname"), n.get("newname")]
    for elt in n.get("tableElts", ()):
        d = elt.get("ColumnDef") or elt.get("Constraint") or {}
        out.append(d.get("colname") or d.get("conname"))
    for obj in n.get("objects", ()):  # DROP TABLE/INDEX/...: [schema, name] lists
        out.extend(i["String"]["sval"] for i in (obj.get("List") or {}).get("items", ()) if "String" in i)
    for cmd in n.get("cmds", ()):
        d = cmd.get("AlterTableCmd", {}).get("def") or {}
        d = d.get("ColumnDef") or d.get("Constraint") or {}
        out.append(d.get("colname") or d.get("conname"))
    return out


@on("CreateStmt", "IndexStmt", "RenameStmt", "AlterTableStmt", "ViewStmt", "CreateSeqStmt", "DropStmt")
def identifiers(n: dict, ctx: Context) -> None:
    # a name of exactly 63 bytes may have been truncated: then read the identifiers from the source
    # (cut at a character boundary: a truncated multi-byte name keeps at least 60 bytes)
    if not any(v and len(v) >= 15 and len(v.encode("utf-8")) >= 60 for v in _names(n)):
        return
    from pglast.parser import scan

    st = ctx.current
    for tok in scan(st.text):
        if tok.name == "IDENT":
            raw = st.text[tok.start : tok.end + 1].strip('"')
            if len(raw.encode("utf-8")) > 63:
                _long(ctx, raw, st.start + tok.start)
