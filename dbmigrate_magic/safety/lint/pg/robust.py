"""Statements that cannot be re-run after a partial failure, names PostgreSQL would truncate, and
UPDATEs that assign one column twice."""

from __future__ import annotations

from ..context import Context
from ..model import ERROR, WARNING, rule
from .nodes import alter_cmds, relname
from .registry import at, on
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
DUPLICATE = rule("ban-duplicate-column-assignments", ERROR, PG, "UPDATE assigns the same column twice", squawk=True)

_ROBUST_HELP = (
    "Without a transaction around the file, a failure half-way leaves the earlier statements applied; "
    "re-running then fails on this one."
)


def _robust(ctx: Context, what: str, fix: str, offset: int | None = None) -> None:
    if not ctx.in_transaction:
        ctx.emit(ROBUST, f"{what} fails if it already ran. {_ROBUST_HELP}", fix, offset)


@on("CreateStmt")
def create_table(n: dict, ctx: Context) -> None:
    if not n.get("if_not_exists"):
        t = relname(n.get("relation"))
        _robust(
            ctx, f"CREATE TABLE {t}", restated(ctx, _set("if_not_exists")) or f"CREATE TABLE IF NOT EXISTS {t} (...);"
        )


@on("IndexStmt")
def create_index(n: dict, ctx: Context) -> None:
    if not n.get("if_not_exists"):
        if not n.get("idxname"):  # IF NOT EXISTS needs a name
            _robust(ctx, "CREATE INDEX (unnamed)", "Name the index, then CREATE INDEX IF NOT EXISTS name ON ...;")
            return
        _robust(ctx, f"CREATE INDEX {ident(n['idxname'])}", restated(ctx, _set("if_not_exists")) or "")


@on("DropStmt")
def drop(n: dict, ctx: Context) -> None:
    if not n.get("missing_ok"):
        what = (n.get("removeType") or "OBJECT").removeprefix("OBJECT_").replace("_", " ")
        _robust(ctx, f"DROP {what}", restated(ctx, _set("missing_ok")) or f"DROP {what} IF EXISTS ...;")


@on("AlterTableStmt")
def alter_table(n: dict, ctx: Context) -> None:
    if ctx.in_transaction:
        return
    t = relname(n.get("relation"))
    for i, cmd in enumerate(alter_cmds(n)):
        sub = cmd.get("subtype")
        if sub == "AT_AddColumn" and not cmd.get("missing_ok"):
            col = ident((cmd.get("def") or {}).get("ColumnDef", {}).get("colname"))
            _robust(ctx, f"ADD COLUMN {col}", alter_cmd(ctx, i, _set("missing_ok")) or "")
        elif sub in ("AT_DropColumn", "AT_DropConstraint") and not cmd.get("missing_ok"):
            what = "COLUMN" if sub == "AT_DropColumn" else "CONSTRAINT"
            name = ident(cmd.get("name"))
            _robust(ctx, f"DROP {what} {name}", f"ALTER TABLE {t} DROP {what} IF EXISTS {name};")
        elif sub == "AT_AddConstraint":
            con = (cmd.get("def") or {}).get("Constraint", {})
            name = (con.get("conname") or "").lower()
            if not name or (t.lower(), name) not in ctx.flags.setdefault("dropped_if_exists", set()):
                shown = ident(con.get("conname")) if name else "name"
                _robust(
                    ctx,
                    f"ADD CONSTRAINT {shown if name else '(unnamed)'}",
                    f"ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {shown};\n"
                    + ((alter_cmd(ctx, i) if name else None) or f"ALTER TABLE {t} ADD CONSTRAINT {shown} ...;"),
                )
        if sub == "AT_DropConstraint" and cmd.get("missing_ok"):
            ctx.flags.setdefault("dropped_if_exists", set()).add((t.lower(), (cmd.get("name") or "").lower()))


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
    for cmd in n.get("cmds", ()):
        d = cmd.get("AlterTableCmd", {}).get("def") or {}
        d = d.get("ColumnDef") or d.get("Constraint") or {}
        out.append(d.get("colname") or d.get("conname"))
    return out


@on("CreateStmt", "IndexStmt", "RenameStmt", "AlterTableStmt", "ViewStmt", "CreateSeqStmt")
def identifiers(n: dict, ctx: Context) -> None:
    # a name of exactly 63 bytes may have been truncated: then read the identifiers from the source
    if not any(v and len(v) >= 21 and len(v.encode("utf-8")) >= 63 for v in _names(n)):
        return
    from pglast.parser import scan

    st = ctx.current
    for tok in scan(st.text):
        if tok.name == "IDENT":
            raw = st.text[tok.start : tok.end + 1].strip('"')
            if len(raw.encode("utf-8")) > 63:
                _long(ctx, raw, st.start + tok.start)


@on("UpdateStmt")
def duplicate_assignments(n: dict, ctx: Context) -> None:
    seen: set[str] = set()
    for t in n.get("targetList", ()):
        rt = t.get("ResTarget", {})
        name = rt.get("name")
        if name in seen:
            ctx.emit(
                DUPLICATE,
                f"Column {name} is assigned twice in one UPDATE; PostgreSQL rejects the statement "
                "(multiple assignments to same column), so the migration fails here.",
                f"Keep one assignment to {name}.",
                at(ctx, rt),
            )
        seen.add(name)
