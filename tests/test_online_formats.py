"""Plans written in the Prisma, Drizzle and TypeORM formats: each step is a migration the tool
reads (Drizzle: a journal entry and statement breakpoints; Prisma: a migration folder with its
down.sql; TypeORM: a class, with ``transaction = false`` where the step needs it), run on
PostgreSQL with the real tool where it is installed (TypeORM, drizzle-kit). Where a tool cannot run
a migration outside a transaction, the plan is refused before anything is written and says why."""

from __future__ import annotations

import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import DbmError
from tests.helpers import execute, query
from tests.node_projects import fast_ts_node  # noqa: F401 (fixture)

SETUP = (
    "CREATE TABLE t (id serial PRIMARY KEY, n integer NOT NULL DEFAULT 0, u integer)",
    "INSERT INTO t (n, u) SELECT g, g FROM generate_series(1, 500) g",
)
CHECK = "ALTER TABLE t ADD CONSTRAINT t_n_check CHECK (n > 0)"  # NOT VALID, then VALIDATE: two migrations
INDEX = "CREATE INDEX t_u_idx ON t (u)"  # CONCURRENTLY: outside a transaction


def _valid_check(url: str) -> list[tuple]:
    return query(url, "SELECT convalidated FROM pg_constraint WHERE conname = 't_n_check'")


def _statements(sql: str) -> int:
    return sum(1 for line in sql.splitlines() if line.rstrip().endswith(";"))


@pytest.mark.node
def test_drizzle_steps_are_journal_entries_with_breakpoints_and_drizzle_kit_runs_them(pg_url, tmp_path):
    from tests.drizzle_kit import DrizzleProject

    project = DrizzleProject(tmp_path / "dz", pg_url)
    execute(pg_url, *SETUP)
    result = api.plan(sql=CHECK, project=str(project.root), env=pg_url, write=True)
    steps = [s for s in result.changes[0].plan.steps if s.is_migration]
    entries = project.journal()["entries"]
    assert [e["tag"] for e in entries] == [f"{i:04d}_{s.name}" for i, s in enumerate(steps)]
    assert all(e["breakpoints"] for e in entries)
    for entry, step in zip(entries, steps):
        text = (project.out / f"{entry['tag']}.sql").read_text()
        assert text.count("--> statement-breakpoint") == _statements(step.up) - 1, text
    project.migrate()  # the real drizzle-kit: every pending migration, in its one transaction
    assert _valid_check(pg_url) == [(True,)]
    assert len(query(pg_url, "SELECT * FROM drizzle.__drizzle_migrations")) == len(steps)
    with pytest.raises(DbmError, match="drizzle-kit migrate runs every pending migration in one transaction"):
        api.plan(sql=INDEX, project=str(project.root), env=pg_url, write=True)
    assert len(project.journal()["entries"]) == len(steps)  # nothing written


def test_prisma_steps_are_migration_folders_with_their_down_sql(pg_url, tmp_path):
    from tests.prisma_format import write_project

    root = tmp_path / "pr"
    folder = write_project(root, "postgresql", pg_url)
    execute(pg_url, *SETUP)
    result = api.plan(sql=CHECK, project=str(root), env=pg_url, write=True)
    steps = [s for s in result.changes[0].plan.steps if s.is_migration]
    made = sorted(p for p in folder.iterdir() if p.is_dir())
    assert [p.name.split("_", 1)[1] for p in made] == [s.name for s in steps]
    for path, step in zip(made, steps):
        assert (path / "migration.sql").read_text().strip() == step.up.strip()
        assert (path / "down.sql").is_file()
    out = api.migrate(str(root), env=pg_url, yes=True)
    assert out.status == "applied", out.to_text()
    assert _valid_check(pg_url) == [(True,)]
    out = api.rollback(str(root), env=pg_url, steps=len(steps), yes=True)
    assert out.status == "rolled back", out.to_text()
    assert _valid_check(pg_url) == []
    with pytest.raises(DbmError, match="Prisma Migrate has no per-migration setting"):
        api.plan(sql=INDEX, project=str(root), env=pg_url, write=True)
    assert sorted(p for p in folder.iterdir() if p.is_dir()) == made


@pytest.mark.node
def test_typeorm_runs_the_index_step_with_transaction_false(pg_url, tmp_path, fast_ts_node):
    from tests.node_projects import typeorm_project

    root = typeorm_project(tmp_path / "to", pg_url, [])
    execute(pg_url, *SETUP)
    result = api.plan(sql=f"{INDEX};\n{CHECK};", project=str(root), env=pg_url, write=True)
    texts = [(root / p).read_text() for p in result.written]
    assert len(texts) == 3 and "transaction = false" in texts[0]
    assert not any("transaction = false" in t for t in texts[1:])
    out = api.migrate(str(root), env=pg_url, yes=True)  # TypeORM's own runner, --transaction each
    assert out.status == "applied", out.to_text()
    valid = "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 't_u_idx'"
    assert query(pg_url, valid) == [(True,)] and _valid_check(pg_url) == [(True,)]
    out = api.rollback(str(root), env=pg_url, steps=3, yes=True)  # the index's down runs with --transaction none
    assert out.status == "rolled back", out.to_text()
    assert query(pg_url, valid) == [] and _valid_check(pg_url) == []
    assert query(pg_url, "SELECT count(*) FROM typeorm_history") == [(0,)]
