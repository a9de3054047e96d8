"""ban-duplicate-column-assignments: one statement naming the same column twice (SET a = 1, a = 2;
INSERT (a, a); CREATE TABLE (a int, a text); a view or SELECT INTO whose output names repeat).
PostgreSQL rejects each of these, so the migration fails half-way on that statement."""

from __future__ import annotations

from collections.abc import Sequence

from ..context import Context
from ..model import ERROR, rule
from .nodes import strings
from .registry import at, on
from .restate import ident

PG = "postgresql"
DUPLICATE = rule(
    "ban-duplicate-column-assignments",
    ERROR,
    PG,
    "one statement assigns, inserts or defines the same column twice",
    squawk=True,
)


def _report(ctx: Context, name: str, nodes: Sequence[dict | None], where: str) -> None:
    for node in nodes:
        ctx.emit(
            DUPLICATE,
            f"Column {ident(name)} appears more than once in {where}; PostgreSQL rejects the statement "
            '("specified more than once" / "multiple assignments to same column"), so the migration '
            "stops here with the earlier statements applied.",
            f"Keep one {ident(name)} in {where}.",
            at(ctx, node),
        )


def _targets(ctx: Context, targets: list | None, where: str) -> None:
    """SET/INSERT column lists: whole-column targets conflict with any other target of that column;
    ``a.x`` next to ``a.y`` (or ``a[1]`` next to ``a[2]``) is fine, the same sub-target twice is not."""
    groups: dict[str, list[dict]] = {}
    for t in targets or ():
        rt = t.get("ResTarget")
        if rt and rt.get("name") is not None:
            groups.setdefault(rt["name"], []).append(rt)
    for name, rts in groups.items():
        if len(rts) < 2:
            continue
        keys = [repr(rt.get("indirection")) if rt.get("indirection") else None for rt in rts]
        if None in keys or len(set(keys)) < len(keys):
            _report(ctx, name, rts, where)


def _names(ctx: Context, named: list[tuple[str, dict | None]], where: str) -> None:
    groups: dict[str, list[dict | None]] = {}
    for name, node in named:
        groups.setdefault(name, []).append(node)
    for name, nodes in groups.items():
        if len(nodes) > 1:
            _report(ctx, name, nodes, where)


def _output_name(rt: dict) -> str:
    """The column name PostgreSQL gives a SELECT output column (its FigureColname rules, simplified)."""
    if rt.get("name"):
        return rt["name"]
    val = rt.get("val") or {}
    while "TypeCast" in val:
        inner = val["TypeCast"]
        if "ColumnRef" not in (inner.get("arg") or {}) and "FuncCall" not in (inner.get("arg") or {}):
            names = strings((inner.get("typeName") or {}).get("names"))
            return names[-1] if names else "?column?"
        val = inner.get("arg") or {}
    if "ColumnRef" in val:
        fields = strings(val["ColumnRef"].get("fields"))
        return fields[-1] if fields else "?column?"
    if "FuncCall" in val:
        names = strings(val["FuncCall"].get("funcname"))
        return names[-1] if names else "?column?"
    return "?column?"


def _select_outputs(ctx: Context, select: dict | None, aliases: list[str], where: str) -> None:
    sel = (select or {}).get("SelectStmt") or {}
    if sel.get("op", "SETOP_NONE") != "SETOP_NONE":
        sel = (sel.get("larg") or {}) or {}
    targets = [t["ResTarget"] for t in sel.get("targetList", ()) if "ResTarget" in t]
    if any("A_Star" in str(rt.get("val", "")) for rt in targets):
        return  # SELECT *: the names come from the tables
    named = [(aliases[i] if i < len(aliases) else _output_name(rt), rt) for i, rt in enumerate(targets)]
    _names(ctx, named, where)


@on("UpdateStmt")
def update(n: dict, ctx: Context) -> None:
    _targets(ctx, n.get("targetList"), "one UPDATE ... SET")


@on("InsertStmt")
def insert(n: dict, ctx: Context) -> None:
    _targets(ctx, n.get("cols"), "the INSERT column list")
    _targets(ctx, (n.get("onConflictClause") or {}).get("targetList"), "ON CONFLICT DO UPDATE SET")


@on("MergeStmt")
def merge(n: dict, ctx: Context) -> None:
    for w in n.get("mergeWhenClauses", ()):
        clause = w.get("MergeWhenClause") or {}
        what = "the MERGE INSERT column list" if clause.get("commandType") == "CMD_INSERT" else "MERGE UPDATE SET"
        _targets(ctx, clause.get("targetList"), what)


@on("CreateStmt", "CreateForeignTableStmt")
def create_table(n: dict, ctx: Context) -> None:
    n = n.get("base", n)
    cols = [e["ColumnDef"] for e in n.get("tableElts", ()) if "ColumnDef" in e]
    _names(ctx, [(c.get("colname", ""), c) for c in cols], "the table definition")


@on("ViewStmt")
def view(n: dict, ctx: Context) -> None:
    _select_outputs(ctx, n.get("query"), strings(n.get("aliases")), "the view's columns")


@on("SelectStmt")
def select_into(n: dict, ctx: Context) -> None:
    if n.get("intoClause"):
        _select_outputs(ctx, {"SelectStmt": n}, strings(n["intoClause"].get("colNames")), "SELECT INTO's columns")


@on("CreateTableAsStmt")
def create_table_as(n: dict, ctx: Context) -> None:
    names = strings((n.get("into") or {}).get("colNames"))
    _select_outputs(ctx, n.get("query"), names, "the new table's columns")
