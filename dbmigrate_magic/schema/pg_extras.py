"""PostgreSQL catalog facts the main introspection queries leave out, each read by a small query
that usually returns few rows: identity sequence options, storage options (``WITH (...)``), comments
on indexes/constraints/functions/sequences/types/schemas/triggers/policies, disabled triggers,
column/function/sequence/schema privileges, views' dependencies on functions, domains and
partitions. Kept apart from ``pg_introspect`` so the hot bulk queries stay small; the model built
there is completed here with ``dataclasses.replace``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from .model import Key, Table, Thing
from .quoting import literal, pg_quote
from .scope import Scope

q = pg_quote
FUNC_NAME = "p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')'"
NOT_EXT = (
    "not exists (select 1 from pg_depend e where e.classid = '{cls}'::regclass and e.objid = {oid} and e.deptype = 'e')"
)

IDENTITY = """
select n.nspname, c.relname, a.attname, format_type(s.seqtypid, null), s.seqstart, s.seqmin, s.seqmax,
       s.seqincrement, s.seqcycle, s.seqcache
from pg_depend d join pg_sequence s on s.seqrelid = d.objid
join pg_class c on c.oid = d.refobjid join pg_namespace n on n.oid = c.relnamespace
join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype = 'i'
  and n.nspname = any(%(s)s)
"""
RELOPTIONS = """
select n.nspname, c.relname, c.relkind, c.reloptions from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.reloptions is not null and c.relkind in ('r', 'p', 'v', 'm') and n.nspname = any(%(s)s)
"""
COMMENTS = f"""
select case when c.relkind = 'S' then 'sequence' else 'index' end, n.nspname, c.relname, t.relname, d.description
from pg_description d join pg_class c on c.oid = d.objoid and d.classoid = 'pg_class'::regclass and d.objsubid = 0
join pg_namespace n on n.oid = c.relnamespace
left join pg_index i on i.indexrelid = c.oid left join pg_class t on t.oid = i.indrelid
where c.relkind in ('i', 'I', 'S') and n.nspname = any(%(s)s)
union all
select 'constraint', n.nspname, k.conname, t.relname, d.description
from pg_description d join pg_constraint k on k.oid = d.objoid and d.classoid = 'pg_constraint'::regclass
join pg_class t on t.oid = k.conrelid join pg_namespace n on n.oid = t.relnamespace
where n.nspname = any(%(s)s)
union all
select 'type', n.nspname, y.typname, null, d.description
from pg_description d join pg_type y on y.oid = d.objoid and d.classoid = 'pg_type'::regclass
join pg_namespace n on n.oid = y.typnamespace where n.nspname = any(%(s)s)
union all
select 'function', n.nspname, {FUNC_NAME}, null, d.description
from pg_description d join pg_proc p on p.oid = d.objoid and d.classoid = 'pg_proc'::regclass
join pg_namespace n on n.oid = p.pronamespace where n.nspname = any(%(s)s)
union all
select 'schema', n.nspname, n.nspname, null, d.description
from pg_description d join pg_namespace n on n.oid = d.objoid and d.classoid = 'pg_namespace'::regclass
where n.nspname = any(%(s)s)
union all
select 'trigger', n.nspname, t.relname || '.' || g.tgname, t.relname, d.description
from pg_description d join pg_trigger g on g.oid = d.objoid and d.classoid = 'pg_trigger'::regclass
join pg_class t on t.oid = g.tgrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = any(%(s)s)
union all
select 'policy', n.nspname, t.relname || '.' || o.polname, t.relname, d.description
from pg_description d join pg_policy o on o.oid = d.objoid and d.classoid = 'pg_policy'::regclass
join pg_class t on t.oid = o.polrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = any(%(s)s)
"""
TRIGGER_STATES = """
select n.nspname, c.relname, t.tgname, t.tgenabled from pg_trigger t
join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
where not t.tgisinternal and t.tgenabled <> 'O' and n.nspname = any(%(s)s)
"""
COLUMN_GRANTS = """
select n.nspname, c.relname, a.attname, g.privilege_type,
       case when g.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(g.grantee)) end
from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace,
     aclexplode(a.attacl) g
where a.attacl is not null and a.attnum > 0 and not a.attisdropped and n.nspname = any(%(s)s)
  and g.grantee <> c.relowner
"""
OBJECT_GRANTS = f"""
select 'function', n.nspname, {FUNC_NAME}, g.privilege_type,
       case when g.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(g.grantee)) end
from pg_proc p join pg_namespace n on n.oid = p.pronamespace, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) g
where n.nspname = any(%(s)s) and g.grantee <> p.proowner
union all
select 'sequence', n.nspname, c.relname, g.privilege_type,
       case when g.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(g.grantee)) end
from pg_class c join pg_namespace n on n.oid = c.relnamespace, aclexplode(c.relacl) g
where c.relkind = 'S' and n.nspname = any(%(s)s) and g.grantee <> c.relowner
union all
select 'schema', n.nspname, n.nspname, g.privilege_type,
       case when g.grantee = 0 then 'PUBLIC' else quote_ident(pg_get_userbyid(g.grantee)) end
from pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) g
where n.nspname = any(%(s)s) and g.grantee <> n.nspowner
"""
VIEW_FUNCTIONS = f"""
select distinct vn.nspname, v.relname, n.nspname, {FUNC_NAME}
from pg_depend d join pg_rewrite r on r.oid = d.objid join pg_class v on v.oid = r.ev_class
join pg_namespace vn on vn.oid = v.relnamespace
join pg_proc p on p.oid = d.refobjid join pg_namespace n on n.oid = p.pronamespace
where d.classid = 'pg_rewrite'::regclass and d.refclassid = 'pg_proc'::regclass
  and vn.nspname = any(%(s)s) and n.nspname = any(%(s)s)
"""
FUNCTION_RELATIONS = f"""
select distinct n.nspname, {FUNC_NAME}, cn.nspname, c.relname
from pg_depend d join pg_proc p on p.oid = d.objid join pg_namespace n on n.oid = p.pronamespace
join pg_class c on c.oid = d.refobjid join pg_namespace cn on cn.oid = c.relnamespace
where d.classid = 'pg_proc'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype = 'n'
  and n.nspname = any(%(s)s) and cn.nspname = any(%(s)s)
"""
SIGNATURES = f"""
select n.nspname, {FUNC_NAME}, p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%(s)s) and p.prokind in ('f', 'p')
"""
DOMAINS = """
select n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
       case when t.typcollation <> b.typcollation then quote_ident(cn.nspname) || '.' || quote_ident(co.collname) end,
       array(select quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid) from pg_constraint k
             where k.contypid = t.oid order by k.conname)
from pg_type t join pg_namespace n on n.oid = t.typnamespace join pg_type b on b.oid = t.typbasetype
left join pg_collation co on co.oid = t.typcollation left join pg_namespace cn on cn.oid = co.collnamespace
where t.typtype = 'd' and n.nspname = any(%(s)s) and """ + NOT_EXT.format(cls="pg_type", oid="t.oid")
PARTITIONS = """
select n.nspname, c.relname, c.relkind, c.relispartition, pg_get_partkeydef(c.oid),
       pn.nspname, p.relname, pg_get_expr(c.relpartbound, c.oid)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
left join pg_inherits i on i.inhrelid = c.oid and c.relispartition
left join pg_class p on p.oid = i.inhparent left join pg_namespace pn on pn.oid = p.relnamespace
where (c.relkind = 'p' or c.relispartition) and c.relkind in ('r', 'p') and n.nspname = any(%(s)s)
"""
FUNCTION_USERS = f"""
select n.nspname, {FUNC_NAME}, 'default', tn.nspname, t.relname, a.attname
from pg_depend d join pg_proc p on p.oid = d.refobjid join pg_namespace n on n.oid = p.pronamespace
join pg_attrdef ad on ad.oid = d.objid join pg_attribute a on a.attrelid = ad.adrelid and a.attnum = ad.adnum
join pg_class t on t.oid = ad.adrelid join pg_namespace tn on tn.oid = t.relnamespace
where d.classid = 'pg_attrdef'::regclass and d.refclassid = 'pg_proc'::regclass and n.nspname = any(%(s)s)
  and a.attgenerated = ''
union all
select n.nspname, {FUNC_NAME}, 'constraint', tn.nspname, t.relname, k.conname
from pg_depend d join pg_proc p on p.oid = d.refobjid join pg_namespace n on n.oid = p.pronamespace
join pg_constraint k on k.oid = d.objid join pg_class t on t.oid = k.conrelid join pg_namespace tn on tn.oid = t.relnamespace
where d.classid = 'pg_constraint'::regclass and d.refclassid = 'pg_proc'::regclass and n.nspname = any(%(s)s)
union all
select n.nspname, {FUNC_NAME}, 'index', tn.nspname, t.relname, ic.relname
from pg_depend d join pg_proc p on p.oid = d.refobjid join pg_namespace n on n.oid = p.pronamespace
join pg_class ic on ic.oid = d.objid and ic.relkind in ('i', 'I') join pg_index i on i.indexrelid = ic.oid
join pg_class t on t.oid = i.indrelid join pg_namespace tn on tn.oid = t.relnamespace
where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_proc'::regclass and n.nspname = any(%(s)s)
"""
INTERNAL_FUNCTIONS = f"""
select n.nspname, {FUNC_NAME} from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = any(%(s)s) and exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass
  and d.objid = p.oid and d.refclassid = 'pg_type'::regclass and d.deptype = 'i')
"""
COMPOSITES = (
    """
select n.nspname, t.typname,
       array(select quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                    || case when a.attcollation <> y.typcollation then ' COLLATE ' || quote_ident(cn.nspname) || '.'
                            || quote_ident(co.collname) else '' end
             from pg_attribute a join pg_type y on y.oid = a.atttypid
             left join pg_collation co on co.oid = a.attcollation left join pg_namespace cn on cn.oid = co.collnamespace
             where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped order by a.attnum)
from pg_type t join pg_class c on c.oid = t.typrelid and c.relkind = 'c' join pg_namespace n on n.oid = t.typnamespace
where n.nspname = any(%(s)s) and """
    + NOT_EXT.format(cls="pg_type", oid="t.oid")
    + """
union all
select n.nspname, t.typname,
       array['SUBTYPE = ' || format_type(r.rngsubtype, null)]
       || case when r.rngsubdiff <> 0 then array['SUBTYPE_DIFF = ' || r.rngsubdiff::regproc::text] else '{}' end
       || array['MULTIRANGE_TYPE_NAME = ' || quote_ident(mn.nspname) || '.' || quote_ident(m.typname)]
from pg_range r join pg_type t on t.oid = r.rngtypid join pg_namespace n on n.oid = t.typnamespace
join pg_type m on m.oid = r.rngmultitypid join pg_namespace mn on mn.oid = m.typnamespace
where n.nspname = any(%(s)s) and """
    + NOT_EXT.format(cls="pg_type", oid="t.oid")
    + """
"""
)
INHERITANCE = """
select n.nspname, c.relname,
       array(select quote_ident(pn.nspname) || '.' || quote_ident(p.relname) from pg_inherits i
             join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
             where i.inhrelid = c.oid order by i.inhseqno),
       array(select array[pn.nspname, p.relname] from pg_inherits i join pg_class p on p.oid = i.inhparent
             join pg_namespace pn on pn.oid = p.relnamespace where i.inhrelid = c.oid order by i.inhseqno),
       array(select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
             and not a.attislocal),
       array(select k.conname from pg_constraint k where k.conrelid = c.oid and not k.conislocal)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(%(s)s)
  and exists (select 1 from pg_inherits i where i.inhrelid = c.oid)
"""
QUERIES = {
    "identity": IDENTITY,
    "reloptions": RELOPTIONS,
    "partitions": PARTITIONS,
    "inheritance": INHERITANCE,
    "domains": DOMAINS,
    "types": COMPOSITES,
    "comments": COMMENTS,
    "internal_functions": INTERNAL_FUNCTIONS,
    "function_users": FUNCTION_USERS,
    "signatures": SIGNATURES,
    "view_functions": VIEW_FUNCTIONS,
    "function_relations": FUNCTION_RELATIONS,
    "trigger_states": TRIGGER_STATES,
    "column_grants": COLUMN_GRANTS,
    "object_grants": OBJECT_GRANTS,
}
TYPE_LIMITS = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
TRIGGER_STATE_SQL = {"D": "DISABLE TRIGGER", "R": "ENABLE REPLICA TRIGGER", "A": "ENABLE ALWAYS TRIGGER"}


def qn(schema: str, name: str) -> str:
    return f"{q(schema)}.{q(name)}"


def add_extras(conn, scope: Scope, schemas: list, tables: dict, things: dict) -> None:
    """Complete ``tables`` and ``things`` (as read by ``introspect_pg``) in place, in a read-only
    transaction of its own on ``conn`` (a DB-API connection) with ``search_path = pg_catalog``;
    with psycopg 3 the queries go out in one pipeline, like the main ones."""
    if scope.ignore_extension_versions:
        _unpin_extensions(things)
    kinds = {k[0] for k in things}  # queries about objects the model does not hold are skipped
    wanted = ["reloptions", "partitions", "inheritance", "domains", "types", "comments"]
    if any(c.identity for t in tables.values() for c in t.columns):
        wanted.append("identity")
    if "function" in kinds:
        wanted += ["internal_functions", "function_users", "signatures", "function_relations"]
        if kinds & {"view", "materialized view"}:
            wanted.append("view_functions")
    if "trigger" in kinds:
        wanted.append("trigger_states")
    if scope.privileges:
        wanted += ["column_grants", "object_grants"]
    found = _fetch(conn, {k: QUERIES[k] for k in wanted}, {"s": schemas})
    get = lambda k: found.get(k, [])  # noqa: E731
    _identity(get("identity"), tables)
    defaults = {k: {c.name: c.default for c in t.columns if not c.generated} for k, t in tables.items()}
    _partitions(get("partitions"), tables, defaults)
    _reloptions(get("reloptions"), tables, things)  # partitions too, so after them
    _inheritance(get("inheritance"), tables, defaults)
    _domains(get("domains"), things)
    _types(get("types"), things)
    for schema, name in get("internal_functions"):  # a range type's own constructors
        things.pop(("function", schema, name), None)
    _function_users(get("function_users"), things)
    _signatures(get("signatures"), things)
    _view_functions(get("view_functions"), things)
    _function_relations(get("function_relations"), things)
    _trigger_states(get("trigger_states"), things)
    _comments(get("comments"), tables, things)
    if scope.privileges:
        _column_grants(get("column_grants"), tables, things)
        _object_grants(get("object_grants"), things)


def _fetch(conn, queries: dict, params: dict) -> dict:
    from .pg_connect import pipelined

    with conn.cursor() as cur:
        conn.rollback()
        cur.execute("set transaction read only")
        cur.execute("set local search_path = pg_catalog")
    if pipelined(conn):
        with conn.pipeline():
            cursors = {k: conn.execute(sql, params) for k, sql in queries.items()}
        out = {k: c.fetchall() for k, c in cursors.items()}
    else:
        out = {}
        with conn.cursor() as cur:
            for k, sql in queries.items():
                cur.execute(sql, params)
                out[k] = cur.fetchall()
    conn.rollback()
    return out


def _unpin_extensions(things: dict) -> None:
    """--ignore-extension-versions: no version to compare, and CREATE EXTENSION takes the default."""
    for key, t in list(things.items()):
        if key[0] == "extension":
            things[key] = replace(
                t,
                create=t.create.split(" VERSION ", 1)[0] + ";",
                extra=tuple(kv for kv in t.extra if kv[0] != "version"),
            )


def _with_extra(thing: Thing, **extra: str) -> Thing:
    merged = dict(thing.extra)
    merged.update(extra)
    return replace(thing, extra=tuple(sorted(merged.items())))


def identity_options(typ: str, start, minv, maxv, inc, cycle, cache) -> str:
    """The identity's sequence options as ``CREATE``/``ALTER`` accept them (all stated, so an
    ALTER can set every one back)."""
    del typ  # the sequence follows the column's type; limits are stated explicitly
    return (
        f"INCREMENT BY {inc} MINVALUE {minv} MAXVALUE {maxv} START WITH {start} CACHE {cache} "
        f"{'CYCLE' if cycle else 'NO CYCLE'}"
    )


def _identity(found, tables: dict) -> None:
    by_table: defaultdict[Key, dict[str, str]] = defaultdict(dict)  # column -> its identity options
    for schema, table, col, typ, start, minv, maxv, inc, cycle, cache in found:
        by_table[(schema, table)][col] = identity_options(typ, start, minv, maxv, inc, cycle, cache)
    for key, opts in by_table.items():
        t = tables.get(key)
        if t is None:
            continue
        cols = tuple(
            replace(c, identity_options=opts[c.name]) if c.name in opts and c.identity else c for c in t.columns
        )
        tables[key] = replace(t, columns=cols)


def _reloptions(found, tables: dict, things: dict) -> None:
    for schema, name, kind, options in found:
        opts = tuple(sorted(options))
        if kind in ("r", "p") and (schema, name) in tables:
            tables[(schema, name)] = replace(tables[(schema, name)], storage=opts)
            continue
        vkind = "view" if kind == "v" else "materialized view"
        v = things.get((vkind, schema, name))
        if v is None:
            continue
        verb = "VIEW" if kind == "v" else "MATERIALIZED VIEW"
        with_ = ", ".join(opts)
        things[v.key] = replace(
            v,
            definition=f"WITH ({with_}) {v.definition}",
            create=f"CREATE {verb} {qn(schema, name)} WITH ({with_}) AS\n{v.definition};",
        )


def _own_defaults(key, parents: list, defaults: dict, inherited: set | None = None) -> tuple:
    """Defaults a child set on inherited columns itself: a partition or INHERITS child copies its
    parent's defaults when it is created and follows the parent's later SET DEFAULT, so only the
    ones that differ from the first parent holding the column are the child's own."""
    own = []
    for column, default in defaults.get(key, {}).items():
        if inherited is not None and column not in inherited:
            continue
        parent = next((defaults[p] for p in parents if column in defaults.get(p, {})), None)
        if parent is not None and parent[column] != default:
            own.append((column, default))
    return tuple(own)


def _partitions(found, tables: dict, defaults: dict) -> None:
    """Partitioned parents keep their key; a partition keeps its bound and what is its own (checks
    the parent lacks, indexes not attached to a parent's, comment, RLS, grants, defaults): its
    columns and the rest come from the parent."""
    names = {k: {c.name for c in t.constraints} for k, t in tables.items()}  # before any is filtered
    for schema, name, kind, is_partition, key, pschema, parent, bound in found:
        by = f"PARTITION BY {key}" if kind == "p" and key else ""
        t = tables.get((schema, name))
        if t is None and is_partition and parent:
            t = Table(schema, name, ())
        if t is None:
            continue
        of = f"PARTITION OF {qn(pschema, parent)} {bound}" if is_partition and parent else ""
        if of:
            inherited = names.get((pschema, parent), set())
            t = replace(
                t,
                columns=(),
                constraints=tuple(c for c in t.constraints if c.name not in inherited),
                parents=((pschema, parent),),
                own_defaults=_own_defaults((schema, name), [(pschema, parent)], defaults),
            )
        indexes = tuple(replace(i, definition=i.definition.replace(" ON ONLY ", " ON ", 1)) for i in t.indexes)
        tables[(schema, name)] = replace(t, partition_by=by, partition_of=of, indexes=indexes)


def _inheritance(found, tables: dict, defaults: dict) -> None:
    """Table inheritance (``INHERITS``): a child keeps only its own columns, constraints and
    defaults; the inherited ones follow the parent (PostgreSQL propagates ALTERs on the parent)."""
    for schema, name, parents, parent_keys, inherited_cols, inherited_cons in found:
        t = tables.get((schema, name))
        if t is None:
            continue
        cols, cons = set(inherited_cols), set(inherited_cons)
        keys = [tuple(k) for k in parent_keys]
        tables[t.key] = replace(
            t,
            inherits=", ".join(parents),
            parents=tuple(keys),
            own_defaults=_own_defaults(t.key, keys, defaults, cols),
            columns=tuple(c for c in t.columns if c.name not in cols),
            constraints=tuple(c for c in t.constraints if c.name not in cons),
        )


def _domains(found, things: dict) -> None:
    for schema, name, base, notnull, default, collation, constraints in found:
        parts = [f"AS {base}"]
        if collation:
            parts.append(f"COLLATE {collation}")
        if default is not None:
            parts.append(f"DEFAULT {default}")
        if notnull:
            parts.append("NOT NULL")
        parts += [f"CONSTRAINT {c}" for c in constraints]
        definition = " ".join(parts)
        extra = (
            ("base", f"{base} {collation or ''}".strip()),
            ("constraints", "\x1f".join(constraints)),
            ("default", default if default is not None else "\x00"),
            ("notnull", "1" if notnull else ""),
        )
        t = Thing(
            "domain",
            schema,
            name,
            definition,
            f"CREATE DOMAIN {qn(schema, name)} {definition};",
            f"DROP DOMAIN {qn(schema, name)};",
            extra=extra,
        )
        things[t.key] = t


def _types(found, things: dict) -> None:
    """Composite types (attributes) and range types (options), kind "type"."""
    for schema, name, parts in found:
        is_range = bool(parts) and parts[0].startswith("SUBTYPE = ")
        body = ("AS RANGE (" if is_range else "AS (") + ", ".join(parts) + ")"
        t = Thing(
            "type",
            schema,
            name,
            body,
            f"CREATE TYPE {qn(schema, name)} {body};",
            f"DROP TYPE {qn(schema, name)};",
            extra=(("attributes", "" if is_range else "\x1f".join(parts)),),
        )
        things[t.key] = t


def _function_users(found, things: dict) -> None:
    """Column defaults, constraints and indexes that call a function: a function that must be
    dropped and created again takes them along, so the differ drops and restores them."""
    users = defaultdict(list)
    for schema, name, kind, tschema, table, obj in found:
        users[(schema, name)].append("\x1e".join((kind, tschema, table, obj)))
    for (schema, name), used in users.items():
        f = things.get(("function", schema, name))
        if f is not None:
            things[f.key] = _with_extra(f, used_by="\x1f".join(sorted(used)))


def _signatures(found, things: dict) -> None:
    """A function's identity is its input types (``regprocedure``): the differ pairs a function
    whose parameter names or OUT parameters changed with its old self (its name here differs)."""
    for schema, name, signature in found:
        f = things.get(("function", schema, name))
        if f is not None:
            things[f.key] = _with_extra(f, signature=signature)


def _view_functions(found, things: dict) -> None:
    deps = defaultdict(set)
    for vschema, view, fschema, func in found:
        deps[(vschema, view)].add((fschema, func))
    for kind in ("view", "materialized view"):
        for (vschema, view), funcs in deps.items():
            v = things.get((kind, vschema, view))
            if v is not None:
                things[v.key] = replace(v, depends=tuple(sorted(set(v.depends) | funcs)))


def _function_relations(found, things: dict) -> None:
    """Tables and views a function with a SQL-standard body (BEGIN ATOMIC / RETURN) reads: its body
    is bound at creation, so the differ recreates it around changes to them."""
    deps = defaultdict(set)
    for fschema, func, schema, relation in found:
        deps[(fschema, func)].add((schema, relation))
    for (fschema, func), relations in deps.items():
        f = things.get(("function", fschema, func))
        if f is not None:
            things[f.key] = replace(f, depends=tuple(sorted(relations)))


def _trigger_states(found, things: dict) -> None:
    for schema, table, name, state in found:
        t = things.get(("trigger", schema, f"{table}.{name}"))
        if t is None or state not in TRIGGER_STATE_SQL:
            continue
        sql = f"ALTER TABLE {qn(schema, table)} {TRIGGER_STATE_SQL[state]} {q(name)};"
        things[t.key] = replace(
            t, definition=f"{t.definition} [{TRIGGER_STATE_SQL[state]}]", create=f"{t.create}\n{sql}"
        )


def _comments(found, tables: dict, things: dict) -> None:
    by_table: defaultdict[Key, dict[tuple[str, str], str]] = defaultdict(dict)  # (kind, name) -> comment
    for kind, schema, name, table, text in found:
        if kind in ("index", "constraint") and (schema, table) in tables:
            by_table[(schema, table)][(kind, name)] = text
            continue
        thing_kinds = {"type": ("enum", "domain", "type")}.get(kind, (kind,))
        for k in thing_kinds:
            t = things.get((k, schema, name))
            if t is not None:
                things[t.key] = _with_extra(t, comment=text)
    for key, found_here in by_table.items():
        t = tables[key]
        tables[key] = replace(
            t,
            indexes=tuple(replace(i, comment=found_here.get(("index", i.name))) for i in t.indexes),
            constraints=tuple(replace(c, comment=found_here.get(("constraint", c.name))) for c in t.constraints),
        )


def _column_grants(found, tables: dict, things: dict) -> None:
    by_rel = defaultdict(list)
    for schema, rel, col, priv, grantee in found:
        by_rel[(schema, rel)].append(f"{priv}({q(col)}) {grantee}")
    for key, grants in by_rel.items():
        if key in tables:
            t = tables[key]
            tables[key] = replace(t, grants=tuple(sorted(set(t.grants) | set(grants))))
            continue
        for kind in ("view", "materialized view"):
            v = things.get((kind, *key))
            if v is not None:
                old = [g for g in (v.get("grants") or "").split("\n") if g]
                things[v.key] = _with_extra(v, grants="\n".join(sorted(set(old) | set(grants))))


def _object_grants(found, things: dict) -> None:
    by_thing = defaultdict(list)
    for kind, schema, name, priv, grantee in found:
        by_thing[(kind, schema, name)].append(f"{priv} {grantee}")
    for key, t in list(things.items()):
        if key[0] in ("function", "sequence", "schema"):
            things[key] = _with_extra(t, grants="\n".join(sorted(by_thing.get(key, ()))))


def comment_target(drop_sql: str) -> str:
    """``DROP FUNCTION s.f(a integer);`` -> ``FUNCTION s.f(a integer)``: what COMMENT ON and GRANT name."""
    target = drop_sql.strip().rstrip(";")
    target = target[len("DROP ") :] if target.startswith("DROP ") else target
    return target.replace(" IF EXISTS ", " ", 1)


def comment_sql(target: str, text: str | None) -> str:
    return f"COMMENT ON {target} IS {literal(text) if text else 'NULL'};"
