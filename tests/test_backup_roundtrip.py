"""Proof: backups restore to an identical database on PostgreSQL, MariaDB and SQLite, with
binary and unicode data; ``restore --verify`` agrees, and catches a difference."""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.backup_data import UNICODE, blob, fill, rows, schema


def test_backup_restores_an_identical_database(db_url, second_db, tmp_path, run_dbm):
    fill(db_url)
    project = tmp_path / "proj"
    project.mkdir()
    out = run_dbm("backup", "--project", project, "--env", db_url, "--format", "json")
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)
    assert made["size_bytes"] > 0 and len(made["sha256"]) == 64

    out = run_dbm("restore", made["name"], "--project", project, "--into", second_db, "--yes")
    assert out.returncode == 0, out.stderr

    assert schema(second_db) == schema(db_url)
    source, restored = rows(db_url), rows(second_db)
    assert restored == source  # row by row, every value
    customers = {r[0]: r for r in restored["customers"]}
    assert customers[2][3] == blob(2)  # binary survived byte for byte
    assert customers[4][1].startswith(UNICODE[4])  # emoji (4-byte UTF-8) survived
    assert len(restored["orders"]) == 240

    out = run_dbm("restore", made["name"], "--project", project, "--env", db_url, "--verify", "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    verdict = json.loads(out.stdout)
    assert verdict["ok"] is True
    assert {r["table"] for r in verdict["comparison"]} == {"customers", "orders"}
    assert verdict["target"].startswith("dbm_scratch_")


def test_verify_reports_a_changed_row_and_drops_its_scratch_database(db_url, tmp_path, run_dbm):
    fill(db_url, customers=20)
    project = tmp_path / "proj"
    project.mkdir()
    assert run_dbm("backup", "--project", project, "--env", db_url).returncode == 0
    engine = create_engine(db_url, poolclass=NullPool)
    with engine.begin() as conn:  # one byte of one blob changes after the backup
        conn.execute(text("UPDATE customers SET photo = :p WHERE id = 3"), {"p": blob(3)[:-1] + b"\x01"})
    engine.dispose()
    out = run_dbm("restore", "latest", "--project", project, "--env", db_url, "--verify", "--format", "json")
    assert out.returncode == 1, out.stderr
    verdict = json.loads(out.stdout)
    by_table = {r["table"]: r for r in verdict["comparison"]}
    assert by_table["customers"]["rows_match"] is False
    assert by_table["customers"]["source_rows"] == by_table["customers"]["restored_rows"] == 20
    assert by_table["orders"]["rows_match"] is True
    assert _scratch_gone(db_url, verdict["target"])


def _scratch_gone(url: str, name: str) -> bool:
    if url.startswith("sqlite"):
        import tempfile
        from pathlib import Path

        return not list(Path(tempfile.gettempdir()).glob(f"{name}*"))
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        if url.startswith("postgresql"):
            found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        else:
            found = conn.execute(
                text("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = :n"), {"n": name}
            ).first()
    engine.dispose()
    return found is None


def test_scratch_database_is_dropped_when_the_restore_fails(db_url, tmp_path):
    """A backup whose manifest checksum matches but whose content cannot be restored."""
    from dbmigrate_magic import api
    from dbmigrate_magic.backup.manifest import read_manifest, sha256_file
    from dbmigrate_magic.errors import DbmError

    fill(db_url, customers=5)
    project = tmp_path / "proj"
    project.mkdir()
    made = api.backup(project, env=db_url).record
    made.file.write_bytes(b"this is not a backup \x00\x01" * 10)
    data = json.loads(made.manifest_path.read_text())
    data["sha256"] = sha256_file(made.file)
    made.manifest_path.write_text(json.dumps(data))
    assert read_manifest(made.manifest_path).sha256 == data["sha256"]
    before = _scratch_names(db_url)
    with pytest.raises(DbmError):
        api.restore("latest", project, env=db_url, verify=True)
    assert _scratch_names(db_url) <= before


def _scratch_names(url: str) -> set[str]:
    """This process's scratch databases (named ``dbm_scratch_<pid>_...``): another test worker's
    scratch databases on the same server come and go while this test runs."""
    return {name for name in _all_scratch_names(url) if name.startswith(f"dbm_scratch_{os.getpid()}_")}


def _all_scratch_names(url: str) -> set[str]:
    if url.startswith("sqlite"):
        import tempfile
        from pathlib import Path

        return {p.name for p in Path(tempfile.gettempdir()).glob("dbm_scratch_*")}  # scratch.scratch's files
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        if url.startswith("postgresql"):
            names = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE 'dbm_scratch_%'")).scalars()
        else:
            names = conn.execute(
                text("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'dbm_scratch_%'")
            ).scalars()
        found = set(names)
    engine.dispose()
    return found


def test_schema_only_and_table_subset(db_url, second_db, tmp_path):
    from dbmigrate_magic import api

    fill(db_url, customers=10)
    project = tmp_path / "proj"
    project.mkdir()
    schema_only = api.backup(project, env=db_url, schema_only=True).record
    api.restore(schema_only.name, project, into=second_db, yes=True)
    assert schema(second_db) == schema(db_url)
    assert rows(second_db) == {"customers": [], "orders": []}

    subset = api.backup(project, env=db_url, tables="customers").record
    assert subset.tables == ("customers",)
    result = api.restore(subset.name, project, env=db_url, verify=True)
    assert result.ok and [r["table"] for r in result.comparison] == ["customers"]
