"""Automatic down migrations (issue 5, point 5): ``dbm generate --down-for M`` computes the down
part of a migration that has none by replay and diff, shows it, and with ``--write`` stores it
where ``dbm rollback`` reads it; the rollback then returns the schema to what it was before M."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbmigrate_magic.adapters.drizzle.adapter import DrizzleAdapter
from dbmigrate_magic.db import Database
from dbmigrate_magic.schema import diff, introspect
from tests.helpers import dialect

from . import alembic_project
from .drizzle_kit import tool_url
from .helpers import make_project
from .node_projects import knex_project
from .prisma_format import write_migration, write_project

USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);\n"
ORDERS = "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER);\n"


def last_migration(url: str) -> str:
    """A column with a default and an index, and a foreign key (SQLite adds FKs with a column)."""
    fk = (
        "ALTER TABLE orders ADD COLUMN owner_id INTEGER REFERENCES users (id);\n"
        if dialect(url) == "sqlite"
        else "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
    )
    return (
        "ALTER TABLE users ADD COLUMN status VARCHAR(20) NOT NULL DEFAULT 'active';\n"
        "CREATE INDEX users_status ON users (status);\n" + fk
    )


def schema_of(url: str):
    db = Database(url, "test")
    try:
        return introspect(db)
    finally:
        db.dispose()


def sql_lines(out: str) -> list[str]:
    """The SQL a ``--down-for`` result shows (below its first line)."""
    return [ln.strip() for ln in out.splitlines()[1:] if ln.strip()]


def states(run_dbm, root: Path) -> dict[str, str]:
    proc = run_dbm("status", root, "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {r["migration"]: r["state"] for r in json.loads(proc.stdout)["migrations"]}


def round_trip(run_dbm, root: Path, url: str, add_last, last: str, down_file: Path) -> None:
    """Apply the first migrations, remember the schema, apply ``last`` (written by ``add_last``),
    then: rollback refused, --down-for shows, --write stores, rollback restores the schema."""
    proc = run_dbm("migrate", root, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    before = schema_of(url)
    add_last()
    proc = run_dbm("migrate", root, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert diff(before, schema_of(url)).changes  # the migration did change the schema

    refused = run_dbm("rollback", root, "--yes")
    assert refused.returncode != 0
    assert f"dbm generate --down-for {last}" in refused.stdout + refused.stderr and "--write" in refused.stderr

    shown = run_dbm("generate", "--down-for", last, "--project", root)
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "nothing written" in shown.stdout and sql_lines(shown.stdout)
    assert not down_file.exists()

    wrote = run_dbm("generate", "--down-for", last, "--write", "--project", root)
    assert wrote.returncode == 0, wrote.stdout + wrote.stderr
    assert down_file.is_file() and down_file.relative_to(root).as_posix() in wrote.stdout
    assert sql_lines(wrote.stdout) == sql_lines(shown.stdout)  # what was reviewed is what is stored
    stored = [ln.strip() for ln in down_file.read_text().splitlines() if ln.strip() and "breakpoint" not in ln]
    assert stored and all(ln in sql_lines(wrote.stdout) for ln in stored)
    assert set(states(run_dbm, root).values()) == {"applied"}  # no migration became 'modified'

    again = run_dbm("generate", "--down-for", last, "--write", "--project", root)
    assert again.returncode != 0 and "already has a down part" in again.stderr and "--force" in again.stderr

    back = run_dbm("rollback", root, "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    after = schema_of(url)
    assert diff(after, before).changes == () and after == before
    assert states(run_dbm, root)[last] in ("pending", "rolled_back")
    proc = run_dbm("migrate", root, "--yes")  # the migration applies again over the restored schema
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_raw_sql_down_for_write_and_rollback(tmp_path, db_url, run_dbm):
    root = make_project(
        tmp_path / "app",
        db_url,
        {
            "20250101000000_users.sql": f"-- UP\n{USERS}\n-- DOWN\nDROP TABLE users;\n",
            "20250102000000_orders.sql": ORDERS,  # no -- DOWN at all
        },
    )
    last = "20250103000000_status_fk.sql"
    folder = root / "migrations"
    round_trip(
        run_dbm,
        root,
        db_url,
        lambda: (folder / last).write_text(f"-- UP\n{last_migration(db_url)}"),
        last,
        folder / "20250103000000_status_fk.down.sql",
    )
    # a file with its own -- DOWN section is refused before any replay, even with --force
    proc = run_dbm("generate", "--down-for", "20250101000000_users.sql", "--write", "--force", "--project", root)
    assert proc.returncode != 0 and "has its own -- DOWN section" in proc.stderr
    assert not (folder / "20250101000000_users.down.sql").exists()
    # --force replaces a stored down part
    stored = folder / "20250103000000_status_fk.down.sql"
    stored.write_text("-- hand edited\n")
    proc = run_dbm("generate", "--down-for", last, "--write", "--force", "--project", root)
    assert proc.returncode == 0, proc.stderr
    assert "hand edited" not in stored.read_text() and "users" in stored.read_text()


def test_raw_sql_empty_down_writes_nothing(tmp_path, sqlite_url, run_dbm):
    seed = "INSERT INTO users VALUES (1, 'a');\n"
    root = make_project(
        tmp_path / "app", sqlite_url, {"20250101000000_users.sql": USERS, "20250102000000_seed.sql": seed}
    )
    proc = run_dbm("generate", "--down-for", "20250102000000_seed.sql", "--write", "--project", root)
    assert proc.returncode == 0, proc.stderr
    assert "empty" in proc.stdout and "nothing written" in proc.stdout
    assert sorted(p.name for p in (root / "migrations").iterdir()) == [
        "20250101000000_users.sql",
        "20250102000000_seed.sql",
    ]


def test_prisma_down_for_write_and_rollback(tmp_path, db_url, run_dbm):
    migrations = write_project(tmp_path, dialect(db_url), db_url)
    write_migration(migrations, "20250101000000_users", USERS)
    write_migration(migrations, "20250102000000_orders", ORDERS)
    last = "20250103000000_status_fk"
    round_trip(
        run_dbm,
        tmp_path,
        db_url,
        lambda: write_migration(migrations, last, last_migration(db_url)),
        last,
        migrations / last / "down.sql",
    )


def drizzle_project(root: Path, url: str) -> DrizzleAdapter:
    """drizzle.config.ts as drizzle-kit reads it; migrations in its journal layout, no down files."""
    root.mkdir(parents=True)
    (root / "drizzle.config.ts").write_text(
        'import { defineConfig } from "drizzle-kit";\n'
        f'export default defineConfig({{ dialect: "{dialect(url)}", schema: "./schema.ts", out: "./drizzle", '
        f"dbCredentials: {{ url: {json.dumps(tool_url(url))} }} }});\n"
    )
    (root / ".env").write_text(f"DATABASE_URL={url}\n")
    return DrizzleAdapter(root)


def test_drizzle_down_for_write_and_rollback(tmp_path, db_url, run_dbm):
    root = tmp_path / "app"
    adapter = drizzle_project(root, db_url)
    adapter.new_migration("users", USERS)
    adapter.new_migration("orders", ORDERS)
    assert not list((root / "drizzle").glob("*.down.sql"))
    round_trip(
        run_dbm,
        root,
        db_url,
        lambda: adapter.new_migration("status_fk", last_migration(db_url)),
        "0002_status_fk",
        root / "drizzle" / "0002_status_fk.down.sql",
    )
    assert "0002_status_fk.down.sql" not in (root / "drizzle" / "meta" / "_journal.json").read_text()


def test_tools_with_down_code_refuse_to_store(tmp_path, sqlite_url, run_dbm):
    alembic = alembic_project.init(tmp_path / "alembic_app", sqlite_url)
    alembic_project.revision(alembic, "a1", "users", up="CREATE TABLE users (id INTEGER PRIMARY KEY)")
    proc = run_dbm("generate", "--down-for", "a1", "--write", "--project", alembic)
    assert proc.returncode != 0
    assert "downgrade()" in proc.stderr and "a1_users.py" in proc.stderr and "No file was written" in proc.stderr
    knex = knex_project(tmp_path / "knex_app", sqlite_url, ["users"])
    before = sorted(p.name for p in (knex / "db" / "migrations").iterdir())
    proc = run_dbm("generate", "--down-for", before[0], "--write", "--project", knex)
    assert proc.returncode != 0 and "exports.down" in proc.stderr and before[0] in proc.stderr
    assert sorted(p.name for p in (knex / "db" / "migrations").iterdir()) == before


PW = "Zq9-dOwNfOr-S3cr3t"


@pytest.mark.postgres
def test_planted_password_never_shown(tmp_path, pg_url, run_dbm, ipython):
    """PostgreSQL here trusts local connections, so a planted password connects and must stay hidden."""
    from sqlalchemy.engine import make_url

    url = make_url(pg_url).set(password=PW).render_as_string(hide_password=False)
    root = make_project(tmp_path / "app", url, {"20250101000000_users.sql": USERS, "20250102000000_orders.sql": ORDERS})
    outputs = []
    for args in (
        ("migrate", root, "--yes"),
        ("rollback", root, "--yes"),
        ("generate", "--down-for", "20250102000000_orders.sql", "--project", root),
        ("generate", "--down-for", "20250102000000_orders.sql", "--write", "--format", "json", "--project", root),
        ("generate", "--down-for", "20250102000000_orders.sql", "--write", "--project", root),
    ):
        proc = run_dbm(*args)
        outputs += [proc.stdout, proc.stderr]
    assert "orders;" in outputs[4] and "already has a down part" in outputs[9]
    (root / "migrations" / "20250102000000_orders.down.sql").unlink()
    result = ipython.run_line_magic("dbm", f"generate --down-for 20250102000000_orders.sql --write --project {root}")
    outputs += [repr(result), result._repr_html_(), json.dumps(result.to_dict())]
    assert "orders;" in (root / "migrations" / "20250102000000_orders.down.sql").read_text()
    assert "***" in outputs[0]  # the URL is shown, masked
    for text in outputs:
        assert PW not in text
    assert all(PW not in p.read_text() for p in (root / "migrations").iterdir())


def bracketed(out: str, prefix: str) -> list[str]:
    """The ``[where:line]`` of every preview line starting with ``prefix`` (Guard: destructive, Lint)."""
    return [ln.split("[", 1)[1].split("]", 1)[0] for ln in out.splitlines() if ln.startswith(prefix) and "[" in ln]


def line_of(path: Path, text: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), 1) if text in ln)


def test_raw_sql_down_for_short_names_and_findings_name_the_down_file(tmp_path, sqlite_url, run_dbm):
    """--down-for takes the names rollback takes (timestamp, name, file name without .sql); the
    rollback preview's guard and lint findings then point into the stored .down.sql, its own lines."""
    root = make_project(
        tmp_path / "app",
        sqlite_url,
        {
            "20250101000000_users.sql": f"-- UP\n{USERS}\n-- DOWN\nDROP TABLE users;\n",
            "20250102000000_orders.sql": "-- UP\n\n" + ORDERS,
        },
    )
    assert run_dbm("migrate", root, "--yes").returncode == 0
    shown = {
        name: run_dbm("generate", "--down-for", name, "--project", root)
        for name in ("20250102000000", "orders", "20250102000000_orders", "20250102000000_orders.sql")
    }
    for name, proc in shown.items():
        assert proc.returncode == 0, (name, proc.stderr)
        assert "for 20250102000000_orders.sql" in proc.stdout.splitlines()[0]
        assert [ln for ln in sql_lines(proc.stdout) if not ln.startswith("PRAGMA")] == ["DROP TABLE orders;"]
    unknown = run_dbm("generate", "--down-for", "nope", "--project", root)
    assert unknown.returncode != 0 and "no migration 'nope'" in unknown.stderr and "dbm status" in unknown.stderr

    wrote = run_dbm("generate", "--down-for", "orders", "--write", "--project", root)
    assert wrote.returncode == 0, wrote.stderr
    down = root / "migrations" / "20250102000000_orders.down.sql"
    down.write_text("\n\n-- reviewed by hand\n" + down.read_text())  # blank lines the step's SQL leaves out
    preview = run_dbm("rollback", root, "--dry-run")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    where = f"migrations/20250102000000_orders.down.sql:{line_of(down, 'DROP TABLE orders')}"
    assert where == "migrations/20250102000000_orders.down.sql:6"
    assert bracketed(preview.stdout, "Guard: destructive") == [where]
    assert bracketed(preview.stdout, "Lint") and set(bracketed(preview.stdout, "Lint")) == {where}


def test_prisma_down_sql_findings_name_the_down_file(tmp_path, sqlite_url, run_dbm):
    migrations = write_project(tmp_path, "sqlite", sqlite_url)
    write_migration(migrations, "20250101000000_users", USERS)
    write_migration(migrations, "20250102000000_orders", ORDERS)
    assert run_dbm("migrate", tmp_path, "--yes").returncode == 0
    down = migrations / "20250102000000_orders" / "down.sql"
    down.write_text("-- undo orders\n-- (hand-made, as Prisma's docs suggest)\nDROP TABLE orders;\n")
    preview = run_dbm("rollback", tmp_path, "--dry-run")
    assert preview.returncode == 0, preview.stdout + preview.stderr
    where = "prisma/migrations/20250102000000_orders/down.sql:3"
    assert bracketed(preview.stdout, "Guard: destructive") == [where]
    assert set(bracketed(preview.stdout, "Lint")) == {where}
