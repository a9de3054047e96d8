"""``prefer-robust-stmts`` (and every rule that depends on it) knows whether the project's tool runs
the file in a transaction: Prisma, Drizzle and our raw SQL runner do on PostgreSQL, so a file of
such a project is linted as running inside one, whether it is named (``dbm lint FILE``) or pending
(``dbm lint --pending``). The same file outside any project still gets the warning."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.helpers import make_project
from tests.prisma_format import write_migration, write_project

# what `prisma migrate dev` writes for a first model on PostgreSQL (no IF NOT EXISTS anywhere)
PRISMA_INIT = """-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
"""


def _rules(out) -> set[str]:
    return {f["rule"] for f in json.loads(out.stdout)}


def test_prisma_migration_file_is_linted_inside_its_transaction(tmp_path, run_dbm):
    root = tmp_path / "app"
    root.mkdir()
    (root / ".git").mkdir()
    migrations = write_project(root, "postgresql", "postgresql://u@127.0.0.1:1/none")
    write_migration(migrations, "20240101000000_init", PRISMA_INIT)
    rel = "prisma/migrations/20240101000000_init/migration.sql"

    inside = run_dbm("lint", rel, "--dialect", "postgresql", "--format", "json", cwd=root)
    assert "prefer-robust-stmts" not in _rules(inside), inside.stdout
    text = run_dbm("lint", rel, "--dialect", "postgresql", cwd=root)
    assert "linted as Prisma runs it, inside a transaction" in text.stdout, text.stdout

    # named from elsewhere (the file's own folder finds the project)
    elsewhere = run_dbm("lint", root / rel, "--dialect", "postgresql", "--format", "json", cwd=tmp_path)
    assert "prefer-robust-stmts" not in _rules(elsewhere), elsewhere.stdout

    # the same SQL outside any project: nobody wraps it, the warning stays
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / ".git").mkdir()
    shutil.copy(root / rel, loose / "init.sql")
    outside = run_dbm("lint", "init.sql", "--dialect", "postgresql", "--format", "json", cwd=loose)
    assert "prefer-robust-stmts" in _rules(outside), outside.stdout
    forced = run_dbm(
        "lint", "init.sql", "--dialect", "postgresql", "--assume-in-transaction", "--format", "json", cwd=loose
    )
    assert "prefer-robust-stmts" not in _rules(forced)


def test_raw_sql_project_file_in_transaction_on_postgresql(tmp_path, run_dbm):
    root = make_project(tmp_path / "raw", "postgresql://u@127.0.0.1:1/none", {"0001_users.sql": PRISMA_INIT})
    (root / ".git").mkdir()
    out = run_dbm("lint", "migrations/0001_users.sql", "--dialect", "postgresql", "--format", "json", cwd=root)
    assert "prefer-robust-stmts" not in _rules(out), out.stdout


@pytest.mark.postgres
def test_prisma_pending_migrations_are_linted_inside_their_transaction(tmp_path, pg_url, run_dbm):
    root = tmp_path / "app"
    root.mkdir()
    (root / ".git").mkdir()
    migrations = write_project(root, "postgresql", pg_url)
    write_migration(migrations, "20240101000000_init", PRISMA_INIT)
    out = run_dbm("lint", "--pending", "--format", "json", cwd=root)
    rules = _rules(out)
    assert "prefer-robust-stmts" not in rules, out.stdout
    assert "prefer-identity" in rules  # the file was linted (SERIAL is still reported)


@pytest.mark.node
@pytest.mark.postgres
def test_drizzle_generated_file_is_linted_inside_its_transaction(tmp_path, pg_url, run_dbm):
    from tests.drizzle_kit import DrizzleProject

    project = DrizzleProject(tmp_path / "dz", pg_url)
    (project.root / ".git").mkdir()
    project.schema({"userAccounts": ["displayName"]})
    path = project.generate("init")
    rel = path.relative_to(project.root).as_posix()
    out = run_dbm("lint", rel, "--format", "json", cwd=project.root)
    assert out.returncode in (0, 1), out.stderr
    assert "prefer-robust-stmts" not in _rules(out), out.stdout
    text = run_dbm("lint", rel, cwd=project.root)
    assert "Drizzle runs it, inside a transaction" in text.stdout, text.stdout


CREATE_TABLE = "CREATE TABLE accounts (id bigint PRIMARY KEY, name text);\n"


def _write(root, files: dict[str, str]):
    root.mkdir()
    (root / ".git").mkdir()
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "rel", "inside", "outside"),
    [
        # sqlx wraps each migration in a transaction unless the file starts with -- no-transaction
        (
            {"Cargo.toml": '[package]\nname = "a"\n\n[dependencies]\nsqlx = "0.8"\n', "migrations/1_init.sql": ""},
            "migrations/1_init.sql",
            "",
            "-- no-transaction\n",
        ),
        # dbmate wraps the up part in a transaction unless its marker says transaction:false
        (
            {"db/migrations/20240101000000_init.sql": ""},
            "db/migrations/20240101000000_init.sql",
            "-- migrate:up\n",
            "-- migrate:up transaction:false\n",
        ),
    ],
    ids=["sqlx", "dbmate"],
)
def test_sqlx_and_dbmate_files_are_linted_as_their_tool_runs_them(tmp_path, run_dbm, files, rel, inside, outside):
    root = _write(tmp_path / "app", {**files, rel: inside + CREATE_TABLE})
    wrapped = run_dbm("lint", rel, "--dialect", "postgresql", "--format", "json", cwd=root)
    assert "prefer-robust-stmts" not in _rules(wrapped), wrapped.stdout
    (root / rel).write_text(outside + CREATE_TABLE)
    out = run_dbm("lint", rel, "--dialect", "postgresql", "--format", "json", cwd=root)
    assert "prefer-robust-stmts" in _rules(out), out.stdout
