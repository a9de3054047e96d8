"""Helpers for the schema tests: load SQL, introspect, dump with the database's own tool, normalise."""

from __future__ import annotations

import re
import subprocess

from sqlalchemy.engine import make_url

from dbmigrate_magic import scratch
from dbmigrate_magic.db import Database
from dbmigrate_magic.schema import diff, introspect
from dbmigrate_magic.schema.introspect import Scope

RESET_PG = """
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
    EXECUTE format('DROP EXTENSION %I CASCADE', r.extname); END LOOP;
  FOR r IN SELECT nspname FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema')
           AND nspname NOT LIKE 'pg\\_%' LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname); END LOOP;
END $$;
CREATE SCHEMA public;
"""


def model(url: str, scope: Scope | None = None):
    db = Database(url)
    try:
        return introspect(db, scope)
    finally:
        db.dispose()


def load(url: str, sql: str) -> None:
    if sql.strip():
        scratch.load_sql(url, sql)


def dump(url: str, scope: Scope | None = None) -> str:
    """The database's own schema dump, normalised: comments, blank lines and per-run tokens dropped.
    ``scope`` limits a PostgreSQL dump to the schemas the diff looked at (``-n`` / ``-N``)."""
    u = make_url(url)
    if u.get_backend_name() == "postgresql":
        libpq = u.set(drivername="postgresql").render_as_string(hide_password=False)
        limit = [f"--schema={s}" for s in (scope.schemas if scope else ())]
        limit += [f"--exclude-schema={s}" for s in (scope.exclude_schemas if scope else ())]
        out = subprocess.run(
            ["pg_dump", "--schema-only", *limit, libpq], capture_output=True, text=True, check=True
        ).stdout
        lines = [l for l in out.splitlines() if l.strip() and not l.startswith(("--", "\\restrict", "\\unrestrict"))]
        return "\n".join(sort_pg_acl_and_options(sort_pg_columns(lines)))
    if u.get_backend_name() == "mysql":
        out = subprocess.run(
            [
                "mysqldump",
                "--no-data",
                "--compact",
                "--skip-comments",
                "-h",
                u.host or "127.0.0.1",
                "-P",
                str(u.port or 3306),
                "-u",
                u.username or "root",
                u.database,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        out = out.replace(f"`{u.database}`.", "")  # DEFAULT nextval(`db`.`seq`) names the database
        return "\n".join(sort_mysql_keys(trigger_text_free(re.sub(r" AUTO_INCREMENT=\d+", "", out)).splitlines()))
    out = subprocess.run(["sqlite3", u.database, ".schema"], capture_output=True, text=True, check=True).stdout
    # sqlite_sequence is SQLite's own bookkeeping table: it can never be dropped
    statements = [s.strip() for s in out.split(";\n") if s.strip() and "sqlite_sequence" not in s]
    return "\n".join(sorted(statements))


def sort_pg_columns(lines: list[str]) -> list[str]:
    """PostgreSQL cannot reorder columns (ALTER TABLE only appends), so the comparison ignores column
    order: column lines inside each CREATE TABLE are sorted, trailing commas dropped."""
    out, block = [], None
    for line in lines:
        if line.startswith("CREATE TABLE") or line.startswith("CREATE UNLOGGED TABLE"):
            out.append(line)
            block = []
        elif block is not None and line.startswith(")"):
            out.extend(sorted(l.rstrip(",") for l in block))
            out.append(line)
            block = None
        elif block is not None:
            block.append(line)
        else:
            out.append(line)
    return out


def sort_pg_acl_and_options(lines: list[str]) -> list[str]:
    """Orders pg_dump copies from the catalogs without meaning: a run of GRANT/REVOKE lines (the
    order of an ACL's items) is sorted, and so are the storage options inside ``WITH (...)``."""
    out, run = [], []
    for line in lines + [""]:
        if line.startswith(("GRANT ", "REVOKE ")):
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        if line.startswith("WITH (") and line.endswith(");"):
            line = "WITH (" + ", ".join(sorted(line[len("WITH (") : -2].split(", "))) + ");"
        out.append(line)
    return out[:-1]


def trigger_text_free(out: str) -> str:
    """mysqldump prints a trigger as the text it was created with (``trigger tr before insert on t``
    or ``TRIGGER `tr` BEFORE INSERT ON `t```); the comparison ignores case and backquotes there."""
    return re.sub(r"(?s)DELIMITER ;;\n.*?\nDELIMITER ;", lambda m: m.group(0).lower().replace("`", ""), out)


def sort_mysql_keys(lines: list[str]) -> list[str]:
    """MySQL lists a table's keys and constraints in the order they were created, which an ALTER
    cannot reproduce and which means nothing; the comparison sorts those lines (commas dropped)."""
    out, keys = [], []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(("KEY ", "UNIQUE KEY ", "FULLTEXT KEY ", "SPATIAL KEY ", "CONSTRAINT ")):
            keys.append(line.rstrip(","))
            continue
        if keys:
            out.extend(sorted(keys))
            keys = []
        out.append(line.rstrip(",") if stripped.startswith(("PRIMARY KEY", "`")) else line)
    return out + sorted(keys)


def order_free(m):
    """The model with each table's columns sorted by name (see ``sort_pg_columns``)."""
    from dataclasses import replace

    if m.dialect != "postgresql":
        return m
    return replace(
        m, tables={k: replace(t, columns=tuple(sorted(t.columns, key=lambda c: c.name))) for k, t in m.tables.items()}
    )


def roundtrip(
    url_a: str,
    url_b: str,
    a_sql: str,
    b_sql: str,
    expected: list,
    options: dict | None = None,
    safe_url: str | None = None,
) -> None:
    """Load A and B, diff A->B (unsafe), apply to A; the two must then be identical.

    ``options``: Scope fields (schemas, exclude_schemas, privileges, ignore_extension_versions) and
    ``extensions_only``, as the diff command's flags set them; with extensions_only only extensions
    are compared afterwards. ``safe_url``: an empty database where A is loaded and the script
    without --unsafe must apply cleanly (when it differs from the unsafe one)."""
    options = dict(options or {})
    only_ext = options.pop("extensions_only", False)
    scope = Scope(**options)
    load(url_a, a_sql)
    load(url_b, b_sql)
    ma, mb = model(url_a, scope), model(url_b, scope)
    assert diff(ma, ma).is_empty, diff(ma, ma).sql(True)
    assert diff(mb, mb).is_empty, diff(mb, mb).sql(True)
    d = diff(ma, mb, extensions_only=only_ext)
    seen = {(c.object_type, c.change) for c in d.changes}
    keys = [(c.object_type, c.schema, c.name, c.change) for c in d.changes]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    assert not twice, f"listed more than once in the change table: {twice}"
    for want in expected:
        assert tuple(want) in seen, f"{want} not in {sorted(seen)}"
    if expected:
        assert not d.is_empty
    script = d.sql(unsafe=True)
    if safe_url and d.destructive:
        load(safe_url, a_sql)
        load(safe_url, d.sql(unsafe=False))  # raises with the database's message when a statement fails
        partly = model(safe_url, scope)
        assert diff(partly, partly).is_empty
    load(url_a, script)
    after = model(url_a, scope)
    rest = diff(after, mb, extensions_only=only_ext)
    assert rest.is_empty, f"after applying:\n{script}\nstill differs:\n{rest.sql(True)}\n{rest.changes}"
    if only_ext:
        assert after.of_kind("extension") == mb.of_kind("extension")
        assert after.tables == ma.tables, "--extensions-only touched tables"
        ext = lambda u: sorted(l for l in dump(u).splitlines() if l.startswith("CREATE EXTENSION"))  # noqa: E731
        assert ext(url_a) == ext(url_b), script
    else:
        assert order_free(after) == order_free(mb)
        assert dump(url_a, scope) == dump(url_b, scope), script
    assert diff(after, after).is_empty
