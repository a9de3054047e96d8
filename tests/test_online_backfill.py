"""`dbm backfill` on real PostgreSQL and MariaDB: batches by primary key (composite and text keys
too), a dry run that counts, and a run killed with SIGKILL mid-way that resumes with every row
updated exactly once (a counter column proves it)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import REPO
from dbmigrate_magic import api, masking
from tests.helpers import execute, make_project, query, with_password

ROWS = 3000


def _fill(url: str, kind: str) -> None:
    seq = (
        f"SELECT g, g FROM generate_series(1, {ROWS}) g"
        if kind == "postgres"
        else f"SELECT seq, seq FROM seq_1_to_{ROWS}"  # MariaDB's sequence engine
    )
    execute(url, "CREATE TABLE t (id integer PRIMARY KEY, hits integer NOT NULL DEFAULT 0, v integer)")
    execute(url, f"INSERT INTO t (id, v) {seq}")


def _slow_backfill(root, url: str) -> list[str]:
    """``dbm backfill`` in small, paced batches: slow enough to be killed or interrupted mid-run."""
    return [sys.executable, "-m", "dbmigrate_magic", "backfill", "t", "--set", "hits = hits + 1",
            "--batch-size", "100", "--sleep", "150", "--yes", "--project", str(root), "--env", url]  # fmt: skip


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_kill_9_mid_run_then_resume_updates_every_row_exactly_once(kind, request, tmp_path):
    url = request.getfixturevalue("pg_url" if kind == "postgres" else "mysql_url")
    _fill(url, kind)
    root = make_project(tmp_path / "p", url)
    args = _slow_backfill(root, url)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            done = query(url, "SELECT rows_done FROM dbm_backfill")[0][0]
        except Exception:  # the checkpoint table is not there yet
            continue
        if done >= 600:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert 600 <= done < ROWS, f"the run was not killed mid-way: {proc.stderr.read().decode()[-2000:]}"
    partial = query(url, "SELECT count(*) FROM t WHERE hits = 1")[0][0]
    assert query(url, "SELECT count(*) FROM t WHERE hits > 1")[0][0] == 0
    dry = api.backfill("t", set_sql="hits = hits + 1", batch_size=100, dry_run=True, project=str(root), env=url)
    assert f"{ROWS - partial} row(s) of t left" in " ".join(dry.notes)
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "resumed after" in out.stdout
    assert query(url, "SELECT min(hits), max(hits), count(*) FROM t") == [(1, 1, ROWS)]
    again = api.backfill("t", set_sql="hits = hits + 1", yes=True, project=str(root), env=url)
    assert "already finished" in again.message  # the same job never runs twice
    assert query(url, "SELECT max(hits) FROM t") == [(1,)]


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_composite_and_text_keys_with_a_where(kind, request, tmp_path):
    url = request.getfixturevalue("pg_url" if kind == "postgres" else "mysql_url")
    execute(
        url,
        "CREATE TABLE k (region varchar(10) NOT NULL, code varchar(20) NOT NULL, hits integer NOT NULL "
        "DEFAULT 0, PRIMARY KEY (region, code))",
    )
    values = ", ".join(f"('{r}', 'c{i:04d}')" for r in ("eu", "us", "ap") for i in range(257))
    execute(url, f"INSERT INTO k (region, code) VALUES {values}")
    root = make_project(tmp_path / "p", url)
    out = api.backfill(
        "k", set_sql="hits = hits + 1", where="region <> 'us'", batch_size=50, yes=True, project=str(root), env=url
    )
    assert out.status == "applied", out.to_text()
    assert "Updated 514 row(s)" in out.message
    assert query(url, "SELECT region, min(hits), max(hits) FROM k GROUP BY region ORDER BY region") == [
        ("ap", 1, 1),
        ("eu", 1, 1),
        ("us", 0, 0),
    ]


def test_unconfirmed_backfill_changes_nothing_and_no_key_is_refused(pg_url, tmp_path):
    _fill(pg_url, "postgres")
    execute(pg_url, "CREATE TABLE nokey (v integer)")
    root = make_project(tmp_path / "p", pg_url)
    out = api.backfill("t", set_sql="hits = 5", project=str(root), env=pg_url)
    assert out.status == "awaiting confirmation" and "UPDATE t SET hits = 5 WHERE" in out.to_text()
    assert query(pg_url, "SELECT max(hits) FROM t") == [(0,)]
    out = out.confirm("y")
    assert query(pg_url, "SELECT min(hits) FROM t") == [(5,)]
    from dbmigrate_magic.errors import DbmError

    with pytest.raises(DbmError, match="no primary key"):
        api.backfill("nokey", set_sql="v = 1", yes=True, project=str(root), env=pg_url)


def test_a_planted_password_appears_in_no_output(pg_url, tmp_path, run_dbm):
    secret = "Zd-s3cret-pw"
    execute(pg_url, "CREATE TABLE t (id integer PRIMARY KEY, a text NOT NULL, v integer)")
    url = with_password(pg_url, secret)  # trust authentication ignores it; every output must still hide it
    masking.register_secret(secret)
    root = make_project(tmp_path / "p", url)
    sql = tmp_path / "c.sql"
    sql.write_text("ALTER TABLE t RENAME COLUMN a TO b;\n")
    outs = [
        run_dbm("plan", sql, "--project", root, "--env", url, "--write"),
        run_dbm("plan", sql, "--project", root, "--env", url, "--format", "json"),
        run_dbm("backfill", "t", "--set", "v = 1", "--project", root, "--env", url, "--yes"),
        run_dbm("backfill", "t", "--set", "v = 1", "--project", root, "--env", url, "--dry-run", "--format", "json"),
        run_dbm("backfill", "nosuch", "--set", "v = 1", "--project", root, "--env", url, "--yes"),
    ]
    for out in outs:
        assert secret not in out.stdout + out.stderr
    assert outs[0].returncode == 0 and outs[2].returncode == 0, outs[2].stderr
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".env":
            assert secret not in path.read_text(errors="replace")
    assert secret not in str(query(pg_url, "SELECT * FROM dbm_backfill"))


def test_ctrl_c_stops_cleanly_and_the_run_resumes(pg_url, tmp_path):
    import psycopg

    _fill(pg_url, "postgres")
    root = make_project(tmp_path / "p", pg_url)
    args = _slow_backfill(root, pg_url)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # A row in the middle stays locked by the test, so the run is certainly mid-way (waiting on that
    # row, its open batch not committed) when Ctrl-C arrives, however slowly this poll runs.
    holder = psycopg.connect(pg_url.replace("postgresql+psycopg://", "postgresql://"))
    holder.execute("SELECT id FROM t WHERE id = 1500 FOR UPDATE")
    try:
        proc = subprocess.Popen(
            args,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # a shell that starts CI in the background hands SIGINT down ignored, and Python then never
            # turns it into KeyboardInterrupt: give the run the disposition a terminal gives it
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, "the backfill never reached the locked row"
            time.sleep(0.2)
            waiting = query(
                pg_url,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )[0][0]
            if waiting:
                break
        assert query(pg_url, "SELECT rows_done FROM dbm_backfill")[0][0] >= 500
        proc.send_signal(signal.SIGINT)
        # psycopg cancels the waiting batch on Ctrl-C; should that cancel not land (seen once in CI,
        # cause unknown), the batch finishes once the lock goes and the run stops right after it.
        # Either way its rows and its checkpoint commit together, which the checks below verify.
        release = threading.Timer(3.0, holder.close)
        release.start()
        try:
            stdout, stderr = proc.communicate(timeout=60)
        finally:
            release.cancel()
    finally:
        holder.close()
    assert "Stopped after" in stdout and "Run the same command again to resume" in stdout, stdout + stderr
    assert "Traceback" not in stderr
    assert proc.returncode == 1  # not done: a script going on to the next step (`&& dbm migrate`) stops here
    done = query(pg_url, "SELECT rows_done FROM dbm_backfill")[0][0]
    assert query(pg_url, "SELECT count(*) FROM t WHERE hits = 1") == [(done,)]  # the open batch was rolled back
    out = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert query(pg_url, "SELECT min(hits), max(hits) FROM t") == [(1, 1)]


@pytest.mark.parametrize("kind", ["postgres", "mysql"])
def test_two_runs_of_one_job_at_once_update_every_row_exactly_once(kind, request, tmp_path):
    """A second run started while the first is going takes turns with it on the checkpoint (on
    PostgreSQL a batch runs only if the checkpoint is still where its run left it)."""
    url = request.getfixturevalue("pg_url" if kind == "postgres" else "mysql_url")
    _fill(url, kind)
    root = make_project(tmp_path / "p", url)
    args = _slow_backfill(root, url)
    slower = [a if a != "150" else "300" for a in args]  # still going when the second has started
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.Popen(slower, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            if query(url, "SELECT rows_done FROM dbm_backfill")[0][0] >= 200:
                break
        except Exception:  # the checkpoint table is not there yet
            continue
    second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err + second.stderr
    counts = [int(re.search(r"Updated (\d+) row", text).group(1)) for text in (out, second.stdout)]
    assert min(counts) > 0 and sum(counts) == ROWS, (out, second.stdout)  # both ran batches, no row twice
    assert query(url, "SELECT min(hits), max(hits), count(*) FROM t") == [(1, 1, ROWS)]
    assert query(url, "SELECT rows_done, finished FROM dbm_backfill") == [(ROWS, 1)]


def test_batches_sized_by_time_grow_and_shrink_toward_the_target():
    from dbmigrate_magic.online.backfill import MAX_BATCH, MIN_BATCH, next_size

    assert next_size(200, 0.005, 0.015) == 400  # fast: at most doubles
    assert next_size(1000, 0.030, 0.015) == 500  # twice the target: halves
    assert next_size(1000, 0.300, 0.015) == 500  # one very slow batch does not collapse the size
    assert next_size(1000, 0.0125, 0.015) == 1200  # near the target: the measured rate times the target
    assert next_size(60, 1.0, 0.015) == MIN_BATCH and next_size(MAX_BATCH, 0.001, 0.015) == MAX_BATCH
