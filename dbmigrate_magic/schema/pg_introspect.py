"""PostgreSQL introspection straight from the system catalogs, one bulk query per object type.

The database renders every definition itself (``format_type``, ``pg_get_constraintdef``,
``pg_get_indexdef``, ``pg_get_viewdef``, ``pg_get_functiondef``, ``pg_get_triggerdef``) with
``search_path`` set to ``pg_catalog`` so all names come back schema-qualified; the renderer
reuses that text as is. Objects that belong to an extension are left to the extension.

Speed: the bulk queries go out in one pipeline; column names of constraints and indexes come from
``conkey``/``indkey`` (``pg_depend`` only for expression and partial indexes); defaults are deparsed
without a relation (a default cannot name a column), so a table is opened only to deparse its
checks or generated columns.
"""

from __future__ import annotations

from collections import defaultdict

from .model import Column, Constraint, Index, SchemaModel, Table, Thing
from .pg_connect import pipelined
from .pg_extras import add_extras
from .quoting import literal, pg_quote
from .scope import Scope

q = pg_quote
NOT_EXT = (
    "not exists (select 1 from pg_depend d where d.classid = '{cls}'::regclass and d.objid = {oid} and d.deptype = 'e')"
)
SCHEMAS = (
    """
select n.nspname from pg_namespace n
where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%%'
  and """
    + NOT_EXT.format(cls="pg_namespace", oid="n.oid")
    + " order by 1"
)
RELATIONS = """
select c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
       ds.description, null,
       case when c.relkind in ('v', 'm') then pg_get_viewdef(c.oid, true) end
from pg_class c join pg_namespace n on n.oid = c.relnamespace
left join pg_description ds on ds.objoid = c.oid and ds.classoid = 'pg_class'::regclass and ds.objsubid = 0
where c.relkind in ('r', 'p', 'v', 'm') and n.nspname = any(%(s)s)
  and """ + NOT_EXT.format(cls="pg_class", oid="c.oid")
COLUMNS = """
select a.attrelid, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(ad.adbin, case when a.attgenerated = '' then 0 else ad.adrelid end), a.attidentity, a.attgenerated,
       case when a.attcollation <> t.typcollation then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end,
       ds.description
from pg_attribute a
join pg_class c on c.oid = a.attrelid and c.relkind in ('r', 'p')
join pg_namespace n on n.oid = c.relnamespace
join pg_type t on t.oid = a.atttypid
left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
left join pg_collation co on co.oid = a.attcollation
left join pg_namespace cn on cn.oid = co.collnamespace
left join pg_description ds on ds.objoid = a.attrelid and ds.classoid = 'pg_class'::regclass and ds.objsubid = a.attnum
where a.attnum > 0 and not a.attisdropped and n.nspname = any(%(s)s)
order by a.attrelid, a.attnum
"""
CONSTRAINTS = """
select c.conrelid, c.conname, c.contype, pg_get_constraintdef(c.oid), c.conkey, rn.nspname, r.relname
from pg_constraint c
join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
left join pg_class r on r.oid = c.confrelid left join pg_namespace rn on rn.oid = r.relnamespace
where c.contype in ('p', 'u', 'c', 'f', 'x') and n.nspname = any(%(s)s) and c.conparentid = 0
order by c.conrelid, c.conname
"""
INDEXES = """
select i.indrelid, ic.relname, pg_get_indexdef(i.indexrelid), i.indisunique, i.indkey::int2[],
       case when i.indexprs is not null or i.indpred is not null then
       array(select a.attname from pg_depend d join pg_attribute a on a.attrelid = d.refobjid
             and a.attnum = d.refobjsubid
             where d.classid = 'pg_class'::regclass and d.objid = i.indexrelid and d.objsubid = 0
               and d.refclassid = 'pg_class'::regclass and d.refobjsubid > 0 order by a.attname) end
from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_namespace n on n.oid = ic.relnamespace
left join pg_constraint k on k.conindid = i.indexrelid and k.conrelid = i.indrelid and k.contype in ('p', 'u', 'x')
where n.nspname = any(%(s)s) and k.oid is null
  and not exists (select 1 from pg_inherits h where h.inhrelid = i.indexrelid)
order by ic.relname
"""
VIEW_DEPS = """
select distinct r.ev_class, d.refobjid
from pg_depend d join pg_rewrite r on r.oid = d.objid
where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_class'::regclass and d.refobjid <> r.ev_class
"""
SEQUENCES = (
    """
select n.nspname, c.relname, format_type(q.seqtypid, null), q.seqstart, q.seqmin, q.seqmax,
       q.seqincrement, q.seqcycle, q.seqcache, tn.nspname, t.relname, a.attname
from pg_sequence q
join pg_class c on c.oid = q.seqrelid
join pg_namespace n on n.oid = c.relnamespace
left join pg_depend d on d.classid = 'pg_class'::regclass and d.objid = c.oid and d.refobjsubid > 0
     and d.deptype in ('a', 'i')
left join pg_class t on t.oid = d.refobjid left join pg_namespace tn on tn.oid = t.relnamespace
left join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
where n.nspname = any(%(s)s) and (d.deptype is null or d.deptype = 'a')
  and """
    + NOT_EXT.format(cls="pg_class", oid="c.oid")
    + "\n"
)
ENUMS = """
select n.nspname, t.typname, array(select e.enumlabel from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder)
from pg_type t join pg_namespace n on n.oid = t.typnamespace
where t.typtype = 'e' and n.nspname = any(%(s)s) and """ + NOT_EXT.format(cls="pg_type", oid="t.oid")
EXTENSIONS = """
select e.extname, e.extversion, n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace
where e.extname <> 'plpgsql'
"""
FUNCTIONS = """
select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid),
       pg_get_function_result(p.oid), p.prokind
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where p.prokind in ('f', 'p') and n.nspname = any(%(s)s) and """ + NOT_EXT.format(cls="pg_proc", oid="p.oid")
TRIGGERS = """
select t.tgrelid, t.tgname, pg_get_triggerdef(t.oid) from pg_trigger t
join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
where not t.tgisinternal and n.nspname = any(%(s)s) and t.tgparentid = 0
"""
POLICIES = """
select p.polrelid, p.polname, p.polcmd, p.polpermissive,
       array(select case when r = 0 then 'public' else quote_ident(pg_get_userbyid(r)) end
             from unnest(p.polroles) r order by 1),
       pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace
where n.nspname = any(%(s)s)
"""
GRANTS = """
select c.oid, g.privilege_type, case when g.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(g.grantee)) end
from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) g
where c.relkind in ('r', 'p', 'v', 'm') and n.nspname = any(%(s)s) and g.grantee <> c.relowner
"""
POLICY_COMMANDS = {"r": "SELECT", "a": "INSERT", "w": "UPDATE", "d": "DELETE", "*": "ALL"}
CONSTRAINT_KINDS = {"p": "primary", "u": "unique", "c": "check", "f": "foreign", "x": "exclusion"}


def qn(schema: str, name: str) -> str:
    return f"{q(schema)}.{q(name)}"


#: the bulk queries, sent together in one pipeline once the schemas are known
BULK = {
    "relations": RELATIONS,
    "columns": COLUMNS,
    "constraints": CONSTRAINTS,
    "indexes": INDEXES,
    "view_deps": VIEW_DEPS,
    "sequences": SEQUENCES,
    "enums": ENUMS,
    "extensions": EXTENSIONS,
    "functions": FUNCTIONS,
    "triggers": TRIGGERS,
    "policies": POLICIES,
    "grants": GRANTS,
}


def fetch_all(conn, scope: Scope) -> tuple[list[str], dict[str, list[tuple]]]:
    """The user schemas in scope and every bulk query's rows, read in one read-only transaction.

    With psycopg 3 the bulk queries go out in one pipeline: the server runs them back to back
    instead of waiting for the client to convert each result before it sees the next query."""
    with conn.cursor() as cur:
        conn.rollback()
        cur.execute("set transaction read only")
        cur.execute("set local search_path = pg_catalog")
        cur.execute(SCHEMAS)
        schemas = [r[0] for r in cur.fetchall() if scope.wants(r[0])]
    p = {"s": schemas}
    wanted = {k: v for k, v in BULK.items() if k != "grants" or scope.privileges}
    params = {k: None if k in ("view_deps", "extensions") else p for k in wanted}
    if pipelined(conn):
        with conn.pipeline():
            cursors = {k: conn.execute(sql, params[k]) for k, sql in wanted.items()}
        out = {k: c.fetchall() for k, c in cursors.items()}
    else:  # another DB-API driver (psycopg2 through SQLAlchemy): one query at a time
        out = {}
        with conn.cursor() as cur:
            for k, sql in wanted.items():
                cur.execute(sql, params[k])
                out[k] = cur.fetchall()
    conn.rollback()
    out.setdefault("grants", [])
    return schemas, out


def names_at(attnums, names: dict[int, str]) -> list[str]:
    """Column names for ``conkey``/``indkey`` numbers (0, an expression, has no name)."""
    return [names[n] for n in attnums or () if n in names]


def introspect_pg(conn, scope: Scope) -> SchemaModel:
    schemas, rows = fetch_all(conn, scope)
    things: dict = {}

    def add(thing: Thing) -> None:
        things[thing.key] = thing

    for s in schemas:
        add(Thing("schema", s, s, s, f"CREATE SCHEMA {q(s)};", f"DROP SCHEMA {q(s)};"))

    rels = {r[0]: r for r in rows["relations"]}
    cols = defaultdict(list)
    attnames: dict[int, dict[int, str]] = defaultdict(dict)
    same: dict[tuple, Column] = {}  # equal columns share one (frozen) object: fewer to build and compare
    for rel, num, *fields in rows["columns"]:
        attnames[rel][num] = fields[0]
        key = tuple(fields)
        col = same.get(key)
        if col is None:
            name, typ, notnull, default, ident, gen, coll, comment = fields
            col = same[key] = Column(
                name,
                typ,
                not notnull,
                default=None if gen == "s" or ident else default,
                identity={"a": "ALWAYS", "d": "BY DEFAULT"}.get(ident),
                generated=default if gen == "s" else None,
                collation=coll,
                comment=comment,
            )
        cols[rel].append(col)
    cons = defaultdict(list)
    for rel, name, kind, definition, conkey, rschema, rtable in rows["constraints"]:
        cons[rel].append(
            Constraint(
                name,
                CONSTRAINT_KINDS[kind],
                definition,
                tuple(names_at(conkey, attnames[rel])),
                (rschema, rtable) if rtable else None,
            )
        )
    idx = defaultdict(list)
    for rel, name, definition, unique, indkey, referenced in rows["indexes"]:
        # the columns an index reads: its key columns, or (expressions, predicates) what pg_depend lists
        columns = referenced if referenced is not None else sorted(set(names_at(indkey, attnames[rel])))
        idx[rel].append(Index(name, definition, tuple(columns), unique))
    grants = defaultdict(list)
    for rel, priv, grantee in rows["grants"]:
        grants[rel].append(f"{priv} {grantee}")
    deps = defaultdict(set)
    for view, ref in rows["view_deps"]:
        if ref in rels:
            deps[view].add((rels[ref][1], rels[ref][2]))

    tables = {}
    for oid, (_rel, schema, name, kind, persistence, rls, force, comment, _owner, viewdef) in rels.items():
        if kind in ("r", "p"):
            tables[(schema, name)] = Table(
                schema,
                name,
                tuple(cols[oid]),
                tuple(cons[oid]),
                tuple(idx[oid]),
                options="UNLOGGED" if persistence == "u" else "",
                comment=comment,
                rls=(rls, force),
                grants=tuple(sorted(grants[oid])),
            )
            continue
        vkind = "view" if kind == "v" else "materialized view"
        body = viewdef.strip().rstrip(";")
        verb = "VIEW" if kind == "v" else "MATERIALIZED VIEW"
        extra = [("comment", comment or "")]
        if scope.privileges:
            extra.append(("grants", "\n".join(sorted(grants[oid]))))
        add(
            Thing(
                vkind,
                schema,
                name,
                body,
                f"CREATE {verb} {qn(schema, name)} AS\n{body};",
                f"DROP {verb} {qn(schema, name)};",
                depends=tuple(sorted(deps[oid])),
                extra=tuple(extra),
            )
        )
        for ix in idx[oid]:
            add(
                Thing(
                    "index",
                    schema,
                    ix.name,
                    ix.definition,
                    ix.definition + ";",
                    f"DROP INDEX {qn(schema, ix.name)};",
                    table=name,
                )
            )

    for schema, name, typ, start, minv, maxv, inc, cycle, cache, tschema, tname, col in rows["sequences"]:
        definition = (
            f"AS {typ} INCREMENT BY {inc} MINVALUE {minv} MAXVALUE {maxv} START WITH {start} "
            f"CACHE {cache} {'CYCLE' if cycle else 'NO CYCLE'}"
        )
        owned = f"{qn(tschema, tname)}.{q(col)}" if tname else ""
        add(
            Thing(
                "sequence",
                schema,
                name,
                definition + (f" OWNED BY {owned}" if owned else ""),
                f"CREATE SEQUENCE {qn(schema, name)} {definition};",
                f"DROP SEQUENCE IF EXISTS {qn(schema, name)};",
                table=tname,
                extra=(("owned_by", owned), ("owner_schema", tschema or "")),
            )
        )
    for schema, name, labels in rows["enums"]:
        values = ", ".join(literal(v) for v in labels)
        add(
            Thing(
                "enum",
                schema,
                name,
                values,
                f"CREATE TYPE {qn(schema, name)} AS ENUM ({values});",
                f"DROP TYPE {qn(schema, name)};",
                extra=(("labels", "\x1f".join(labels)),),
            )
        )
    for name, version, schema in rows["extensions"]:
        definition = schema if scope.ignore_extension_versions else f"{schema} {version}"
        add(
            Thing(
                "extension",
                "",
                name,
                definition,
                f"CREATE EXTENSION IF NOT EXISTS {q(name)} WITH SCHEMA {q(schema)} VERSION {literal(version)};",
                f"DROP EXTENSION {q(name)};",
                extra=(("version", version), ("schema", schema)),
            )
        )
    for schema, name, args, definition, result, kind in rows["functions"]:
        word = "PROCEDURE" if kind == "p" else "FUNCTION"
        add(
            Thing(
                "function",
                schema,
                f"{name}({args})",
                definition.strip(),
                definition.strip() + ";",
                f"DROP {word} {qn(schema, name)}({args});",
                extra=(("result", result or ""),),
            )
        )
    for rel, name, definition in rows["triggers"]:
        if rel not in rels:  # a trigger a partitioned table cloned onto a partition
            continue
        schema, table = rels[rel][1], rels[rel][2]
        add(
            Thing(
                "trigger",
                schema,
                f"{table}.{name}",
                definition,
                definition + ";",
                f"DROP TRIGGER {q(name)} ON {qn(schema, table)};",
                table=table,
            )
        )
    for rel, name, cmd, permissive, roles, using, check in rows["policies"]:
        if rel not in rels:  # partitions are read by pg_extras (bound only)
            continue
        schema, table = rels[rel][1], rels[rel][2]
        sql = (
            f"CREATE POLICY {q(name)} ON {qn(schema, table)} AS {'PERMISSIVE' if permissive else 'RESTRICTIVE'}"
            f" FOR {POLICY_COMMANDS[cmd]} TO {', '.join(roles)}"
        )
        if using:
            sql += f" USING ({using})"
        if check:
            sql += f" WITH CHECK ({check})"
        add(
            Thing(
                "policy",
                schema,
                f"{table}.{name}",
                sql,
                sql + ";",
                f"DROP POLICY {q(name)} ON {qn(schema, table)};",
                table=table,
            )
        )
    add_extras(conn, scope, schemas, tables, things)
    return SchemaModel("postgresql", tables, things)
