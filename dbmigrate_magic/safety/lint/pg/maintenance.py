"""Table rewrites run as maintenance (VACUUM FULL, CLUSTER) and the opt-in rule that every table a
migration touches names its schema."""

from __future__ import annotations

from ..context import Context
from ..model import WARNING, rule
from .nodes import relname
from .registry import at, on
from .restate import ident

PG = "postgresql"
REPACK = rule(
    "prefer-repack",
    WARNING,
    PG,
    "VACUUM FULL / CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock; pg_repack does it online",
    squawk=True,
)
TABLE_SCHEMA = rule(
    "require-table-schema",
    WARNING,
    PG,
    "a table named without its schema depends on search_path (opt-in)",
    squawk=True,
    opt_in=True,
)

REPACK_FROM = 19  # the release with REPACK (CONCURRENTLY); before it there is no online form in core


def _truthy(elem: dict) -> bool:
    arg = elem.get("arg")
    if arg is None:
        return True
    value = str(next(iter(arg.values())).get("sval", next(iter(arg.values())).get("ival", ""))).lower()
    return value not in ("false", "off", "0", "no")


@on("VacuumStmt")
def vacuum_full(n: dict, ctx: Context) -> None:
    full = [o["DefElem"] for o in n.get("options", ()) if o.get("DefElem", {}).get("defname") == "full"]
    if ctx.pg_version < REPACK_FROM or not n.get("is_vacuumcmd") or not full or not _truthy(full[0]):
        return
    tables = [relname((r.get("VacuumRelation") or {}).get("relation")) for r in n.get("rels", ())]
    ctx.emit(
        REPACK,
        "VACUUM FULL rewrites "
        + (", ".join(tables) if tables else "every table of the database")
        + " under an ACCESS EXCLUSIVE lock: no reads or writes for the whole copy.",
        f"REPACK (CONCURRENTLY) {', '.join(tables)};".replace(" ;", ";"),
        at(ctx, full[0]),
    )


@on("ClusterStmt")
def cluster(n: dict, ctx: Context) -> None:
    if ctx.pg_version < REPACK_FROM:
        return
    table = relname(n["relation"]) if n.get("relation") else None
    ctx.emit(
        REPACK,
        f"CLUSTER rewrites {table or 'every previously clustered table'} under an ACCESS EXCLUSIVE lock: "
        "no reads or writes for the whole copy.",
        f"REPACK (CONCURRENTLY){' ' + table if table else ''}"
        + (f" USING INDEX {ident(n['indexname'])}" if n.get("indexname") and table else "")
        + ";",
    )


def _unqualified(ctx: Context, rel: dict | None) -> None:
    if rel and not rel.get("schemaname") and rel.get("relpersistence") != "t":
        name = relname(rel)
        ctx.emit(
            TABLE_SCHEMA,
            f"Table {name} is named without a schema: which table the statement reaches depends on "
            "the session's search_path.",
            f"Qualify it: public.{name} (or the schema it belongs to).",
            at(ctx, rel),
        )


@on("CreateStmt", "AlterTableStmt")
def create_alter(n: dict, ctx: Context) -> None:
    if n.get("objtype", "OBJECT_TABLE") == "OBJECT_TABLE":
        _unqualified(ctx, n.get("relation"))


@on("CreateTableAsStmt")
def create_as(n: dict, ctx: Context) -> None:
    if n.get("objtype", "OBJECT_TABLE") == "OBJECT_TABLE":
        _unqualified(ctx, (n.get("into") or {}).get("rel"))


@on("DropStmt")
def drop_table(n: dict, ctx: Context) -> None:
    if n.get("removeType") != "OBJECT_TABLE":
        return
    for obj in n.get("objects", ()):
        parts = [s["String"]["sval"] for s in (obj.get("List") or {}).get("items", ()) if "String" in s]
        if len(parts) == 1:
            _unqualified(ctx, {"relname": parts[0]})
