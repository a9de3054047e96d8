"""Two runners never apply the same migration; a runner killed at any point loses nothing.

Both trials run the real CLI in subprocesses against one database per dialect. They are bounded
(a few minutes together) and marked slow.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import dbm_env
from dbmigrate_magic import api
from tests.helpers import dialect, make_project, query, recorded, tables

pytestmark = pytest.mark.slow

RUNNERS = 8
ROUNDS = 20
TRIALS = 30


def _dbm(project, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "dbmigrate_magic", "migrate", str(project), *args],
        env=dbm_env({"DBM_RUNNER_WAIT": "120"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_eight_runners_apply_each_migration_exactly_once(db_url, tmp_path):
    project = make_project(
        tmp_path / "app",
        db_url,
        {"20240101000000_hits.sql": "-- UP\nCREATE TABLE hits (migration VARCHAR(50) NOT NULL);\n"},
    )
    assert api.migrate(project, yes=True).status == "applied"
    stamp = 20250101000000
    for rnd in range(ROUNDS):
        names = []
        for i in range(2):
            stamp += 1
            name = f"r{rnd}_{i}"
            names.append(f"{stamp}_{name}.sql")
            (project / "migrations" / names[-1]).write_text(
                f"-- UP\nCREATE TABLE t_{name} (x INTEGER);\nINSERT INTO hits (migration) VALUES ('{name}');\n"
            )
        procs = [_dbm(project, "--yes") for _ in range(RUNNERS)]
        for p in procs:
            out, err = p.communicate(timeout=300)
            # each runner either applied (some of) them, found nothing left to do, or said a run is in progress
            assert p.returncode == 0 or "in progress" in err or "running right now" in err or "holds the lock" in err, (
                out + err
            )
        hits = query(db_url, "SELECT migration, COUNT(*) FROM hits GROUP BY migration")
        assert all(n == 1 for _, n in hits), hits
        assert {m for m, _ in hits} == {f"r{r}_{i}" for r in range(rnd + 1) for i in range(2)}
        rows = recorded(db_url)
        assert all(rows.get(n) in (None, "applied") and n in rows for n in names), rows
    assert len(recorded(db_url)) == 1 + 2 * ROUNDS
    assert [r.state for r in api.status(project).rows] == ["applied"] * (1 + 2 * ROUNDS)


def _slow(d: str) -> str:
    if d == "postgresql":
        return "SELECT pg_sleep(0.08)"
    if d == "mysql":
        return "DO SLEEP(0.08)"
    return (
        "INSERT INTO pad (x) WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 100000) "
        "SELECT n FROM c"
    )


def _trial_files(trial: int, d: str, count: int = 5) -> dict[str, str]:
    files = {}
    for i in range(count):
        t = f"k{trial}_{i}"
        # re-runnable statements, so a MariaDB migration interrupted half way can be re-run after resolve
        files[f"2025{trial:06d}{i:04d}_{t}.sql"] = (
            f"-- UP\nCREATE TABLE IF NOT EXISTS {t} (x INTEGER PRIMARY KEY);\n"
            f"INSERT INTO {t} (x) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE x = 1);\n"
            f"{_slow(d)};\n"
            f"INSERT INTO {t} (x) SELECT 2 WHERE NOT EXISTS (SELECT 1 FROM {t} WHERE x = 2);\n"
        )
    return files


def _effects(url: str, names: list[str]) -> dict[str, int]:
    present = tables(url)
    return {n: (query(url, f"SELECT COUNT(*) FROM {n}")[0][0] if n in present else -1) for n in names}


def _rows(url: str) -> list[str]:
    try:
        return list(recorded(url))
    except Exception:  # the table is not there yet
        return []


def _wait_until_runner_gone(url: str, d: str) -> None:
    """A killed client's server session can still finish the statement it was given: wait until the
    server has ended it (its runner lock is free) before looking, as a person running status would."""
    sql = {
        "postgresql": "SELECT count(*) = 0 FROM pg_locks WHERE locktype = 'advisory'",
        "mysql": "SELECT IS_FREE_LOCK('dbmigrate_magic')",
    }.get(d)
    deadline = time.monotonic() + 60
    while sql and not query(url, sql)[0][0]:
        assert time.monotonic() < deadline, "the killed runner's session never ended"
        time.sleep(0.05)


@pytest.mark.serial  # its kill points are timed from a calibrating run: it runs alone (dev.py's second pass)
def test_kill_minus_nine_at_random_points_loses_nothing(db_url, tmp_path):
    d = dialect(db_url)
    rng = random.Random(20251125)
    base = make_project(tmp_path / "base", db_url, {"20240101000000_pad.sql": "-- UP\nCREATE TABLE pad (x INTEGER);\n"})
    api.migrate(base, yes=True)
    # when a runner gets to applying (a dry run does everything before it) and when it is done
    probe = make_project(tmp_path / "probe", db_url, _trial_files(999, d))
    t0 = time.perf_counter()
    _dbm(probe, "--dry-run").communicate(timeout=120)
    before_apply = time.perf_counter() - t0
    # the trials run cold: the dry run's review cache (.dbm/cache) must not shorten the calibrating run
    shutil.rmtree(probe / ".dbm" / "cache", ignore_errors=True)
    t0 = time.perf_counter()
    _dbm(probe, "--yes").communicate(timeout=120)
    full = time.perf_counter() - t0
    interrupted = 0
    for trial in range(TRIALS):
        files = _trial_files(trial, d)
        project = make_project(tmp_path / f"t{trial}", db_url, files)
        names = [f.split("_", 1)[1][:-4] for f in files]
        proc = _dbm(project, "--yes")
        if trial % 3 == 0:  # anywhere around the start of the apply
            time.sleep(rng.uniform(0.8 * before_apply, max(full, before_apply) * 1.05))
        else:  # once the first migration shows up, somewhere inside the rest of the apply
            deadline = time.monotonic() + 120
            while proc.poll() is None and time.monotonic() < deadline and not set(files) & set(_rows(db_url)):
                time.sleep(0.01)
            time.sleep(rng.uniform(0, max(0.05, full - before_apply)))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        _wait_until_runner_gone(db_url, d)
        rows = recorded(db_url)
        effects = _effects(db_url, names)
        states = [rows.get(f, "absent") for f in files]
        applied = [s in (None, "applied") for s in states]
        if 0 < sum(applied) < len(files) or any(s in ("running", "failed") for s in states):
            interrupted += 1
        for f, name, state in zip(files, names, states):
            if state in (None, "applied"):
                assert effects[name] == 2, (trial, f, state, effects)  # recorded applied => fully there
            elif d != "mysql":
                assert state == "absent" and effects[name] == -1, (trial, f, state, effects)  # all or nothing
            else:
                assert state in ("absent", "running", "failed"), (trial, f, state)
                if state == "absent":
                    assert effects[name] == -1, (trial, f, effects)  # nothing applied unrecorded
        stuck = [f for f, s in zip(files, states) if s in ("running", "failed")]
        assert len(stuck) <= 1
        if stuck:
            row = next(r for r in api.status(project).rows if r.migration == stuck[0])
            assert row.state == "failed"
            api.resolve(stuck[0], "rolled_back", project, yes=True)
        assert api.migrate(project, yes=True).status in ("applied", "up to date")
        assert all(v == 2 for v in _effects(db_url, names).values())
        assert all(recorded(db_url)[f] in (None, "applied") for f in files)
    assert interrupted >= 3, f"only {interrupted} of {TRIALS} kills landed during the run"
