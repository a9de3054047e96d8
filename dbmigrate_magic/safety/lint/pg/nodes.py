"""Small readers over libpg_query's JSON parse tree (``{"NodeType": {...fields}}``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ....dialects.quoting import pg_quote


def kind(node: dict) -> str:
    return next(iter(node))


def body(node: dict) -> dict:
    return next(iter(node.values()))


def relname(rel: dict | None) -> str:
    """Qualified name (schema.table) quoted as PostgreSQL needs it (``"Account"``), for messages and
    suggested SQL: the parse tree holds the name's true spelling, so quoting it again reproduces
    the original statement's quoting."""
    if not rel:
        return "?"
    name = pg_quote(rel.get("relname", "?"))
    return f"{pg_quote(rel['schemaname'])}.{name}" if rel.get("schemaname") else name


def table_key(rel: dict | None) -> str:
    return (rel or {}).get("relname", "").lower()


def strings(items: list | None) -> list[str]:
    return [i["String"]["sval"] for i in items or () if "String" in i]


def type_name(tn: dict | None) -> str:
    """Last part of a TypeName (``int4``, ``varchar``, ``timestamptz``), lower-case."""
    if not tn:
        return ""
    names = strings(tn.get("names"))
    return names[-1].lower() if names else ""


_FRIENDLY = {
    "int4": "integer",
    "int8": "bigint",
    "int2": "smallint",
    "bpchar": "char",
    "bool": "boolean",
    "float8": "double precision",
    "float4": "real",
    "timestamptz": "timestamptz",
}


def type_sql(tn: dict | None) -> str:
    """A TypeName back as SQL for suggestions (``varchar(20)``, ``integer``)."""
    names = [n for n in strings((tn or {}).get("names")) if n != "pg_catalog"]
    if not names:
        return "?"
    names[-1] = _FRIENDLY.get(names[-1], names[-1])
    mods = [str(m.get("A_Const", {}).get("ival", {}).get("ival", "")) for m in (tn or {}).get("typmods", ())]
    return ".".join(names) + (f"({', '.join(mods)})" if mods else "") + ("[]" if (tn or {}).get("arrayBounds") else "")


def constraints(coldef: dict) -> list[dict]:
    return [c["Constraint"] for c in coldef.get("constraints", ()) if "Constraint" in c]


def alter_cmds(stmt: dict) -> Iterator[dict]:
    for c in stmt.get("cmds", ()):
        if "AlterTableCmd" in c:
            yield c["AlterTableCmd"]


def walk(node: Any) -> Iterator[dict]:
    """Every dict in a parse tree, depth first."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            yield n
            stack.extend(v for v in n.values() if isinstance(v, (dict, list)))
        elif isinstance(n, list):
            stack.extend(n)


def func_names(expr: Any) -> list[str]:
    out = []
    for n in walk(expr):
        fc = n.get("FuncCall")
        if fc is not None:
            out.append(".".join(strings(fc.get("funcname"))).lower())
        svf = n.get("SQLValueFunction")
        if svf is not None:
            out.append(svf.get("op", "").lower())
    return out


def has_column_ref(expr: Any) -> bool:
    return any("ColumnRef" in n for n in walk(expr))


def location(node: dict | None) -> int | None:
    if not node:
        return None
    loc = node.get("location")
    return loc if isinstance(loc, int) and loc >= 0 else None
