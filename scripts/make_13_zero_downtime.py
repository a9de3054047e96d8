"""Writes notebooks/13_zero_downtime.ipynb (no outputs): ``python scripts/make_13_zero_downtime.py``."""

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# Zero-downtime column rename (PostgreSQL)\n\n"
        "`ALTER TABLE users RENAME COLUMN name TO full_name` breaks every running copy of the application that still "
        "says `name`. `%%dbm plan` turns it into expand / backfill / switch / contract migrations in the project's "
        "own tool, with the deploy checklist between them; `%dbm backfill` fills the new column in short, resumable "
        "batches.\n\nThis runbook makes its own database on the local PostgreSQL server (`$DBM_TEST_PG_URL`, default "
        "`postgres@127.0.0.1:5432`) and drops it at the end, so re-running it applies nothing twice.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "code",
        "import os\n"
        "import tempfile\n"
        "import uuid\n"
        "from pathlib import Path\n\n"
        "from sqlalchemy import create_engine, text\n"
        "from sqlalchemy.engine import make_url\n\n"
        'server = make_url(os.environ.get("DBM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))\n'
        'name = f"dbm_runbook_{uuid.uuid4().hex[:10]}"\n'
        'admin = create_engine(server, isolation_level="AUTOCOMMIT")\n'
        "with admin.connect() as c:\n"
        '    c.execute(text(f"CREATE DATABASE {name}"))\n'
        "url = server.set(database=name).render_as_string(hide_password=False)\n"
        "db = create_engine(url)\n"
        "with db.begin() as c:\n"
        "    c.execute(text(\"CREATE TABLE users (id serial PRIMARY KEY, name text NOT NULL DEFAULT '')\"))\n"
        "    c.execute(text(\"INSERT INTO users (name) SELECT 'user ' || g FROM generate_series(1, 5000) g\"))\n"
        'project = Path(tempfile.mkdtemp(prefix="dbm_runbook_zd_"))\n'
        '(project / "migrations").mkdir()\n'
        '(project / ".env").write_text(f"DATABASE_URL={url}\\n")\n'
        "print(project.name)",
    ),
    (
        "md",
        "## The plan\nEach step is its own migration (raw SQL here; Alembic, Django and Knex get theirs in their own "
        "format), with the lock it takes, how long it is held, and what must be deployed before the next one. "
        "`--write` stores the migrations; nothing runs yet.",
    ),
    (
        "code",
        "%%dbm plan --project {project} --write\nALTER TABLE users RENAME COLUMN name TO full_name;",
    ),
    (
        "code",
        "plan = _\n"
        "steps = plan.changes[0].plan.steps\n"
        'assert [s.phase for s in steps] == ["expand", "backfill", "validate", "switch", "contract"], steps\n'
        'assert "renaming-column" in plan.changes[0].removed\n'
        "assert len(plan.written) == 4  # the backfill is a command, not a migration\n"
        'plan.to_frame()[["step", "phase", "locks", "lock held"]]',
    ),
    (
        "md",
        "## Deploy 1: expand\nThe new column and a two-way sync trigger: code that still writes `name` keeps "
        "`full_name` in step, and the reverse.",
    ),
    (
        "code",
        "migration = lambda i: Path(plan.written[i]).stem\n"
        "%dbm migrate --project {project} --to {migration(0)} --yes\n"
        "with db.begin() as c:  # old code, still writing `name`\n"
        "    c.execute(text(\"INSERT INTO users (name) VALUES ('written by old code')\"))\n"
        "    copied = c.execute(text(\"SELECT full_name FROM users WHERE name = 'written by old code'\")).scalar()\n"
        'assert copied == "written by old code", copied',
    ),
    (
        "md",
        "## Deploy 3: backfill\nExisting rows, 1,000 per transaction in primary-key order; the checkpoint commits "
        "with each batch, so an interrupted run resumes where it stopped.",
    ),
    (
        "code",
        "bf = steps[1].backfill\n"
        "filled = %dbm backfill {bf.table} --set {bf.set_sql!r} --where {bf.where!r} --project {project} --yes\n"
        'assert filled.status == "applied" and "Updated 5000 row(s)" in filled.message, filled.message\n'
        "print(filled.message)",
    ),
    ("md", "## Validate, switch reads, and contract after the bake period"),
    (
        "code",
        "for i in (1, 2, 3):\n"
        "    done = %dbm migrate --project {project} --to {migration(i)} --yes\n"
        '    assert done.status == "applied", done\n'
        "with db.connect() as c:\n"
        '    cols = c.execute(text("SELECT column_name, is_nullable, column_default FROM information_schema.columns "\n'
        "                          \"WHERE table_name = 'users' ORDER BY column_name\")).all()\n"
        '    rows = c.execute(text("SELECT count(*), count(full_name) FROM users")).one()\n'
        'assert cols == [("full_name", "NO", "\'\'::text"), ("id", "NO", "nextval(\'users_id_seq\'::regclass)")], cols\n'
        "assert rows == (5001, 5001), rows  # nothing lost\n"
        "cols",
    ),
    ("code", "%dbm status --project {project}"),
    (
        "code",
        "import shutil\n\n"
        "db.dispose()\n"
        "with admin.connect() as c:\n"
        '    c.execute(text(f"DROP DATABASE {name} WITH (FORCE)"))\n'
        "admin.dispose()\n"
        "shutil.rmtree(project)",
    ),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parents[1] / "notebooks" / "13_zero_downtime.ipynb", CELLS)
