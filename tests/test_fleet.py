"""Fleets on real servers: PostgreSQL tenant schemas and databases, MariaDB databases, SQLite files.

What a user checks: the matrix says what each tracking table says; canaries run alone first and a
failing canary stops the fleet; a failure in the middle names the target and leaves every other
target either complete or untouched, never half; a rerun after ``kill -9`` applies nothing twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from conftest import new_database
from dbmigrate_magic import api
from dbmigrate_magic.errors import ConfigError, UnsupportedOperation
from tests.helpers import execute, query, recorded, tables, write_files

OK = {
    "20240101000000_accounts.sql": "-- UP\nCREATE TABLE accounts (id BIGINT PRIMARY KEY);\n-- DOWN\nDROP TABLE accounts;\n",
    "20240102000000_events.sql": "-- UP\nCREATE TABLE events (id BIGINT PRIMARY KEY);\n-- DOWN\nDROP TABLE events;\n",
}
THIRD = "20240103000000_notes.sql"
NOTES = "-- UP\nCREATE TABLE notes (id BIGINT PRIMARY KEY);\n-- DOWN\nDROP TABLE notes;\n"


def project(root: Path, url: str, targets: list[dict], files: dict[str, str], name: str = "tenants") -> Path:
    """A raw SQL project whose default environment is ``url`` and whose fleet.toml lists ``targets``."""
    write_files(root / "migrations", files)
    (root / ".env").write_text(f"DATABASE_URL={url}\n", encoding="utf-8")
    lines = [f'name = "{name}"']
    for t in targets:
        lines.append("[[targets]]")
        lines.extend(f'{k} = "{v}"' for k, v in t.items())
    (root / "fleet.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def pg_schemas(url: str, n: int) -> list[str]:
    names = [f"tenant_{uuid.uuid4().hex[:6]}_{i:02d}" for i in range(n)]
    execute(url, *(f"CREATE SCHEMA {s}" for s in names))
    return names


def applied_in_schema(url: str, schema: str) -> list[str]:
    """The tracking table of one schema, read directly (not through dbm)."""
    found = query(
        url, f"SELECT 1 FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name = '_migrations'"
    )
    if not found:
        return []
    return [r[0] for r in query(url, f"SELECT filename FROM {schema}._migrations ORDER BY filename")]


def matrix_states(result) -> dict[str, dict[str, str]]:
    frame = result.to_frame()
    migrations = [c for c in frame.columns if c.endswith(".sql")]
    return {row["target"]: {m: row[m] for m in migrations} for _, row in frame.iterrows()}


@pytest.mark.postgres
def test_pg_50_schemas_canaries_then_rest_matrix_matches_tracking_tables(tmp_path, pg_url):
    schemas = pg_schemas(pg_url, 50)
    root = project(tmp_path, pg_url, [{"name": s, "schema": s} for s in schemas], OK)
    before = api.status(root, fleet="fleet.toml")
    assert before.totals == {"behind": 50}
    preview = api.migrate(root, fleet="fleet.toml", canary=3, parallel=4)
    assert preview.status == "awaiting confirmation" and all(applied_in_schema(pg_url, s) == [] for s in schemas)
    after_canaries = preview.confirm("y")
    assert after_canaries.status == "awaiting confirmation", after_canaries.message
    assert [t.target for t in after_canaries.targets if t.state == "applied"] == schemas[:3]
    assert all(applied_in_schema(pg_url, s) == sorted(OK) for s in schemas[:3])
    assert all(applied_in_schema(pg_url, s) == [] for s in schemas[3:])
    done = after_canaries.confirm("y")
    assert done.status == "applied", done.message
    matrix = api.status(root, fleet="fleet.toml")
    assert matrix.totals == {"up to date": 50}
    states = matrix_states(matrix)
    for s in schemas:  # the matrix says what each schema's own tracking table says
        recorded = applied_in_schema(pg_url, s)
        assert recorded == sorted(OK)
        assert {m for m, st in states[s].items() if st == "applied"} == set(recorded)
        assert query(pg_url, f"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{s}'")[0][0] == 3


@pytest.mark.postgres
def test_pg_failing_canary_stops_the_fleet(tmp_path, pg_url):
    schemas = pg_schemas(pg_url, 12)
    execute(pg_url, f"CREATE TABLE {schemas[1]}.events (x INT)")  # the second canary will fail
    root = project(tmp_path, pg_url, [{"name": s, "schema": s} for s in schemas], OK)
    result = api.migrate(root, fleet="fleet.toml", canary=2, parallel=4, yes=True)
    assert result.status == "failed" and result.exit_code() == 1
    assert f"target {schemas[1]} failed" in result.message and "events" in result.message
    states = {t.target: t.state for t in result.targets}
    assert states[schemas[0]] == "applied" and states[schemas[1]] == "failed"
    assert all(states[s] == "pending" for s in schemas[2:])  # never started
    # the failing migration's transaction rolled back: the first stays, the second is not half done
    assert applied_in_schema(pg_url, schemas[1]) == ["20240101000000_accounts.sql"]
    assert all(applied_in_schema(pg_url, s) == [] for s in schemas[2:])
    matrix = api.status(root, fleet="fleet.toml")
    assert matrix.target(schemas[0]).summary == "up to date" and matrix.target(schemas[5]).summary == "behind"


def _databases(kind: str, n: int, request) -> list[str]:
    urls = []
    for _ in range(n):
        url, drop = new_database(kind)
        request.addfinalizer(drop)
        urls.append(url)
    return urls


def applied_rows(url: str) -> dict[str, str | None]:
    """filename -> state in the database's own tracking table ({} when it has none)."""
    return recorded(url) if "_migrations" in tables(url) else {}


@pytest.mark.parametrize(
    "kind", [pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)]
)
def test_failure_in_the_middle_names_the_target_and_leaves_no_half(tmp_path, request, kind):
    urls = _databases(kind, 10, request)
    execute(urls[4], "CREATE TABLE notes (x INT)")  # target db4 fails on the third migration
    targets = [{"name": f"db{i}", "url": u} for i, u in enumerate(urls)]
    root = project(tmp_path, urls[0], targets, {**OK, THIRD: NOTES})
    result = api.migrate(root, fleet="fleet.toml", parallel=2, yes=True)
    assert result.status == "failed" and result.exit_code() == 1
    assert "target db4 failed" in result.message and "notes" in result.message
    outcome = {t.target: t.state for t in result.targets}
    assert outcome["db4"] == "failed" and outcome["db9"] == "not started"
    for i, url in enumerate(urls):
        rows = applied_rows(url)
        applied = {f for f, state in rows.items() if state in (None, "applied")}
        if i == 4:  # the first two stay applied; the third is rolled back (PostgreSQL) or recorded failed
            assert applied == set(OK) and rows.get(THIRD) in (None, "failed")
        elif outcome[f"db{i}"] == "applied":
            assert applied == {*OK, THIRD} and len(rows) == 3  # complete
        else:
            assert outcome[f"db{i}"] == "not started" and rows == {}  # untouched
    matrix = api.status(root, fleet="fleet.toml")
    assert matrix.target("db4").summary == ("failed" if kind == "mysql" else "behind")
    if kind == "mysql":  # its advice names a single-database command: it says how to aim it at db4
        failed = next(t for t in result.targets if t.target == "db4")
        assert (
            "dbm resolve" in failed.message and "against this target: add --env with target db4's URL" in failed.message
        )


def test_sqlite_20_files_keep_going_and_rerun(tmp_path):
    files = [tmp_path / f"tenant{i:02d}.db" for i in range(20)]
    root = project(
        tmp_path / "p", f"sqlite:///{files[0]}", [{"name": f.stem, "url": f"sqlite:///{f}"} for f in files], OK
    )
    import sqlite3

    with sqlite3.connect(files[7]) as conn:
        conn.execute("CREATE TABLE events (x INT)")
    result = api.migrate(root, fleet="fleet.toml", parallel=3, keep_going=True, yes=True)
    assert result.status == "failed" and "tenant07" in result.message
    states = {t.target: t.state for t in result.targets}
    assert states.pop("tenant07") == "failed" and set(states.values()) == {"applied"}
    matrix = api.status(root, fleet="fleet.toml")
    assert matrix.totals == {"behind": 1, "up to date": 19}
    assert matrix_states(matrix)["tenant07"] == {
        "20240101000000_accounts.sql": "applied",
        "20240102000000_events.sql": "pending",
    }
    with sqlite3.connect(files[7]) as conn:
        conn.execute("DROP TABLE events")
    again = api.migrate(root, fleet="fleet.toml", parallel=3, yes=True)
    assert again.status == "applied" and [t.target for t in again.targets if t.state == "applied"] == ["tenant07"]
    assert api.status(root, fleet="fleet.toml").totals == {"up to date": 20}


def test_fleet_file_problems_are_named(tmp_path, sqlite_url):
    root = project(tmp_path, sqlite_url, [{"name": "a", "url": sqlite_url, "env": "development"}], OK)
    with pytest.raises(ConfigError, match="target 1 .a. gives env and url"):
        api.status(root, fleet="fleet.toml")
    with pytest.raises(ConfigError, match="does not exist"):
        api.status(root, fleet="nope.toml")
    from dbmigrate_magic.errors import UsageProblem

    with pytest.raises(UsageProblem, match="--canary go with --fleet"):
        api.migrate(root, canary=2)


@pytest.mark.postgres
def test_query_lists_schemas_from_a_control_table(tmp_path, pg_url):
    schemas = pg_schemas(pg_url, 4)
    execute(
        pg_url,
        "CREATE TABLE public.tenants (schema_name TEXT)",
        *(f"INSERT INTO public.tenants VALUES ('{s}')" for s in schemas),
    )
    root = project(tmp_path, pg_url, [], OK)
    (root / "fleet.toml").write_text('[query]\nsql = "SELECT schema_name FROM public.tenants ORDER BY 1"\n')
    done = api.migrate(root, fleet="fleet.toml", parallel=2, yes=True)
    assert done.status == "applied" and {t.target for t in done.targets} == set(schemas)
    assert all(applied_in_schema(pg_url, s) == sorted(OK) for s in schemas)
    assert api.rollback(root, fleet="fleet.toml", parallel=2, yes=True).status == "rolled back"
    assert all(applied_in_schema(pg_url, s) == ["20240101000000_accounts.sql"] for s in schemas)


@pytest.mark.postgres
def test_planted_password_never_appears(tmp_path, pg_url, run_dbm):
    from sqlalchemy.engine import make_url

    secret = "S3cr3t-fleet-pw"
    good = make_url(pg_url).set(password=secret).render_as_string(hide_password=False)
    bad = make_url(pg_url).set(password=secret, port=1).render_as_string(hide_password=False)
    schemas = pg_schemas(pg_url, 2)
    root = project(
        tmp_path, good, [{"name": "a", "url": good, "schema": schemas[0]}, {"name": "b", "url_env": "TENANT_B_URL"}], OK
    )
    env = {"TENANT_B_URL": bad}
    outputs = []
    for args in (
        ("status", root, "--fleet"),
        ("status", root, "--fleet", "--format", "json"),
        ("migrate", root, "--fleet", "--dry-run"),
        ("migrate", root, "--fleet", "--yes", "--keep-going"),
        ("migrate", root, "--fleet", "--yes", "--format", "json"),
    ):
        out = run_dbm(*args, env=env)
        outputs.append(out.stdout + out.stderr)
    assert "unreachable" in outputs[0] and "applied" in outputs[3]
    for text in outputs:
        assert secret not in text
    os.environ["TENANT_B_URL"] = bad
    try:
        result = api.migrate(root, fleet="fleet.toml", yes=True, keep_going=True)
        for view in (repr(result), result._repr_html_(), json.dumps(result.to_dict()), result.to_frame().to_string()):
            assert secret not in view
    finally:
        del os.environ["TENANT_B_URL"]


@pytest.mark.slow
@pytest.mark.postgres
def test_rerun_after_kill_minus_nine_applies_nothing_twice(tmp_path, pg_url):
    schemas = pg_schemas(pg_url, 50)
    execute(pg_url, "CREATE TABLE public.effects (schema_name TEXT, migration TEXT)")
    files = {
        f"2024010{i}000000_m{i}.sql": f"-- UP\nSELECT pg_sleep(0.02);\nCREATE TABLE m{i} (id BIGINT);\n"
        f"INSERT INTO public.effects SELECT current_schema(), 'm{i}';\n"
        for i in range(1, 4)
    }
    root = project(tmp_path, pg_url, [{"name": s, "schema": s} for s in schemas], files)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbmigrate_magic", "migrate", str(root), "--fleet", "--parallel", "4", "--yes"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while query(pg_url, "SELECT count(DISTINCT schema_name) FROM public.effects")[0][0] < 10:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # A COMMIT the killed run had already sent still lands after its death: wait for its sessions to
    # end before counting what committed.
    others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    while query(pg_url, others)[0][0]:
        assert time.monotonic() < deadline + 60, "the killed run's sessions did not end"
        time.sleep(0.05)
    per_schema = dict(query(pg_url, "SELECT schema_name, count(*) FROM public.effects GROUP BY 1"))
    assert 10 <= len(per_schema) < 50
    finished = {s for s, n in per_schema.items() if n == 3}
    assert len(finished) >= 10 - 4  # at most --parallel targets were mid-way when killed
    again = api.migrate(root, fleet="fleet.toml", parallel=4, yes=True)
    assert again.status == "applied", again.message
    # every schema whose three migrations had committed before the kill is left alone
    assert {t.target for t in again.targets if t.state == "up to date"} == finished
    counts = query(pg_url, "SELECT schema_name, migration, count(*) FROM public.effects GROUP BY 1, 2")
    assert len(counts) == 150 and {c[2] for c in counts} == {1}  # every migration once in every schema
    assert api.status(root, fleet="fleet.toml").totals == {"up to date": 50}


def test_sqlite_drift_diff_and_lint_with_fleet(tmp_path, run_dbm):
    files = [tmp_path / f"shop{i}.db" for i in range(4)]
    root = project(
        tmp_path / "p", f"sqlite:///{files[0]}", [{"name": f.stem, "url": f"sqlite:///{f}"} for f in files], OK
    )
    assert api.migrate(root, fleet="fleet.toml", parallel=2, yes=True).status == "applied"
    import sqlite3

    with sqlite3.connect(files[2]) as conn:
        conn.execute("CREATE TABLE hand_made (x INT)")  # changed by hand on one tenant
    drift = api.drift(root, fleet="fleet.toml")
    assert {r.target: r.state for r in drift.rows} == {
        "shop0": "in sync",
        "shop1": "in sync",
        "shop2": "drifted",
        "shop3": "in sync",
    }
    diff = api.diff(fleet="fleet.toml", project=root)
    assert diff.reference == "shop0" and [r.target for r in diff.rows if r.state == "differs"] == ["shop2"]
    against = api.diff("shop2", fleet="fleet.toml", project=root)  # --from a target's name
    assert against.reference == "shop2" and [r.target for r in against.rows if r.state == "in sync"] == ["shop2"]
    (root / "migrations" / THIRD).write_text("-- UP\nALTER TABLE accounts ADD COLUMN y INTEGER NOT NULL;\n")
    out = run_dbm("lint", "--pending", "--fleet", "--project", root)
    assert out.returncode == 1 and "sqlite-add-column-rejected" in out.stdout and THIRD in out.stdout
    assert run_dbm("drift", root, "--fleet", "--exit-code").returncode == 1


def test_production_fleet_types_its_name_once_and_backs_up_each_target(tmp_path, monkeypatch):
    files = [tmp_path / f"prod{i}.db" for i in range(3)]
    root = project(
        tmp_path / "p", f"sqlite:///{files[0]}", [{"name": f.stem, "url": f"sqlite:///{f}"} for f in files], OK
    )
    import sqlite3

    for f in files:  # a tenant with data to lose
        with sqlite3.connect(f) as conn:
            conn.execute("CREATE TABLE keep (x INT)")
    text = (root / "fleet.toml").read_text()
    (root / "fleet.toml").write_text(text.replace('name = "tenants"', 'name = "tenants"\nproduction = true'))
    monkeypatch.setenv("DBM_BACKUP_DIR", str(tmp_path / "backups"))
    refused = api.migrate(root, fleet="fleet.toml", yes=True)
    assert refused.status == "refused" and "--confirm tenants" in refused.message
    assert all(
        "_migrations" not in {r[0] for r in sqlite3.connect(f).execute("SELECT name FROM sqlite_master")} for f in files
    )
    wrong = api.migrate(root, fleet="fleet.toml", confirm="prod0")
    assert wrong.status == "refused"
    done = api.migrate(root, fleet="fleet.toml", confirm="tenants", parallel=2)
    assert done.status == "applied", done.message
    assert all("Backup taken before migrate" in t.message for t in done.targets)
    backups = sorted(p.name.split("-")[0] for p in (tmp_path / "backups").glob("*.sqlite3"))
    assert backups == ["prod0", "prod1", "prod2"]  # one backup of each target, named after it


def test_terminal_asks_for_canaries_then_the_rest_and_shows_progress(tmp_path):
    import pty

    files = [tmp_path / f"t{i}.db" for i in range(4)]
    root = project(
        tmp_path / "p", f"sqlite:///{files[0]}", [{"name": f.stem, "url": f"sqlite:///{f}"} for f in files], OK
    )
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbmigrate_magic", "migrate", str(root), "--fleet", "--canary", "1", "--parallel", "2"],
        stdin=follower, stdout=subprocess.PIPE, stderr=follower, env=env, text=True,
    )  # fmt: skip
    os.close(follower)
    os.write(leader, b"y\ny\n")  # the preview's prompt, then the canaries' result's prompt
    out, _ = proc.communicate(timeout=120)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    progress = seen.decode()
    assert proc.returncode == 0, out + progress
    assert out.count("Apply to the fleet? [y/N]") == 2 and "Every canary succeeded (t0)" in out
    assert "[1/4] t0: applied - done 1, failed 0, left 3" in progress
    assert "[4/4]" in progress and "left 0" in progress
    assert "4 target(s) applied" in out


def _effects(url: str) -> list[str]:
    return [r[0] for r in query(url, "SELECT migration FROM effects")]


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("mysql", marks=pytest.mark.mysql)])
def test_kill_minus_nine_then_rerun_never_applies_twice(tmp_path, request, kind):
    if kind == "sqlite":
        urls = [f"sqlite:///{tmp_path / f'k{i:02d}.db'}" for i in range(20)]
        slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) SELECT count(*) FROM c"
    else:
        urls = _databases("mysql", 10, request)
        slow = "DO SLEEP(0.4)"  # slow enough that polling ten databases under load still sees the middle
    for url in urls:
        execute(url, "CREATE TABLE effects (migration VARCHAR(20))")
    files = {
        f"2024010{i}000000_m{i}.sql": f"-- UP\n{slow};\nCREATE TABLE m{i} (id INT);\nINSERT INTO effects VALUES ('m{i}');\n"
        for i in range(1, 4)
    }
    root = project(tmp_path / "p", urls[0], [{"name": f"t{i:02d}", "url": u} for i, u in enumerate(urls)], files)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dbmigrate_magic", "migrate", str(root), "--fleet", "--parallel", "2", "--yes"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while sum(len(_effects(u)) == 3 for u in urls) < 3:
        assert proc.poll() is None and time.monotonic() < deadline, "the run ended before it could be killed"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert sum(len(_effects(u)) == 3 for u in urls) < len(urls)  # killed in the middle of the fleet
    time.sleep(0.5)  # a killed client's server session may still be finishing its statement
    again = api.migrate(root, fleet="fleet.toml", parallel=2, yes=True, keep_going=True)
    for url, t in zip(urls, again.targets, strict=True):
        effects = _effects(url)
        assert len(effects) == len(set(effects)), (t.target, effects)  # nothing ran twice
        if t.state in ("applied", "up to date"):
            assert sorted(effects) == ["m1", "m2", "m3"]
        else:  # MySQL cut inside a migration: recorded as failed, blocked until `dbm resolve`
            assert kind == "mysql" and t.state == "blocked" and "dbm resolve" in t.message, t


@pytest.mark.node
@pytest.mark.postgres
def test_knex_fleet_of_schemas_gets_each_url_through_its_own_variable(tmp_path, pg_url):
    from tests.node_projects import knex_project

    schemas = pg_schemas(pg_url, 3)
    root = knex_project(tmp_path / "app", pg_url, ["alpha", "beta"])
    (root / "fleet.toml").write_text("".join(f'[[targets]]\nname = "{s}"\nschema = "{s}"\n' for s in schemas))
    done = api.migrate(root, fleet="fleet.toml", parallel=3, yes=True)
    assert done.status == "applied", done.message
    for s in schemas:  # knex's own table and the migrations' tables, in each schema
        names = {
            r[0] for r in query(pg_url, f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{s}'")
        }
        assert {"alpha", "beta", "knex_history"} <= names, (s, names)
        assert [r[0] for r in query(pg_url, f"SELECT name FROM {s}.knex_history ORDER BY id")] == [
            "20240101120000_create_alpha.js", "20240101120100_create_beta.js"
        ]  # fmt: skip
    assert query(pg_url, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")[0][0] == 0
    assert api.status(root, fleet="fleet.toml").totals == {"up to date": 3}


@pytest.mark.postgres
def test_alembic_fleet_of_schemas_runs_in_worker_processes(tmp_path, pg_url):
    from tests import alembic_project as ap

    schemas = pg_schemas(pg_url, 3)
    root = ap.init(tmp_path / "app", pg_url)
    for i in (1, 2):
        ap.revision(root, f"r{i}", f"m{i}", up=f"CREATE TABLE t{i} (id BIGINT)", down=f"DROP TABLE t{i}")
    (root / "fleet.toml").write_text("".join(f'[[targets]]\nname = "{s}"\nschema = "{s}"\n' for s in schemas))
    done = api.migrate(root, fleet="fleet.toml", parallel=2, canary=1, yes=True)
    assert done.status == "applied", done.message
    for s in schemas:  # Alembic's own engine used the target's search path: its table and the tables are there
        assert query(pg_url, f"SELECT version_num FROM {s}.alembic_version") == [("r2",)]
        names = {
            r[0] for r in query(pg_url, f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{s}'")
        }
        assert names == {"alembic_version", "t1", "t2"}
    matrix = api.status(root, fleet="fleet.toml")
    assert matrix.totals == {"up to date": 3} and matrix.migrations == ("r1", "r2")


def test_keep_going_when_every_target_with_work_is_blocked_is_not_up_to_date(tmp_path):
    """Every target blocked (here: an applied file edited since): --keep-going has nothing it may run,
    and the result says the targets are blocked and fails, rather than "every target is up to date"."""
    files = [tmp_path / f"t{i}.db" for i in range(2)]
    root = project(
        tmp_path / "p", f"sqlite:///{files[0]}", [{"name": f.stem, "url": f"sqlite:///{f}"} for f in files], OK
    )
    assert api.migrate(root, fleet="fleet.toml", yes=True).status == "applied"
    write_files(root / "migrations", {"20240101000000_accounts.sql": OK["20240101000000_accounts.sql"] + "-- edited\n"})
    write_files(root / "migrations", {THIRD: NOTES})
    result = api.migrate(root, fleet="fleet.toml", yes=True, keep_going=True)
    assert result.status == "failed" and result.exit_code() == 1
    assert {t.state for t in result.targets} == {"blocked"} and "2 blocked (t0, t1)" in result.message
    assert "up to date" not in result.message


def test_query_table_and_url_problems_are_named(tmp_path, sqlite_url):
    root = project(tmp_path, sqlite_url, [{"name": "a", "url": sqlite_url}], OK)
    fleet = root / "fleet.toml"
    fleet.write_text('[query]\nenv = "development"\nsql = "SELECT 1"\nschema = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[query\] has unknown keys: schema"):
        api.status(root, fleet="fleet.toml")
    fleet.write_text('[query]\nenv = "development"\nurl_env = "CONTROL_URL"\nsql = "SELECT 1"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[query\] gives env and url_env"):
        api.status(root, fleet="fleet.toml")
    bad = "postgresql://postgres:S3cretPlant@127.0.0.1:notaport/db"
    fleet.write_text(f'[[targets]]\nname = "acme"\nurl = "{bad}"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fleet.toml, target acme: its url") as caught:
        api.status(root, fleet="fleet.toml")
    assert "--env" not in str(caught.value) and "S3cretPlant" not in str(caught.value)


@pytest.mark.postgres
def test_pg_schema_names_with_capitals_and_spaces_are_their_own_search_path(tmp_path, pg_url):
    """PostgreSQL folds an unquoted TenantA to tenanta, and libpq splits options at spaces."""
    execute(pg_url, 'CREATE SCHEMA "TenantA"', 'CREATE SCHEMA "tenant b"', "CREATE SCHEMA tenanta")
    root = project(tmp_path, pg_url, [{"name": "A", "schema": "TenantA"}, {"name": "b", "schema": "tenant b"}], OK)
    result = api.migrate(root, fleet="fleet.toml", yes=True)
    assert result.status == "applied", result.message
    where = "SELECT table_schema FROM information_schema.tables WHERE table_name = '_migrations'"
    assert sorted(r[0] for r in query(pg_url, where)) == ["TenantA", "tenant b"]  # not tenanta, not public
    for schema in ("TenantA", "tenant b"):
        rows = query(pg_url, f'SELECT filename FROM "{schema}"._migrations ORDER BY filename')
        assert [r[0] for r in rows] == sorted(OK)
    assert api.status(root, fleet="fleet.toml").totals == {"up to date": 2}


def test_parallel_below_one_is_refused_by_every_fleet_verb(tmp_path, sqlite_url):
    """--parallel 0 was silently read as the default, and a negative value accepted by the reading verbs."""
    from dbmigrate_magic.errors import UsageProblem

    root = project(tmp_path, sqlite_url, [{"name": "a", "url": sqlite_url}], OK)
    for call in (
        lambda: api.migrate(root, fleet="fleet.toml", parallel=0, yes=True),
        lambda: api.rollback(root, fleet="fleet.toml", parallel=0, yes=True),
        lambda: api.status(root, fleet="fleet.toml", parallel=-1),
        lambda: api.drift(root, fleet="fleet.toml", parallel=0),
    ):
        with pytest.raises(UsageProblem, match="--parallel must be 1 or more"):
            call()
    assert not query(sqlite_url, "SELECT name FROM sqlite_master WHERE name = '_migrations'")


@pytest.mark.postgres
def test_a_target_done_by_a_concurrent_run_is_reported_up_to_date_not_applied(tmp_path, pg_url):
    """Run B planned while run A was inside the migration, then waited for A's lock and skipped it:
    B applied nothing, so it must not report the target 'applied'."""
    import threading

    (schema,) = pg_schemas(pg_url, 1)
    sleeping = (
        "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND query LIKE '%pg_sleep(4)%' AND state = 'active'"
    )
    slow = {
        "20240101000000_slow.sql": "-- UP\nCREATE TABLE slow (id BIGINT);\nSELECT pg_sleep(4);\n-- DOWN\nDROP TABLE slow;\n"
    }
    root = project(tmp_path, pg_url, [{"name": "t", "schema": schema}], slow)
    first: list = []
    a = threading.Thread(target=lambda: first.append(api.migrate(root, fleet="fleet.toml", yes=True)))
    a.start()
    deadline = time.monotonic() + 30
    while not query(pg_url, sleeping):
        assert time.monotonic() < deadline, "run A never reached its migration"
        time.sleep(0.1)
    second = api.migrate(root, fleet="fleet.toml", yes=True)  # plans while A runs, then waits for A's lock
    a.join()
    assert first[0].status == "applied" and [t.state for t in first[0].targets] == ["applied"]
    assert [t.state for t in second.targets] == ["up to date"], second.targets
    assert "skipped" in second.targets[0].message and applied_in_schema(pg_url, schema) == sorted(slow)


@pytest.mark.postgres
def test_a_schema_targets_backup_holds_its_schema_and_restores_without_touching_its_neighbours(
    tmp_path, pg_url, monkeypatch
):
    from sqlalchemy.engine import make_url

    schemas = pg_schemas(pg_url, 3)
    for s in schemas:  # each tenant has data to lose
        execute(pg_url, f"CREATE TABLE {s}.keep (x INT)", f"INSERT INTO {s}.keep VALUES (1)")
    root = project(tmp_path / "p", pg_url, [{"name": s, "schema": s} for s in schemas], OK)
    text = (root / "fleet.toml").read_text()
    (root / "fleet.toml").write_text(text.replace('name = "tenants"', 'name = "tenants"\nproduction = true'))
    monkeypatch.setenv("DBM_BACKUP_DIR", str(tmp_path / "backups"))
    done = api.migrate(root, fleet="fleet.toml", confirm="tenants", parallel=2)
    assert done.status == "applied", done.message
    records = {r.environment: r for r in api.backups(root).records}
    assert set(records) == set(schemas)
    for s, record in records.items():  # one tenant's backup lists its own schema's objects only
        listing = subprocess.run(["pg_restore", "-l", str(record.file)], capture_output=True, text=True, check=True)
        others = [o for o in schemas if o != s]
        assert f" {s} " in listing.stdout and not any(f" {o} " in listing.stdout for o in others), listing.stdout
        assert record.schema == s
    first, second = schemas[0], schemas[1]
    execute(pg_url, f"INSERT INTO {second}.keep VALUES (2)", f"INSERT INTO {first}.keep VALUES (99)")
    into = make_url(pg_url).update_query_dict({"options": f"-csearch_path={first}"}).render_as_string(False)
    execute(pg_url, f"CREATE VIEW public.first_keep AS SELECT * FROM {first}.keep")  # depends on the tenant
    with pytest.raises(UnsupportedOperation) as refused:  # DROP SCHEMA ... CASCADE would take the view along
        api.restore(records[first].name, root, into=into, yes=True)
    assert "public.first_keep" in refused.value.what and refused.value.unchanged == "Nothing was changed."
    assert query(pg_url, "SELECT x FROM public.first_keep ORDER BY x") == [(1,), (99,)]
    execute(pg_url, "DROP VIEW public.first_keep")
    api.restore(records[first].name, root, into=into, yes=True)
    assert query(pg_url, f"SELECT x FROM {first}.keep") == [(1,)]  # the tenant is back as it was backed up
    left = query(pg_url, f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{first}'")
    assert left == [("keep",)]  # what the migration made after the backup is gone too
    assert query(pg_url, f"SELECT x FROM {second}.keep ORDER BY x") == [(1,), (2,)]  # its neighbour kept its row
    assert {
        t for (t,) in query(pg_url, f"SELECT table_name FROM information_schema.tables WHERE table_schema = '{second}'")
    } == {"keep", "accounts", "events", "_migrations"}
    verified = api.restore(records[second].name, root, env=into.replace(first, second), verify=True)
    keep = next(r for r in verified.comparison if r["table"] == "keep")  # its own schema, its row added since
    assert keep["schema_match"] and not keep["rows_match"] and not verified.ok


@pytest.mark.postgres
def test_a_schema_that_is_not_there_is_named_and_nothing_is_made_for_it(tmp_path, pg_url):
    schemas = pg_schemas(pg_url, 2)
    typo = schemas[1] + "x"
    root = project(tmp_path / "p", pg_url, [{"name": s, "schema": s} for s in [schemas[0], typo]], OK)
    status = api.status(root, fleet="fleet.toml")
    assert (
        status.target(typo).summary == "unreachable"
        and f"the schema {typo} does not exist" in status.target(typo).error
    )
    refused = api.migrate(root, fleet="fleet.toml", yes=True)
    assert refused.status == "refused" and f"the schema {typo} does not exist" in refused.message
    assert applied_in_schema(pg_url, schemas[0]) == []  # nothing ran anywhere
    done = api.migrate(root, fleet="fleet.toml", yes=True, keep_going=True)
    assert {t.target: t.state for t in done.targets} == {schemas[0]: "applied", typo: "blocked"}
    assert query(pg_url, f"SELECT count(*) FROM pg_namespace WHERE nspname = '{typo}'") == [(0,)]
