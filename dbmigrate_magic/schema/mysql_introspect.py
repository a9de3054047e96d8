"""MySQL/MariaDB introspection from the server's own rendering: ``SHOW CREATE TABLE`` gives one
line per column, key, foreign key and check, already in canonical form, so the model stores those
lines and the renderer reuses them verbatim. Views come from ``information_schema.VIEWS`` with the
database's own name stripped, so two databases with the same views compare equal."""

from __future__ import annotations

from .model import Column, Constraint, Index, SchemaModel, Table, Thing
from .quoting import mysql_quote
from .scope import Scope

q = mysql_quote


def read_name(line: str) -> tuple[str, str]:
    """Split a line starting with a backquoted identifier into (name, rest)."""
    assert line.startswith("`")
    i, out = 1, []
    while i < len(line):
        ch = line[i]
        if ch == "`":
            if line[i + 1 : i + 2] == "`":
                out.append("`")
                i += 2
                continue
            return "".join(out), line[i + 1 :].strip()
        out.append(ch)
        i += 1
    raise ValueError(line)


def body_end(lines: list[str]) -> int:
    """Index of the line closing the column list (``) ENGINE=...``); no column or key line starts with ``)``."""
    return next(i for i, line in enumerate(lines) if i and line.startswith(")"))


def parse_create(create: str) -> tuple[list[Column], list[Constraint], list[Index], str]:
    lines = create.splitlines()
    end = body_end(lines)  # a PARTITION BY clause continues over further lines
    body, tail = lines[1:end], " ".join(lines[end:])
    cols, cons, idx = [], [], []
    for raw in body:
        line = raw.strip().rstrip(",")
        if line.startswith("`"):
            name, rest = read_name(line)
            parts = rest.split(" ", 1)
            cols.append(Column(name, parts[0], "NOT NULL" not in rest, definition=line))
        elif line.startswith("PRIMARY KEY"):
            cons.append(Constraint("PRIMARY", "primary", line))
        elif line.startswith("CONSTRAINT"):
            name, rest = read_name(line[len("CONSTRAINT ") :])
            kind = "foreign" if rest.startswith("FOREIGN KEY") else "check"
            cons.append(Constraint(name, kind, line))
        else:  # KEY, UNIQUE KEY, FULLTEXT KEY, SPATIAL KEY
            words = line.split("`", 1)
            name, _ = read_name("`" + words[1])
            idx.append(Index(name, line, unique=line.startswith("UNIQUE")))
    options = " ".join(w for w in tail.lstrip(") ").split(" ") if not w.startswith("AUTO_INCREMENT="))
    # keys are listed in creation order, which says nothing about the schema: compare them by name
    return cols, sorted(cons, key=lambda c: (c.kind != "primary", c.name)), sorted(idx, key=lambda i: i.name), options


def introspect_mysql(conn, scope: Scope) -> SchemaModel:
    raw = conn
    cur = raw.cursor()
    cur.execute("select database()")
    database = cur.fetchone()[0]
    cur.execute(
        "select table_name, table_type from information_schema.tables where table_schema = database() "
        "order by table_name"
    )
    rels = cur.fetchall()
    tables, things = {}, {}
    own = q(database) + "."  # a DEFAULT nextval(`db`.`seq`) names its database: compare without it
    for name, kind in rels:
        if kind == "SEQUENCE":  # MariaDB
            cur.execute(f"SHOW CREATE SEQUENCE {q(name)}")
            sql = cur.fetchone()[1]
            things[("sequence", "", name)] = Thing("sequence", "", name, sql, sql + ";", f"DROP SEQUENCE {q(name)};")
            continue
        if kind not in ("BASE TABLE", "SYSTEM VERSIONED"):
            continue
        cur.execute(f"SHOW CREATE TABLE {q(name)}")
        create = cur.fetchone()[1].replace(own, "")
        cols, cons, idx, options = parse_create(create)
        lines = create.splitlines()
        create = "\n".join(lines[: body_end(lines)] + [") " + options])
        tables[("", name)] = Table("", name, tuple(cols), tuple(cons), tuple(idx), options=options, create=create)
    # MariaDB lists a view's ALGORITHM (MERGE/TEMPTABLE); MySQL's information_schema does not have it
    cur.execute(
        "select count(*) from information_schema.columns where table_schema = 'information_schema' "
        "and table_name = 'VIEWS' and column_name = 'ALGORITHM'"
    )
    algorithm = "algorithm" if cur.fetchone()[0] else "'UNDEFINED'"
    cur.execute(
        f"select table_name, view_definition, check_option, security_type, {algorithm} from information_schema.views "
        "where table_schema = database() order by table_name"
    )
    views = cur.fetchall()
    names = [v[0] for v in views] + [t[1] for t in tables]
    for name, definition, check, security, algorithm in views:
        body = definition.replace(own, "")
        deps = tuple(("", n) for n in names if n != name and q(n) in body)
        opt = "" if check in (None, "NONE") else f" WITH {check} CHECK OPTION"
        sql = f"CREATE ALGORITHM={algorithm} SQL SECURITY {security} VIEW {q(name)} AS {body}{opt};"
        things[("view", "", name)] = Thing(
            "view", "", name, body + opt + security + algorithm, sql, f"DROP VIEW {q(name)};", depends=deps
        )
    cur.execute(
        "select trigger_name, action_timing, event_manipulation, event_object_table, action_statement "
        "from information_schema.triggers where trigger_schema = database() "
        "order by event_object_table, action_timing, event_manipulation, action_order"
    )
    previous: dict = {}  # (table, timing, event) -> the trigger this one FOLLOWS, keeping their order
    for name, timing, event, table, statement in cur.fetchall():
        after = previous.get((table, timing, event))
        previous[(table, timing, event)] = name
        follows = f" FOLLOWS {q(after)}" if after else ""
        sql = f"CREATE TRIGGER {q(name)} {timing} {event} ON {q(table)} FOR EACH ROW{follows} {statement};"
        things[("trigger", "", name)] = Thing(
            "trigger",
            "",
            name,
            sql,
            sql,
            f"DROP TRIGGER {q(name)};",
            table=table,
            extra=(("event", f"{table} {timing} {event}"),),
        )
    cur.close()
    return SchemaModel("mysql", tables, things, database)
