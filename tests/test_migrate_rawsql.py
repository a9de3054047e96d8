"""migrate / rollback / resolve / baseline for the raw SQL format on PostgreSQL, MariaDB and SQLite."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import ChecksumMismatch, MigrationFailed, NeedsResolve, UnsupportedOperation
from tests.helpers import columns, dialect, execute, make_project, query, recorded, tables, visible_text

USERS = (
    "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL);\n\n-- DOWN\nDROP TABLE users;\n"
)
ORDERS = (
    "-- UP\nCREATE TABLE orders (id INTEGER PRIMARY KEY, total INTEGER NOT NULL DEFAULT 0);\n"
    "INSERT INTO orders (id, total) VALUES (1, 10);\n\n-- DOWN\nDROP TABLE orders;\n"
)
NO_DOWN = "-- UP\nCREATE TABLE audit (id INTEGER PRIMARY KEY);\n"


def test_apply_rollback_resolve_baseline(db_url, tmp_path):
    project = make_project(
        tmp_path / "app", db_url, {"20250101000000_users.sql": USERS, "20250102000000_orders.sql": ORDERS}
    )
    preview = api.migrate(project, dry_run=True)
    assert preview.status == "dry run"
    assert [s.migration for s in preview.preview.steps] == ["20250101000000_users.sql", "20250102000000_orders.sql"]
    assert "CREATE TABLE orders" in preview.preview.steps[1].sql
    assert "_migrations" not in tables(db_url)  # a dry run creates nothing

    done = api.migrate(project, yes=True)
    assert done.status == "applied"
    assert [o.state for o in done.outcomes] == ["applied", "applied"]
    frame = done.to_frame()
    assert list(frame["state"]) == ["applied", "applied"] and list(frame["statements_run"]) == [1, 2]
    assert done.to_dict()["outcomes"][1]["statements_run"] == 2 and "CREATE TABLE orders" in visible_text(
        done._repr_html_()
    )
    assert {"users", "orders"} <= tables(db_url)
    assert set(recorded(db_url)) == {"20250101000000_users.sql", "20250102000000_orders.sql"}
    status = api.status(project)
    assert [r.state for r in status.rows] == ["applied", "applied"]
    assert all(r.checksum_ok for r in status.rows)
    assert api.migrate(project, yes=True).status == "up to date"

    back = api.rollback(project, yes=True)
    assert [o.migration for o in back.outcomes] == ["20250102000000_orders.sql"]
    assert "orders" not in tables(db_url) and "users" in tables(db_url)
    assert [r.state for r in api.status(project).rows] == ["applied", "pending"]

    # A migration without DOWN: refused before anything runs, naming the way out.
    (project / "migrations" / "20250103000000_audit.sql").write_text(NO_DOWN)
    api.migrate(project, yes=True)
    with pytest.raises(UnsupportedOperation) as err:
        api.rollback(project, steps=2, yes=True)
    assert "no -- DOWN" in err.value.what and "restore" in err.value.next_step
    assert {"users", "orders", "audit"} <= tables(db_url)

    # resolve: mark the audit migration rolled back without running anything, then applied again.
    api.resolve("20250103000000_audit.sql", "rolled_back", project, yes=True)
    assert "20250103000000_audit.sql" not in recorded(db_url)
    assert "audit" in tables(db_url)
    api.resolve("20250103000000_audit.sql", "applied", project, yes=True)
    assert [r.state for r in api.status(project).rows] == ["applied", "applied", "applied"]

    # baseline: an existing database adopted without running the SQL.
    other = make_project(
        tmp_path / "adopt", db_url, {"20250104000000_extra.sql": "-- UP\nCREATE TABLE extra (x INT);\n"}
    )
    execute(db_url, "CREATE TABLE extra (x INT)")
    base = api.baseline(other, yes=True)
    assert base.status == "baselined"
    assert recorded(db_url)["20250104000000_extra.sql"] in (None, "applied")
    assert api.migrate(other, yes=True).status == "up to date"


def test_failing_sql_reports_statement_line_and_message(db_url, tmp_path):
    bad = (
        "-- UP\nCREATE TABLE t1 (x INTEGER);\nINSERT INTO t1 VALUES (1);\n\nINSERT INTO no_such_table VALUES (1);\n"
        "-- DOWN\nDROP TABLE t1;\n"
    )
    project = make_project(tmp_path / "app", db_url, {"20250101000000_users.sql": USERS, "20250102000000_bad.sql": bad})
    with pytest.raises(MigrationFailed) as err:
        api.migrate(project, yes=True)
    message = err.value.message
    assert "INSERT INTO no_such_table" in message
    assert "line 5 of migrations/20250102000000_bad.sql" in message
    assert "no_such_table" in message.split("Database said:")[1]
    assert "users" in tables(db_url)
    rows = recorded(db_url)
    if dialect(db_url) != "mysql":
        # transactional DDL: the failed migration left nothing behind
        assert "t1" not in tables(db_url)
        assert "20250102000000_bad.sql" not in rows
        assert [r.state for r in api.status(project).rows] == ["applied", "pending"]
        return
    # MariaDB: recorded failed, with how many statements ran, visible in status
    assert rows["20250102000000_bad.sql"] == "failed"
    row = api.status(project).rows[1]
    assert row.state == "failed" and "after 2 statement(s)" in row.note and "no_such_table" in row.note
    with pytest.raises(NeedsResolve):
        api.migrate(project, yes=True)
    # recover: undo the two statements by hand, mark rolled back, fix the file, migrate
    execute(db_url, "DROP TABLE t1")
    api.resolve("20250102000000_bad.sql", "rolled_back", project, yes=True)
    (project / "migrations" / "20250102000000_bad.sql").write_text(bad.replace("no_such_table", "t1"))
    assert api.migrate(project, yes=True).status == "applied"
    assert query(db_url, "SELECT COUNT(*) FROM t1")[0][0] == 2


@pytest.mark.postgres
def test_a_constraint_existing_rows_break_says_to_correct_the_rows(pg_url, tmp_path):
    execute(pg_url, "CREATE TABLE people (id INT PRIMARY KEY, email TEXT)", "INSERT INTO people VALUES (1, NULL)")
    tight = "-- UP\nALTER TABLE people ALTER COLUMN email SET NOT NULL;\n-- DOWN\nALTER TABLE people ALTER COLUMN email DROP NOT NULL;\n"
    project = make_project(tmp_path / "app", pg_url, {"20250101000000_email_required.sql": tight})
    with pytest.raises(MigrationFailed) as err:
        api.migrate(project, yes=True)
    assert "contains null values" in err.value.message
    assert "Correct those rows" in err.value.next_step and "Fix the SQL" not in err.value.next_step
    execute(pg_url, "UPDATE people SET email = 'a@example.com' WHERE email IS NULL")  # as it says
    assert api.migrate(project, yes=True).status == "applied"


def test_modified_applied_migration_stops_the_run(db_url, tmp_path):
    project = make_project(tmp_path / "app", db_url, {"20250101000000_users.sql": USERS})
    api.migrate(project, yes=True)
    (project / "migrations" / "20250101000000_users.sql").write_text(USERS.replace("200", "300"))
    (project / "migrations" / "20250102000000_orders.sql").write_text(ORDERS)
    with pytest.raises(ChecksumMismatch) as err:
        api.migrate(project, yes=True)
    assert "20250101000000_users.sql" in err.value.what and "--allow-modified-applied" in err.value.next_step
    assert "orders" not in tables(db_url)
    assert api.migrate(project, yes=True, allow_modified=True).status == "applied"
    assert "orders" in tables(db_url)


def test_minimal_tracking_table_keeps_working(db_url, tmp_path):
    auto = {
        "postgresql": "SERIAL PRIMARY KEY",
        "mysql": "INT AUTO_INCREMENT PRIMARY KEY",
        "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    }[dialect(db_url)]
    execute(
        db_url,
        f"CREATE TABLE _migrations (id {auto}, filename VARCHAR(255) NOT NULL UNIQUE, "
        "applied_at TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP)",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(200) NOT NULL)",
        "INSERT INTO _migrations (filename, applied_at) VALUES ('20250101000000_users.sql', CURRENT_TIMESTAMP)",
    )
    project = make_project(
        tmp_path / "app", db_url, {"20250101000000_users.sql": USERS, "20250102000000_orders.sql": ORDERS}
    )
    assert [r.state for r in api.status(project).rows] == ["applied", "pending"]
    result = api.migrate(project, yes=True)
    assert result.status == "applied"
    status = api.status(project)
    assert [r.state for r in status.rows] == ["applied", "applied"]
    if dialect(db_url) == "mysql":  # extended only where needed, and said so before and after
        assert any("dbm:upgrade-1" in n for n in result.preview.notes)
        assert any("dbm:upgrade-1" in n for n in status.notes)
    else:
        assert set(columns(db_url, "_migrations")) == {"id", "filename", "applied_at"}  # left in its minimal form
    api.rollback(project, yes=True)
    assert [r.state for r in api.status(project).rows] == ["applied", "pending"]
    # An old-style writer (filename, applied_at only) still works against the table afterwards.
    execute(
        db_url, "INSERT INTO _migrations (filename, applied_at) VALUES ('20250102000000_orders.sql', CURRENT_TIMESTAMP)"
    )
    assert [r.state for r in api.status(project).rows] == ["applied", "applied"]


def test_new_migration_sorts_after_newest(tmp_path):
    project = make_project(tmp_path / "app", f"sqlite:///{tmp_path / 'x.db'}", {"29990101000000_future.sql": USERS})
    made = api.new("add_things", project)
    assert made.file.startswith("migrations/29990101000001_add_things")
    text = (project / made.file).read_text()
    assert "-- UP" in text and "-- DOWN" in text


def test_status_creates_no_sqlite_file(tmp_path, run_dbm):
    project = make_project(tmp_path / "app", "sqlite:///never.db", {"20250101000000_users.sql": USERS})
    out = run_dbm("status", project, "--format", "json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["summary"]["table_exists"] is False
    assert not (project / "never.db").exists()


BODIES = {
    "postgresql": """-- UP
CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT);
CREATE FUNCTION stamp_note() RETURNS trigger AS $body$
BEGIN
    NEW.note := coalesce(NEW.note, '') || ';stamped';  -- a semicolon inside a dollar-quoted body
    RETURN NEW;
END
$body$ LANGUAGE plpgsql;
CREATE TRIGGER items_stamp BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION stamp_note();
INSERT INTO items (id, note) VALUES (1, 'a;b');
-- DOWN
DROP TABLE items;
DROP FUNCTION stamp_note();
""",
    "mysql": """-- UP
CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT);
CREATE TRIGGER items_stamp BEFORE INSERT ON items FOR EACH ROW
BEGIN
    IF NEW.note IS NULL THEN SET NEW.note = ''; END IF;
    SET NEW.note = CONCAT(NEW.note, CASE WHEN NEW.id > 0 THEN ';stamped' ELSE ';odd' END);
END;
INSERT INTO items (id, note) VALUES (1, 'a;b');
-- DOWN
DROP TABLE items;
""",
    "sqlite": """-- UP
CREATE TABLE items (id INTEGER PRIMARY KEY, note TEXT);
CREATE TRIGGER items_stamp AFTER INSERT ON items
BEGIN
    UPDATE items SET note = note || ';stamped' WHERE id = NEW.id;
END;
INSERT INTO items (id, note) VALUES (1, 'a;b');
-- DOWN
DROP TABLE items;
""",
}


def test_function_and_trigger_bodies_run_whole(db_url, tmp_path):
    """Semicolons inside dollar quotes, trigger bodies and strings do not split statements."""
    project = make_project(tmp_path / "app", db_url, {"20250101000000_items.sql": BODIES[dialect(db_url)]})
    result = api.migrate(project, yes=True)
    assert result.outcomes[0].statements_run == (4 if dialect(db_url) == "postgresql" else 3)
    assert query(db_url, "SELECT note FROM items WHERE id = 1") == [("a;b;stamped",)]
    api.rollback(project, yes=True)
    assert "items" not in tables(db_url)


@pytest.mark.postgres
def test_previews_and_errors_never_show_the_password(pg_url, tmp_path, run_dbm):
    secret = "Pl4nted-S3cret-xyz"
    url = pg_url.replace("postgres@", f"postgres:{secret}@", 1)
    project = make_project(
        tmp_path / "app",
        url,
        {
            "20250101000000_users.sql": USERS,
            "20250102000000_bad.sql": f"-- UP\nCREATE TABLE t1 (x INTEGER);\nSELECT no_such_fn('{secret}');\n",
        },
    )
    runs = [
        run_dbm("migrate", project),
        run_dbm("migrate", project, "--yes"),
        run_dbm("migrate", project, "--yes", "--format", "json"),
        run_dbm("status", project),
    ]
    assert runs[1].returncode == 1 and "no_such_fn" in runs[1].stderr and "line 3" in runs[1].stderr
    for out in runs:
        assert secret not in out.stdout + out.stderr
    assert "postgres:***@" in runs[0].stdout


def test_targets_for_migrate_and_rollback(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    project = make_project(
        tmp_path / "app",
        url,
        {
            "20250101000000_users.sql": USERS,
            "20250102000000_orders.sql": ORDERS,
            "20250103000000_more.sql": "-- UP\nCREATE TABLE more (x INTEGER);\n-- DOWN\nDROP TABLE more;\n",
        },
    )
    assert [o.migration for o in api.migrate(project, to="orders", yes=True).outcomes] == [
        "20250101000000_users.sql",
        "20250102000000_orders.sql",
    ]
    assert [r.state for r in api.status(project).rows] == ["applied", "applied", "pending"]
    api.migrate(project, yes=True)
    back = api.rollback(project, to="20250101000000_users.sql", yes=True)
    assert [o.migration for o in back.outcomes] == ["20250103000000_more.sql", "20250102000000_orders.sql"]
    assert tables(url) & {"users", "orders", "more"} == {"users"}
    assert api.rollback(project, steps=5, dry_run=True).preview.steps[0].migration == "20250101000000_users.sql"


def test_first_cell_migration_in_an_empty_project_applies(tmp_path):
    """No migration yet, so no tool detected: the cell's migration is raw SQL and is previewed and
    applied (runbook 03 starts like this); the preview's lint must not ask for a detected tool."""
    project = make_project(tmp_path / "app", "sqlite:///dev.db")
    done = api.migrate(project, sql="-- UP\nCREATE TABLE t (id INTEGER);\n-- DOWN\nDROP TABLE t;", name="t", yes=True)
    assert done.status == "applied"
    assert "t" in tables(f"sqlite:///{project / 'dev.db'}")


_REPORTS_SQLALCHEMY = (
    "import sys\nfrom dbmigrate_magic.cli import main\ncode = main(sys.argv[1:])\n"
    "print('sqlalchemy loaded' if 'sqlalchemy' in sys.modules else 'sqlalchemy not loaded')\nsys.exit(code)"
)


def _migrate_reporting_sqlalchemy(project) -> str:
    """``dbm migrate PROJECT --yes`` in a new process; its output ends with whether SQLAlchemy was loaded."""
    import subprocess
    import sys

    from conftest import dbm_env

    run = subprocess.run(
        [sys.executable, "-c", _REPORTS_SQLALCHEMY, "migrate", str(project), "--yes"],
        capture_output=True,
        text=True,
        env=dbm_env(),
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_runner_opens_its_connection_without_sqlalchemy(db_url, tmp_path):
    """Each `dbm migrate` process opens its connections with the driver alone (psycopg, PyMySQL,
    sqlite3): loading SQLAlchemy only for that cost every runner more than applying a small
    migration. The run still applies, records and lints."""
    project = make_project(tmp_path / "app", db_url, {"20250101000000_users.sql": USERS})
    out = _migrate_reporting_sqlalchemy(project)
    assert "applied" in out and out.strip().endswith("sqlalchemy not loaded")
    assert recorded(db_url) == {"20250101000000_users.sql": "applied"}
    assert "users" in tables(db_url)
    if dialect(db_url) == "postgresql":
        assert "prefer-bigint-over-int" in out  # linted for the server's version, read on the same path


@pytest.mark.postgres
@pytest.mark.mysql
def test_a_refused_login_fails_masked_on_the_direct_path(pg_url, mysql_url, tmp_path):
    import subprocess
    import sys

    from conftest import dbm_env

    planted = "S3cretPlant"
    for url, refused in (
        (pg_url.replace("postgres@", f"dbm_no_such_role:{planted}@", 1), 'role "dbm_no_such_role" does not exist'),
        (mysql_url.replace("root@", f"dbm_no_such_user:{planted}@", 1), "Access denied for user 'dbm_no_such_user'"),
    ):
        wrong = make_project(tmp_path / url.split(":", 1)[0], url, {"20250102000000_orders.sql": ORDERS})
        failed = subprocess.run(
            [sys.executable, "-m", "dbmigrate_magic", "migrate", str(wrong), "--yes"],
            capture_output=True,
            text=True,
            env=dbm_env(),
            timeout=120,
        )
        assert failed.returncode == 2, failed.stderr  # the CLI's exit code for a connection that failed
        assert planted not in failed.stdout + failed.stderr
        assert "Could not connect to" in failed.stderr and refused in failed.stderr
        assert "Nothing was changed." in failed.stderr


def test_sqlite_runner_opens_the_file_without_sqlalchemy_and_keeps_regexp(sqlite_url, tmp_path):
    """On SQLite the runner opens the file with sqlite3 alone, and REGEXP works in a migration as it
    does in the sqlite3 shell and did through SQLAlchemy."""
    regexp = (
        "-- UP\nCREATE TABLE emails (address VARCHAR(200));\n"
        "INSERT INTO emails VALUES ('a@example.com'), ('not an address');\n"
        "DELETE FROM emails WHERE address NOT REGEXP '^[^@ ]+@[^@ ]+$';\n"
    )
    project = make_project(tmp_path / "app", sqlite_url, {"20250101000000_emails.sql": regexp})
    out = _migrate_reporting_sqlalchemy(project)
    assert out.strip().endswith("sqlalchemy not loaded")
    assert recorded(sqlite_url) == {"20250101000000_emails.sql": "applied"}
    assert query(sqlite_url, "SELECT address FROM emails") == [("a@example.com",)]
