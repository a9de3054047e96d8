"""Proof: nothing destructive runs in production without the environment's name typed back.

Every destructive statement kind x environment class (development, staging, production) x
front end (api, CLI, magic). Each case writes a raw SQL migration holding the statement,
then tries it without flags, with ``--yes``, and (production) with ``--confirm production``,
and looks at the real database after each attempt.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from conftest import new_database

pytestmark = pytest.mark.slow  # 64 cases, a CLI subprocess each; about three minutes

ENVS = {"development": ".env", "staging": ".env.staging", "production": ".env.production"}
FRONT_ENDS = ("api", "cli", "magic")
SEED = (
    "CREATE TABLE victims (id INT PRIMARY KEY, note VARCHAR(20)); "
    "INSERT INTO victims VALUES (1, 'a'), (2, 'b'), (3, 'c')"
)


# --- what each statement kind destroys, and how to see whether it did ------------------------
def _victims_intact(url: str) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        insp = inspect(engine)
        if "victims" not in insp.get_table_names():
            return False
        if [c["name"] for c in insp.get_columns("victims")] != ["id", "note"]:
            return False
        with engine.connect() as conn:
            return conn.execute(text("SELECT id, note FROM victims ORDER BY id")).all() == [
                (1, "a"),
                (2, "b"),
                (3, "c"),
            ]
    finally:
        engine.dispose()


def _seed(url: str, extra: str = "") -> None:
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        for statement in (SEED + ("; " + extra if extra else "")).split("; "):
            conn.execute(text(statement))
    engine.dispose()


KINDS_SQLITE = {
    "drop_table": "DROP TABLE victims;",
    "drop_column": "ALTER TABLE victims DROP COLUMN note;",
    "delete_without_where": "DELETE FROM victims;",
    "update_without_where": "UPDATE victims SET note = 'gone';",
}


def _project(tmp_path: Path, env: str, url: str, sql: str) -> Path:
    project = tmp_path / "proj"
    (project / "migrations").mkdir(parents=True)
    # The linter also blocks these statements in production unless suppressed; suppress it here so
    # that the guard alone is what stands between --yes and the data.
    (project / "migrations" / "20250101000000_destructive.sql").write_text(
        f"-- UP\n-- dbm:ignore-file\n{sql}\n\n-- DOWN\nSELECT 1;\n"
    )
    (project / ENVS[env]).write_text(f"DATABASE_URL={url}\n")
    return project


def _attempt(front_end: str, project: Path, env: str, flags: list[str], run_dbm, ipython) -> str:
    """Run migrate through one front end; return the outcome's status (or the CLI exit code)."""
    if front_end == "api":
        from dbmigrate_magic import api

        kwargs = {"yes": "--yes" in flags}
        if "--confirm" in flags:
            kwargs["confirm"] = flags[flags.index("--confirm") + 1]
        return api.migrate(project, env=env, **kwargs).status
    if front_end == "cli":
        out = run_dbm("migrate", project, "--env", env, *flags)
        assert "Traceback" not in out.stderr, out.stderr
        return "applied" if out.returncode == 0 and "applied" in out.stdout else f"exit {out.returncode}"
    from IPython.core.error import UsageError

    try:
        result = ipython.run_line_magic("dbm", f"migrate {project} --env {env} {' '.join(flags)}")
    except UsageError as exc:  # asked to run (--yes/--confirm) and refused: the cell fails, as the CLI exits 1
        assert "nothing was run" in str(exc), exc
        return "refused"
    # an unconfirmed preview is displayed (with Apply buttons in a kernel) and returns None
    return result.status if result is not None else "awaiting confirmation"


def _matrix(kind_check, front_end, env, project, run_dbm, ipython):
    # 1. no confirmation at all: nothing runs, anywhere
    assert _attempt(front_end, project, env, [], run_dbm, ipython) != "applied"
    assert kind_check(), "ran without any confirmation"
    # 2. --yes: enough for development and staging, never for production
    status = _attempt(front_end, project, env, ["--yes"], run_dbm, ipython)
    if env == "production":
        assert status != "applied" and kind_check(), "--yes alone ran a destructive statement in production"
        # a wrong name typed back is refused too (the CLI passes the flag on like the others: skipped there
        # to keep the run short)
        if front_end != "cli":
            assert _attempt(front_end, project, env, ["--confirm", "staging"], run_dbm, ipython) != "applied"
            assert kind_check()
        # 3. the environment's name typed back: now it runs (so the checks above could have failed)
        status = _attempt(front_end, project, env, ["--confirm", "production", "--no-backup"], run_dbm, ipython)
    assert status == "applied"
    assert not kind_check(), "the confirmed migration did not destroy anything: the check proves nothing"


@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("kind", KINDS_SQLITE)
def test_sqlite_matrix(kind, env, front_end, tmp_path, run_dbm, ipython):
    url = f"sqlite:///{tmp_path / 'victim.db'}"
    _seed(url)
    project = _project(tmp_path, env, url, KINDS_SQLITE[kind])
    _matrix(lambda: _victims_intact(url), front_end, env, project, run_dbm, ipython)


def _schema_intact(url: str) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM keep.kept")).scalar_one() == 2
    except Exception:
        return False
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("env", ENVS)
@pytest.mark.parametrize("kind", ["truncate", "drop_schema"])
def test_postgres_matrix(kind, env, front_end, pg_url, tmp_path, run_dbm, ipython):
    _seed(pg_url, "CREATE SCHEMA keep; CREATE TABLE keep.kept (id INT); INSERT INTO keep.kept VALUES (1), (2)")
    if kind == "truncate":
        sql, check = "TRUNCATE victims;", (lambda: _victims_intact(pg_url))
    else:
        sql, check = "DROP SCHEMA keep CASCADE;", (lambda: _schema_intact(pg_url))
    project = _project(tmp_path, env, pg_url, sql)
    _matrix(check, front_end, env, project, run_dbm, ipython)


@pytest.mark.mysql
@pytest.mark.parametrize("front_end", FRONT_ENDS)
@pytest.mark.parametrize("env", ENVS)
def test_mysql_drop_database_matrix(env, front_end, mysql_url, tmp_path, run_dbm, ipython):
    victim_url, drop = new_database("mysql")
    victim = victim_url.rsplit("/", 1)[1]
    _seed(victim_url)

    def intact() -> bool:
        engine = create_engine(mysql_url, poolclass=NullPool)
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :n"), {"n": victim}
            ).first()
        engine.dispose()
        return found is not None and _victims_intact(victim_url)

    try:
        project = _project(tmp_path, env, mysql_url, f"DROP DATABASE {victim};")
        _matrix(intact, front_end, env, project, run_dbm, ipython)
    finally:
        drop()


def test_notebook_confirmation_needs_the_typed_name_in_production(tmp_path):
    """The Apply path (``result.confirm``): 'yes' cancels in production, the name runs."""
    from dbmigrate_magic import api

    url = f"sqlite:///{tmp_path / 'victim.db'}"
    _seed(url)
    project = _project(tmp_path, "production", url, "DROP TABLE victims;")
    waiting = api.migrate(project, env="production")
    assert waiting.status == "awaiting confirmation"
    assert any("destructive" in n for n in waiting.preview.guard_notes)
    assert waiting.confirm("yes").status == "cancelled" and _victims_intact(url)
    waiting = api.migrate(project, env="production")
    done = waiting.confirm("production")
    assert done.status == "applied" and not _victims_intact(url)
    assert any("Backup taken before migrate" in n for n in done.notes)
