"""SQLite introspection: ``sqlite_master`` for the stored SQL of every object, ``PRAGMA table_xinfo``
and ``foreign_key_list`` for the normalised columns and keys shown in the diff view."""

from __future__ import annotations

from collections import defaultdict

from .model import Column, Constraint, Index, SchemaModel, Table, Thing
from .quoting import sqlite_quote
from .scope import Scope
from .sqlnorm import normalise

q = sqlite_quote


def introspect_sqlite(conn, scope: Scope) -> SchemaModel:
    raw = conn
    cur = raw.cursor()
    objects = cur.execute(
        "select type, name, tbl_name, sql from sqlite_master "
        "where name not like 'sqlite\\_%' escape '\\' order by type, name"
    ).fetchall()
    tables, things = {}, {}
    index_rows = defaultdict(list)
    for kind, name, table, sql in objects:
        if kind == "index" and sql:
            index_rows[table].append(Index(name, sql))
            things[("index", "", name)] = Thing(
                "index", "", name, normalise(sql), sql + ";", f"DROP INDEX {q(name)};", table=table
            )
        elif kind in ("view", "trigger"):
            things[(kind, "", name)] = Thing(
                kind, "", name, normalise(sql), sql + ";", f"DROP {kind.upper()} {q(name)};", table=table
            )
    for kind, name, _table, sql in objects:
        if kind != "table":
            continue
        cols, pk = [], []
        for _cid, cname, ctype, notnull, default, pkpos, hidden in cur.execute(
            f"select * from pragma_table_xinfo({_lit(name)})"
        ):
            if hidden == 1:  # virtual-table hidden column
                continue
            cols.append(
                Column(
                    cname,
                    ctype or "",
                    not notnull and not pkpos,
                    default,
                    generated="(generated)" if hidden in (2, 3) else None,
                )
            )
            if pkpos:
                pk.append((pkpos, cname))
        constraints = []
        if pk:
            names = tuple(c for _, c in sorted(pk))
            constraints.append(Constraint("primary key", "primary", f"PRIMARY KEY ({', '.join(names)})", names))
        fks = defaultdict(list)
        for row in cur.execute(f"select * from pragma_foreign_key_list({_lit(name)})"):
            fks[row[0]].append(row)
        for rows in fks.values():
            rows.sort(key=lambda r: r[1])
            src = tuple(r[3] for r in rows)
            dst = ", ".join(str(r[4]) for r in rows if r[4])
            parent = rows[0][2]
            definition = f"FOREIGN KEY ({', '.join(src)}) REFERENCES {parent}({dst}) ON UPDATE {rows[0][5]} ON DELETE {rows[0][6]}"
            constraints.append(Constraint(f"fk ({', '.join(src)})", "foreign", definition, src, ("", parent)))
        tables[("", name)] = Table(
            "", name, tuple(cols), tuple(constraints), tuple(index_rows[name]), sql=normalise(sql), create=sql
        )
    cur.close()
    return SchemaModel("sqlite", tables, things)


def _lit(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"
