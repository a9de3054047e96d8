"""Backups never expose credentials, fail clearly without client binaries, refuse tampered
files, and overwrite production only with its name typed back (after a backup of it)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

SECRET = "Pl4nted-S3cret-" + uuid.uuid4().hex[:8]


def _wrapper(folder: Path, name: str, real: str) -> None:
    """A stand-in for a client binary that records its argv and credentials, then runs the real one."""
    script = folder / name
    script.write_text(f"""#!/bin/sh
[ "$1" = "--version" ] && exec {real} "$@"
printf '%s\\n' "$@" > "$WRAP_LOG/{name}.argv"
[ -n "$PGPASSWORD" ] && printf '%s' "$PGPASSWORD" > "$WRAP_LOG/{name}.pgpassword"
for a in "$@"; do
  case "$a" in --defaults-extra-file=*)
    f="${{a#--defaults-extra-file=}}"; stat -c %a "$f" > "$WRAP_LOG/{name}.mode"; cp "$f" "$WRAP_LOG/{name}.cnf"
    echo "$f" > "$WRAP_LOG/{name}.cnfpath";;
  esac
done
exec {real} "$@"
""")
    script.chmod(0o755)


def _wrapped_path(tmp_path: Path, names: list[str]) -> tuple[dict[str, str], Path]:
    bin_dir, log = tmp_path / "bin", tmp_path / "log"
    bin_dir.mkdir()
    log.mkdir()
    for name in names:
        _wrapper(bin_dir, name, shutil.which(name))
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "WRAP_LOG": str(log)}, log


def _everything_written(project: Path, *outputs) -> str:
    texts = [o.stdout + o.stderr for o in outputs]
    for path in (project / ".dbm").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".jsonl"):
            texts.append(path.read_text())
    return "\n".join(texts)


@pytest.mark.postgres
def test_postgres_password_reaches_pg_dump_only_through_the_environment(pg_url, tmp_path, run_dbm):
    url = make_url(pg_url).set(password=SECRET).render_as_string(hide_password=False)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INT PRIMARY KEY, b BYTEA)"))
        conn.execute(text("INSERT INTO t VALUES (1, '\\x00ff')"))
    engine.dispose()
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".env").write_text(f"DATABASE_URL={url}\n")
    extra, log = _wrapped_path(tmp_path, ["pg_dump", "pg_restore"])
    made = run_dbm("backup", "--project", project, env=extra)
    assert made.returncode == 0, made.stderr
    verified = run_dbm("restore", "latest", "--project", project, "--verify", env=extra)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    listed = run_dbm("backups", "--project", project, "--format", "json")
    for tool in ("pg_dump", "pg_restore"):
        argv = (log / f"{tool}.argv").read_text()
        assert SECRET not in argv
        assert (log / f"{tool}.pgpassword").read_text() == SECRET  # it did arrive, through PGPASSWORD
    assert "--format=custom" in (log / "pg_dump.argv").read_text().split()
    assert SECRET not in _everything_written(project, made, verified, listed)
    assert "***" in json.loads(listed.stdout)["backups"][0]["source"]


@pytest.fixture
def mysql_user(mysql_url):
    """A MariaDB user with a password, allowed into the test database only."""
    user = f"dbm_u_{uuid.uuid4().hex[:8]}"
    database = make_url(mysql_url).database
    admin = create_engine(mysql_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for host in ("%", "localhost"):
            conn.execute(text(f"CREATE USER '{user}'@'{host}' IDENTIFIED BY '{SECRET}'"))
            conn.execute(text(f"GRANT ALL ON `{database}`.* TO '{user}'@'{host}'"))
            conn.execute(text(f"GRANT ALL ON `dbm\\_scratch\\_%`.* TO '{user}'@'{host}'"))
    yield make_url(mysql_url).set(username=user, password=SECRET).render_as_string(hide_password=False)
    with admin.connect() as conn:
        for host in ("%", "localhost"):
            conn.execute(text(f"DROP USER IF EXISTS '{user}'@'{host}'"))
    admin.dispose()


@pytest.mark.mysql
def test_mysql_password_travels_in_a_private_option_file_that_is_deleted(mysql_user, tmp_path, run_dbm):
    engine = create_engine(mysql_user, poolclass=NullPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INT PRIMARY KEY, b LONGBLOB, s VARCHAR(20)) CHARSET utf8mb4"))
        conn.execute(text("INSERT INTO t VALUES (1, :b, 'ß🎉')"), {"b": bytes(range(256))})
    engine.dispose()
    project = tmp_path / "proj"
    project.mkdir()
    (project / ".env").write_text(f"DATABASE_URL={mysql_user}\n")
    dump = Path(shutil.which("mariadb-dump")).name
    extra, log = _wrapped_path(tmp_path, [dump, "mariadb"])
    made = run_dbm("backup", "--project", project, env=extra)
    assert made.returncode == 0, made.stderr
    verified = run_dbm("restore", "latest", "--project", project, "--verify", env=extra)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    for tool in (dump, "mariadb"):
        argv = (log / f"{tool}.argv").read_text()
        assert SECRET not in argv
        assert argv.splitlines()[0].startswith("--defaults-extra-file=")
        assert (log / f"{tool}.mode").read_text().strip() == "600"
        assert SECRET in (log / f"{tool}.cnf").read_text()  # the credentials were in the file ...
        assert not Path((log / f"{tool}.cnfpath").read_text().strip()).exists()  # ... which is gone
    assert "--single-transaction" in (log / f"{dump}.argv").read_text().split()
    assert SECRET not in _everything_written(project, made, verified)


def test_argv_never_holds_the_password():
    """The commands as built, for every dialect and option, before anything runs."""
    from dbmigrate_magic.backup import mysql, postgres

    pg = f"postgresql+psycopg://app:{SECRET}@db.example:5433/shop?sslmode=require"
    for options in ({}, {"schema_only": True}, {"tables": ("a", "b")}):
        argv, env = postgres.dump_command(pg, Path("/tmp/x.dump"), **options)
        assert SECRET not in " ".join(argv) and env["PGPASSWORD"] == SECRET
        assert env["PGHOST"] == "db.example" and env["PGPORT"] == "5433" and env["PGSSLMODE"] == "require"
    argv, env = postgres.restore_command(pg, Path("/tmp/x.dump"))
    assert SECRET not in " ".join(argv) and env["PGPASSWORD"] == SECRET
    my = f"mysql+pymysql://app:{SECRET}@db.example:3307/shop"
    with mysql.dump_command(my, Path("/tmp/x.sql"), tables=("a",)) as (argv, env):
        assert SECRET not in " ".join(argv) and SECRET not in " ".join(env.values())
        option_file = Path(argv[1].split("=", 1)[1])
        assert stat.S_IMODE(option_file.stat().st_mode) == 0o600
        assert f'password="{SECRET}"' in option_file.read_text()
    assert not option_file.exists()


@pytest.mark.parametrize(
    "url,package",
    [
        ("postgresql://app:pw@127.0.0.1:1/shop", "postgresql-client"),
        ("mysql://app:pw@127.0.0.1:1/shop", "mariadb-client"),
    ],
)
def test_missing_client_binary_names_the_package(url, package, tmp_path, run_dbm):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    project = tmp_path / "proj"
    project.mkdir()
    out = run_dbm("backup", "--project", project, "--env", url, env={"PATH": str(empty)})
    assert out.returncode == 2
    assert package in out.stderr and "Traceback" not in out.stderr
    assert not [p for p in (project / ".dbm" / "backups").glob("*") if p.suffix != ".json"]


def _sqlite_project(tmp_path: Path) -> tuple[Path, Path, Path]:
    project = tmp_path / "proj"
    project.mkdir()
    dev, prod = project / "dev.db", project / "prod.db"
    for path, value in ((dev, "dev data"), (prod, "production data")):
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
            conn.execute("INSERT INTO notes (body) VALUES (?)", (value,))
        conn.close()
    (project / ".env").write_text("DATABASE_URL=sqlite:///dev.db\n")
    (project / ".env.production").write_text("DATABASE_URL=sqlite:///prod.db\n")
    return project, dev, prod


def _notes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT body FROM notes ORDER BY id")]
    finally:
        conn.close()


def test_restore_into_production_needs_its_name_and_backs_it_up_first(tmp_path, run_dbm):
    project, dev, prod = _sqlite_project(tmp_path)
    made = run_dbm("backup", "--project", project, "--format", "json")
    assert made.returncode == 0, made.stderr
    name = json.loads(made.stdout)["name"]

    refused = run_dbm("restore", name, "--project", project, "--into", "production", "--yes")
    assert refused.returncode == 1 and "--confirm production" in refused.stderr
    wrong = run_dbm("restore", name, "--project", project, "--into", "production", "--confirm", "staging")
    assert wrong.returncode == 1 and "does not match" in wrong.stderr
    assert _notes(prod) == ["production data"]

    done = run_dbm(
        "restore", name, "--project", project, "--into", "production", "--confirm", "production", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    assert _notes(prod) == ["dev data"]
    before = json.loads(done.stdout)["backup_before"]
    listed = json.loads(run_dbm("backups", "--project", project, "--format", "json").stdout)["backups"]
    saved = next(b for b in listed if b["name"] == before["name"])
    assert saved["environment"] == "production" and "before restoring" in saved["reason"]
    # the automatic backup really holds production's old content
    back = run_dbm(
        "restore",
        saved["name"],
        "--project",
        project,
        "--into",
        "production",
        "--confirm",
        "production",
        "--no-backup",
        "--format",
        "json",
    )
    assert back.returncode == 0, back.stderr
    assert _notes(prod) == ["production data"]
    assert json.loads(back.stdout)["backup_before"]["declined"] is True
    assert "--no-backup" in (project / ".dbm" / "backups" / "declined.jsonl").read_text()


def test_restore_without_confirmation_changes_nothing_elsewhere(tmp_path, run_dbm):
    project, dev, prod = _sqlite_project(tmp_path)
    assert run_dbm("backup", "--project", project, "--env", "production").returncode == 0
    out = run_dbm("restore", "latest", "--project", project)
    assert out.returncode == 1 and "--yes" in out.stderr
    assert _notes(dev) == ["dev data"]
    assert run_dbm("restore", "latest", "--project", project, "--yes").returncode == 0
    assert _notes(dev) == ["production data"]


def test_tampered_backup_is_refused(tmp_path, run_dbm):
    project, dev, prod = _sqlite_project(tmp_path)
    made = json.loads(run_dbm("backup", "--project", project, "--format", "json").stdout)
    with sqlite3.connect(dev) as conn:
        conn.execute("INSERT INTO notes (body) VALUES ('newer')")
    conn.close()
    backup_file = Path(made["file"])
    data = bytearray(backup_file.read_bytes())
    data[-1] ^= 0xFF
    backup_file.write_bytes(bytes(data))
    out = run_dbm("restore", made["name"], "--project", project, "--yes")
    assert out.returncode == 1 and "changed since it was taken" in out.stderr
    assert _notes(dev) == ["dev data", "newer"]


def test_backup_folder_option_env_var_and_dataframe_listing(tmp_path, run_dbm, ipython, monkeypatch):
    project, dev, prod = _sqlite_project(tmp_path)
    elsewhere = tmp_path / "vault"
    out = run_dbm("backup", "--project", project, env={"DBM_BACKUP_DIR": str(elsewhere)})
    assert out.returncode == 0, out.stderr
    assert len(list(elsewhere.glob("*.sqlite3"))) == 1 and len(list(elsewhere.glob("*.json"))) == 1
    assert not (project / ".dbm" / "backups").exists() or not list((project / ".dbm" / "backups").iterdir())
    monkeypatch.setenv("DBM_BACKUP_DIR", str(elsewhere))
    ipython.run_line_magic("dbm", f"backup --project {project} --env production --schema-only")
    ipython.run_line_magic("dbm", f"backups --project {project} --df bk")
    frame = ipython.user_ns["bk"]
    assert len(frame) == 2
    assert list(frame["environment"]) == ["production", "development"]  # newest first
    assert list(frame["schema_only"]) == [True, False]
    assert (frame["size_bytes"] > 0).all()


def test_ensure_backup_before_change(tmp_path):
    from dbmigrate_magic.backup import BackupRecord, Declined, ensure_backup_before_change, list_records
    from dbmigrate_magic.context import resolve_context

    project, dev, prod = _sqlite_project(tmp_path)
    assert ensure_backup_before_change(resolve_context(project, "development"), decline=False) is None
    ctx = resolve_context(project, "production")
    record = ensure_backup_before_change(ctx, decline=False)
    assert isinstance(record, BackupRecord) and record.environment == "production"
    copy = sqlite3.connect(record.file)
    assert [r[0] for r in copy.execute("SELECT body FROM notes")] == ["production data"]
    copy.close()
    declined = ensure_backup_before_change(ctx, decline=True)
    assert isinstance(declined, Declined) and "declined" in declined.message
    assert len(list_records(project / ".dbm" / "backups")) == 1


def test_backups_limit_lists_the_newest_from_every_front_end(tmp_path, run_dbm, ipython):
    """``--limit N`` (added as one api parameter: the CLI and the magic got it from the signature)."""
    from dbmigrate_magic import api
    from dbmigrate_magic.errors import UsageProblem

    project = tmp_path / "proj"
    project.mkdir()
    sqlite3.connect(project / "app.db").executescript("CREATE TABLE t (id INTEGER PRIMARY KEY);")
    (project / ".env").write_text("DATABASE_URL=sqlite:///app.db\n")
    for _ in range(3):
        assert run_dbm("backup", "--project", project).returncode == 0
    every = json.loads(run_dbm("backups", "--project", project, "--format", "json").stdout)["backups"]
    listed = json.loads(run_dbm("backups", "--project", project, "--limit", "2", "--format", "json").stdout)
    assert [b["name"] for b in listed["backups"]] == [b["name"] for b in every[:2]]
    ipython.run_line_magic("dbm", f"backups --project {project} --limit 1 --df newest")
    assert list(ipython.user_ns["newest"]["name"]) == [every[0]["name"]]
    assert [r.name for r in api.backups(project, limit=2).records] == [b["name"] for b in every[:2]]
    refused = run_dbm("backups", "--project", project, "--limit", "0")
    assert refused.returncode == 2 and "limit must be 1 or more" in refused.stderr
    with pytest.raises(UsageProblem):
        api.backups(project, limit=0)
