"""dbmate, golang-migrate and Flyway: read-only status from their own tables, built exactly as
those tools create them, on SQLite and PostgreSQL."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from conftest import missing
from dbmigrate_magic import api
from dbmigrate_magic.adapters.flyway.adapter import checksum as flyway_checksum
from tests.helpers import execute

DIALECTS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DIALECTS)
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tool.db'}"
        return
    from conftest import new_database

    u, drop = new_database("postgres")
    yield u
    drop()


def states(result) -> dict[str, str]:
    return {r.migration: r.state for r in result.rows}


# --- dbmate -----------------------------------------------------------------------------
def dbmate_table(url: str) -> str:
    if url.startswith("sqlite"):
        return "create table if not exists schema_migrations (version varchar(128) primary key)"
    return "create table if not exists public.schema_migrations (version varchar(128) primary key)"


def test_dbmate_status(tmp_path, url):
    mig = tmp_path / "proj" / "db" / "migrations"
    mig.mkdir(parents=True)
    for ts, name in (("20240101000000", "users"), ("20240102000000", "orders"), ("20240103000000", "items")):
        (mig / f"{ts}_{name}.sql").write_text(
            f"-- migrate:up\ncreate table {name} (id int);\n\n-- migrate:down\ndrop table {name};\n"
        )
    project = tmp_path / "proj"
    before = api.status(project, env=url)
    assert not before.table_exists and set(states(before).values()) == {"pending"}
    execute(
        url,
        dbmate_table(url),
        "insert into schema_migrations (version) values ('20240101000000')",
        "insert into schema_migrations (version) values ('20240102000000')",
        "insert into schema_migrations (version) values ('20231231000000')",
    )
    result = api.status(project, env=url)
    assert result.tool == "dbmate"
    assert states(result) == {
        "20231231000000": "missing",
        "20240101000000": "applied",
        "20240102000000": "applied",
        "20240103000000": "pending",
    }
    assert all(r.checksum_ok is None and r.applied_at is None for r in result.rows)
    assert result.current == "20240102000000"


# --- golang-migrate ---------------------------------------------------------------------
def golang_table(url: str) -> list[str]:
    if url.startswith("sqlite"):
        return [
            "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool)",
            "CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)",
        ]
    return [
        "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)"
    ]


def golang_project(tmp_path: Path) -> Path:
    mig = tmp_path / "proj" / "migrations"
    mig.mkdir(parents=True)
    for v, name in ((1, "users"), (2, "orders"), (10, "items"), (11, "tags")):
        (mig / f"{v:06d}_{name}.up.sql").write_text(f"create table {name} (id int);\n")
        (mig / f"{v:06d}_{name}.down.sql").write_text(f"drop table {name};\n")
    return tmp_path / "proj"


@pytest.mark.parametrize("dirty", [False, True])
def test_golang_migrate_status(tmp_path, url, dirty):
    project = golang_project(tmp_path)
    execute(
        url,
        *golang_table(url),
        "INSERT INTO schema_migrations (version, dirty) VALUES (10, :dirty)",
        params=[{}] * len(golang_table(url)) + [{"dirty": dirty}],
    )
    result = api.status(project, env=url)
    assert result.tool == "golang-migrate"
    # numeric order (2 before 10), everything <= 10 applied, 10 itself failed when dirty
    assert [r.migration for r in result.rows] == ["1", "2", "10", "11"]
    assert states(result) == {"1": "applied", "2": "applied", "10": "failed" if dirty else "applied", "11": "pending"}
    assert result.rows[0].extra["down_file"] == "000001_users.down.sql"


def test_golang_migrate_recorded_version_without_file(tmp_path, url):
    project = golang_project(tmp_path)
    execute(url, *golang_table(url), "INSERT INTO schema_migrations (version, dirty) VALUES (12, false)")
    result = api.status(project, env=url)
    assert states(result)["12"] == "missing"
    assert {states(result)[v] for v in ("1", "2", "10", "11")} == {"applied"}


# --- Flyway -----------------------------------------------------------------------------
def flyway_table(url: str) -> list[str]:
    if url.startswith("sqlite"):
        return [
            """CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL PRIMARY KEY, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "execution_time" INT NOT NULL, "success" BOOLEAN NOT NULL)"""
        ]
    return [
        """CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL, "version" VARCHAR(50), "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL, "script" VARCHAR(1000) NOT NULL, "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL, "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL, "success" BOOLEAN NOT NULL)""",
        'ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" '
        'PRIMARY KEY ("installed_rank")',
        'CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success")',
    ]


def reference_checksum(data: bytes) -> int:
    """Independent restatement of Flyway's LoadableResource checksum: Java readLine() splits on
    \\n, \\r, \\r\\n; the first line loses a BOM; CRC32 is updated per line; (int) cast."""
    text_ = data.decode("utf-8")
    if text_.startswith("\ufeff"):
        text_ = text_[1:]
    crc = zlib.crc32(b"")
    for line in text_.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        crc = zlib.crc32(line.encode("utf-8"), crc)
    return int.from_bytes(crc.to_bytes(4, "big"), "big", signed=True)


def test_flyway_checksum_rules():
    body = "CREATE TABLE users (\n  id INT,\n  name TEXT -- ünïcode\n);\n"
    lf = body.encode()
    assert flyway_checksum(lf) == reference_checksum(lf)
    assert flyway_checksum(body.replace("\n", "\r\n").encode()) == flyway_checksum(lf)  # line endings ignored
    assert flyway_checksum(b"\xef\xbb\xbf" + lf) == flyway_checksum(lf)  # BOM ignored
    assert flyway_checksum(lf.replace(b"INT", b"BIGINT")) != flyway_checksum(lf)
    values = [flyway_checksum(f"select {i};".encode()) for i in range(200)]
    assert all(-(2**31) <= v < 2**31 for v in values) and any(v < 0 for v in values)  # signed int32


def flyway_project(tmp_path: Path) -> Path:
    mig = tmp_path / "proj" / "db" / "migration"
    mig.mkdir(parents=True)
    files = {
        "V1__create_users.sql": "CREATE TABLE users (id INT);\n",
        "V1_1__add_name.sql": "\ufeffALTER TABLE users ADD COLUMN name TEXT;\r\n",
        "V2__orders.sql": "CREATE TABLE orders (id INT);\n",
        "V3__items.sql": "CREATE TABLE items (id INT);\n",
        "U3__items.sql": "DROP TABLE items;\n",
        "V4__tags.sql": "CREATE TABLE tags (id INT);\n",
        "R__views.sql": "CREATE VIEW v AS SELECT 1;\n",
        "R__procs.sql": "SELECT 2;\n",
    }
    for name, body in files.items():
        (mig / name).write_bytes(body.encode("utf-8"))
    return tmp_path / "proj"


def test_flyway_status(tmp_path, url):
    project = flyway_project(tmp_path)
    mig = project / "db" / "migration"
    ck = lambda name: reference_checksum((mig / name).read_bytes())  # noqa: E731
    execute(url, *flyway_table(url))
    insert = (
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
        "installed_by, execution_time, success) VALUES (:rank, :version, :desc, :type, :script, :ck, "
        "'flyway', 5, :ok)"
    )
    rows = [
        (1, "1", "create users", "SQL", "V1__create_users.sql", ck("V1__create_users.sql"), True),
        (2, "1.1", "add name", "SQL", "V1_1__add_name.sql", ck("V1_1__add_name.sql"), True),
        (3, "2", "orders", "SQL", "V2__orders.sql", ck("V2__orders.sql") + 1, True),  # file edited since
        (4, "3", "items", "SQL", "V3__items.sql", ck("V3__items.sql"), False),  # failed (MySQL-style)
        (5, None, "views", "SQL", "R__views.sql", ck("R__views.sql"), True),
        (6, None, "procs", "SQL", "R__procs.sql", ck("R__procs.sql") - 7, True),  # repeatable changed
        (7, "0.5", "gone", "SQL", "V0_5__gone.sql", 123, True),  # file deleted
    ]
    for rank, version, desc, kind, script, c, ok in rows:
        execute(
            url, insert, params=[dict(rank=rank, version=version, desc=desc, type=kind, script=script, ck=c, ok=ok)]
        )
    result = api.status(project, env=url)
    assert result.tool == "flyway"
    got = states(result)
    assert got == {
        "0.5": "missing",
        "1": "applied",
        "1.1": "applied",
        "2": "modified",
        "3": "failed",
        "4": "pending",
        "procs": "pending",
        "views": "applied",
    }
    order = [r.migration for r in result.rows]
    assert order == ["0.5", "1", "1.1", "2", "3", "4", "procs", "views"]  # versions, then repeatables
    by_id = {r.migration: r for r in result.rows}
    assert by_id["1.1"].checksum_ok is True  # BOM + CRLF file matches Flyway's own checksum
    assert by_id["2"].checksum_ok is False
    assert by_id["3"].extra["undo_file"] == "U3__items.sql"
    assert by_id["1"].applied_at is not None and by_id["1"].applied_at.tzinfo is not None
    assert "re-run" in (by_id["procs"].note or "")


def test_flyway_undo_and_baseline(tmp_path, url):
    project = flyway_project(tmp_path)
    mig = project / "db" / "migration"
    execute(url, *flyway_table(url))
    insert = (
        "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
        "installed_by, execution_time, success) VALUES (:rank, :version, :desc, :type, :script, :ck, 'f', 1, "
        "true)"
    )
    for rank, version, desc, kind, script, c in [
        (1, "1.1", "<< Flyway Baseline >>", "BASELINE", "<< Flyway Baseline >>", None),
        (2, "2", "orders", "SQL", "V2__orders.sql", reference_checksum((mig / "V2__orders.sql").read_bytes())),
        (3, "3", "items", "SQL", "V3__items.sql", reference_checksum((mig / "V3__items.sql").read_bytes())),
        (4, "3", "items", "UNDO_SQL", "U3__items.sql", reference_checksum((mig / "U3__items.sql").read_bytes())),
    ]:
        execute(url, insert, params=[dict(rank=rank, version=version, desc=desc, type=kind, script=script, ck=c)])
    got = states(api.status(project, env=url))
    assert got["1"] == "applied" and got["1.1"] == "applied"  # at or below the baseline
    assert got["2"] == "applied"
    assert got["3"] == "pending"  # undone
    assert got["4"] == "pending"


JAVA_CRC = r"""
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
public class FlywayCrc {
    // Flyway's rule, restated with the JDK's own readLine() and CRC32: lines without terminators,
    // a byte-order mark dropped from the first line, the CRC cast to a signed int.
    public static void main(String[] args) throws Exception {
        for (String name : args) {
            CRC32 crc = new CRC32();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(new FileInputStream(name),
                    StandardCharsets.UTF_8), 4096)) {
                String line = r.readLine();
                boolean first = true;
                while (line != null) {
                    if (first && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
                    first = false;
                    crc.update(line.getBytes(StandardCharsets.UTF_8));
                    line = r.readLine();
                }
            }
            System.out.println((int) crc.getValue());
        }
    }
}
"""


def test_flyway_checksum_matches_the_jdk(tmp_path):
    import shutil
    import subprocess

    if shutil.which("java") is None:
        missing("no java on this machine: the JDK cross-check needs it")
    bodies = [
        b"CREATE TABLE a (id INT);\n",
        b"\xef\xbb\xbfSELECT 1;\r\nSELECT 2;\r\n",
        b"a\rb\r\n\nc",
        "INSERT INTO t VALUES ('ünïcödé €');\n".encode(),
        b"",
        b"\n\n\n",
        b"x\n\xef\xbb\xbfy\n",
    ]
    files = []
    for i, body in enumerate(bodies):
        path = tmp_path / f"V{i}__f.sql"
        path.write_bytes(body)
        files.append(path)
    (tmp_path / "FlywayCrc.java").write_text(JAVA_CRC)
    out = subprocess.run(
        ["java", str(tmp_path / "FlywayCrc.java"), *map(str, files)], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    java_values = [int(v) for v in out.stdout.split()]
    assert java_values == [flyway_checksum(b) for b in bodies]
