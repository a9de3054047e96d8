"""Acceptance on real public projects (issue 12): detect, status, apply and rollback against each tool's truth.

The projects are read from a folder given on the command line (one sub-folder per repository, extracted
with --extract from benchmarks/realworld_projects.txt); nothing of theirs lives in this repository.
The truth comes from benchmarks/realworld_truth.py (each tool's own config keys, defaults and file
patterns) and, for apply/rollback, from the real tool run on its own scratch database. Our verbs run
as a user runs them: the `dbm` CLI in a subprocess, from the project's folder.

    PYTHONPATH=$PWD python benchmarks/realworld.py /work/realworld [--json] [--only NAME]
    python benchmarks/realworld.py --extract /work/.mirror /work/realworld
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import realworld_truth as rt  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432"
MY = "mysql://root@127.0.0.1:3306"
NODE = Path(os.environ.get("DBM_NODE_MODULES", "/work/main/.cache/node/node_modules"))
READ_ONLY = {"golang-migrate", "dbmate", "sqlx", "goose"}


@dataclass
class Row:
    project: str
    tool: str
    root: str
    count: int
    scores: dict[str, str] = field(default_factory=dict)  # verb -> pass / FAIL / n/a
    why: dict[str, str] = field(default_factory=dict)


# --- scratch databases -----------------------------------------------------------------------------
class Scratch:
    """A database created for one check and always dropped."""

    def __init__(self, dialect: str, tmp: Path) -> None:
        self.dialect, self.name = dialect, f"dbm_rw_{uuid.uuid4().hex[:10]}"
        if dialect == "sqlite":
            self.path = tmp / f"{self.name}.db"
            self.url = f"sqlite:///{self.path}"
        elif dialect == "mysql":
            _my(f"CREATE DATABASE {self.name}")
            self.url = f"{MY}/{self.name}"
        else:
            _psql("postgres", f"CREATE DATABASE {self.name}")
            self.url = f"{PG}/{self.name}"

    def query(self, sql: str) -> list[tuple]:
        if self.dialect == "sqlite":
            con = sqlite3.connect(self.path)
            try:
                return [tuple(r) for r in con.execute(sql).fetchall()]
            finally:
                con.close()
        if self.dialect == "mysql":
            out = _my(sql, self.name)
            return [tuple(line.split("\t")) for line in out.splitlines() if line]
        out = _psql(self.name, sql)
        return [tuple(line.split("|")) for line in out.splitlines() if line]

    def execute(self, sql: str) -> None:
        if self.dialect == "sqlite":
            con = sqlite3.connect(self.path)
            con.executescript(sql)
            con.commit()
            con.close()
        elif self.dialect == "mysql":
            _my(sql, self.name)
        else:
            _psql(self.name, sql)

    def drop(self) -> None:
        if self.dialect == "postgresql":
            _psql("postgres", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")
        elif self.dialect == "mysql":
            _my(f"DROP DATABASE IF EXISTS {self.name}")


def _psql(db: str, sql: str) -> str:
    cmd = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-AtqX", "-v", "ON_ERROR_STOP=1", "-c", sql]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def _my(sql: str, db: str | None = None) -> str:
    cmd = ["mysql", "-h", "127.0.0.1", "-u", "root", "-N", "-B", *([db] if db else []), "-e", sql]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


# --- running our CLI and the real tools --------------------------------------------------------------
def dbm(args: list[str], cwd: Path, timeout: int = 120) -> tuple[int, str]:
    env = {**os.environ, "DBM_NODE_MODULES": str(NODE)}
    cmd = [sys.executable, "-m", "dbmigrate_magic.cli", *args]
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return 124, "timeout"
    return p.returncode, p.stdout + ("\n" + p.stderr if p.returncode else "")


def _json(text: str) -> object:
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    try:
        return json.loads(text[start:]) if start >= 0 else None
    except ValueError:
        try:
            return json.JSONDecoder().raw_decode(text[start:])[0]
        except ValueError:
            return None


def node(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NODE_PATH": str(NODE), "PATH": f"{NODE / '.bin'}:{os.environ['PATH']}"}
    return subprocess.run(["node", "-e", script], cwd=cwd, capture_output=True, text=True, env=env, timeout=180)


def dialect_of(t: rt.Truth, repo: Path) -> str:
    """The database the project targets, from its config, .env examples or Cargo/go manifests."""
    if t.dialect in ("postgresql", "sqlite", "mysql"):
        return t.dialect
    text = "".join(rt._read(p) for p in [*t.root.glob(".env*"), *repo.glob(".env*"), *t.root.glob("*.toml")])
    text += rt._read(repo / "go.mod") + rt._read(t.root / "Cargo.toml") + rt._read(t.root / "alembic.ini")
    if re.search(r"sqlite", text, re.I) and not re.search(r"postgres", text, re.I):
        return "sqlite"
    if re.search(r"mysql|mariadb", text, re.I) and not re.search(r"postgres", text, re.I):
        return "mysql"
    return "postgresql"


# --- matching our status rows to the truth -----------------------------------------------------------------
def key(tool: str, text: str) -> str:
    """The identity a tool gives a migration, found in our row's name or file."""
    if tool in READ_ONLY:
        m = re.search(r"(?:^|/)0*(\d+)", text)
        return m.group(1) if m else text
    if tool == "django":
        parts = re.split(r"[./: ]+", text.replace(".py", ""))
        return ".".join(parts[-2:])
    if tool == "alembic":
        return Path(text).stem.split("_")[0]
    text = re.sub(r"/migration\.sql$", "", text)
    return Path(text).name.removesuffix(".sql").removesuffix(".ts").removesuffix(".js")


def truth_key(t: rt.Truth, mid: str) -> str:
    return str(int(mid)) if t.tool in READ_ONLY else key(t.tool, mid)


def check_status(t: rt.Truth, url: str, expected: dict[str, str]) -> str:
    """'' when `dbm status` lists exactly the truth's migrations with the expected states."""
    rc, out = dbm(["status", "--format", "json", "--env", url], t.root)
    data = _json(out)
    if not isinstance(data, dict) or "migrations" not in data:
        return f"status rc={rc}: {out.strip().splitlines()[-1][:160] if out.strip() else 'no output'}"
    if (data.get("summary") or {}).get("error"):
        return f"status error: {str(data['summary']['error'])[:160]}"
    got: dict[str, str] = {}
    apps = {m.split(".")[0] for m in t.migrations} if t.tool == "django" else None
    for r in data["migrations"]:
        k = key(t.tool, str(r.get("migration") or r.get("file") or ""))
        if apps is not None and k.split(".")[0] not in apps:
            continue
        got[k] = str(r.get("state"))
    want = {truth_key(t, m): s for m, s in expected.items()}
    if t.tool == "alembic":
        got = {next((w for w in want if w.startswith(k) or k.startswith(w)), k): s for k, s in got.items()}
    if got == want:
        return ""
    missing = [k for k in want if k not in got][:3]
    extra = [k for k in got if k not in want][:3]
    wrong = [f"{k}:{got[k]}!={want[k]}" for k in want if k in got and got[k] != want[k]][:3]
    return f"missing={missing} extra={extra} wrong-state={wrong} (rc={rc})"


# --- seeding a tracking table the way each tool writes it -------------------------------------------------
def seed(t: rt.Truth, db: Scratch, applied: list[str]) -> bool:
    """Record `applied` as the tool itself would after running them; False when we do not know its table."""
    q = "'"
    if t.tool == "prisma":
        db.execute(
            "CREATE TABLE _prisma_migrations (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, "
            "finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, "
            "started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)"
        )
        for m in applied:
            s = hashlib.sha256((t.folder / m / "migration.sql").read_bytes()).hexdigest()
            db.execute(f"INSERT INTO _prisma_migrations VALUES ('{uuid.uuid4()}','{s}',now(),'{m}',NULL,NULL,now(),1)")
        return True
    if t.tool == "knex":
        db.execute(
            "CREATE TABLE knex_migrations (id INTEGER PRIMARY KEY, name VARCHAR(255), batch INTEGER, migration_time TIMESTAMP)"
        )
        for i, m in enumerate(applied, 1):
            db.execute(f"INSERT INTO knex_migrations VALUES ({i}, '{m}', 1, CURRENT_TIMESTAMP)")
        return True
    if t.tool == "typeorm":
        db.execute(
            f"CREATE TABLE {t.table} (id INTEGER PRIMARY KEY, timestamp BIGINT NOT NULL, name VARCHAR(255) NOT NULL)"
        )
        for i, m in enumerate(applied, 1):
            # the truth names a migration as TypeORM records it (class name property); its timestamp ends it
            db.execute(f"INSERT INTO {t.table} VALUES ({i}, {m[-13:]}, '{m}')")
        return True
    if t.tool == "drizzle":
        table = "drizzle.__drizzle_migrations" if db.dialect == "postgresql" else "__drizzle_migrations"
        if db.dialect == "postgresql":
            db.execute("CREATE SCHEMA drizzle")
        db.execute(f"CREATE TABLE {table} (id INTEGER, hash TEXT NOT NULL, created_at BIGINT)")
        for i, m in enumerate(applied, 1):
            h = hashlib.sha256((t.folder / f"{m}.sql").read_bytes()).hexdigest()
            db.execute(f"INSERT INTO {table} VALUES ({i}, '{h}', {t.extra['when'][m]})")  # type: ignore[index]
        return True
    if t.tool == "alembic":
        if not t.extra.get("linear") or not applied:
            return False
        db.execute(
            f"CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('{applied[-1]}')"
        )
        return True
    if t.tool == "django":
        db.execute(
            "CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app VARCHAR(255), name VARCHAR(255), applied TIMESTAMP)"
        )
        for i, m in enumerate(applied, 1):
            app, name = m.split(".", 1)
            db.execute(f"INSERT INTO django_migrations VALUES ({i}, '{app}', '{name}', CURRENT_TIMESTAMP)")
        return True
    if t.tool == "golang-migrate":
        if applied:
            db.execute(
                f"CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, dirty BOOLEAN NOT NULL); INSERT INTO schema_migrations VALUES ({int(applied[-1])}, false)"
            )
        return True
    if t.tool == "dbmate":
        db.execute(f"CREATE TABLE {t.table} (version VARCHAR(128) PRIMARY KEY)")
        for m in applied:
            db.execute(f"INSERT INTO {t.table} VALUES ({q}{m}{q})")
        return True
    if t.tool == "sqlx" and db.dialect == "postgresql":
        db.execute(
            "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)"
        )
        for m in applied:
            f = next(p for p in sorted(t.folder.glob(f"{m}_*.sql")) if not p.name.endswith(".down.sql"))
            desc = rt.SQLX_RE.match(f.name).group(2).replace("_", " ")  # type: ignore[union-attr]
            db.execute(
                f"INSERT INTO _sqlx_migrations VALUES ({int(m)}, '{desc}', now(), true, '\\x{hashlib.sha384(f.read_bytes()).hexdigest()}', 1)"
            )
        return True
    return False


# --- apply and rollback with the real tool -----------------------------------------------------------------
def tracking(t: rt.Truth, db: Scratch) -> list[tuple]:
    """The tracking table, without the columns that hold times or generated ids."""
    sql = {
        "prisma": "SELECT migration_name, checksum, finished_at IS NOT NULL, rolled_back_at IS NULL FROM _prisma_migrations ORDER BY 1",
        "knex": "SELECT name, batch FROM knex_migrations ORDER BY id",
        "typeorm": f"SELECT timestamp, name FROM {t.table} ORDER BY id",
        "drizzle": "SELECT hash, created_at FROM "
        + ("drizzle.__drizzle_migrations" if db.dialect == "postgresql" else "__drizzle_migrations")
        + " ORDER BY created_at",
        "django": "SELECT app, name FROM django_migrations ORDER BY app, name",
        "alembic": "SELECT version_num FROM alembic_version ORDER BY 1",
    }[t.tool]
    try:
        return [tuple(str(v) for v in r) for r in db.query(sql)]
    except (subprocess.CalledProcessError, sqlite3.Error):
        return []


def knex_run(t: rt.Truth, db: Scratch, verb: str) -> subprocess.CompletedProcess[str]:
    """Knex's own ``migrate.<verb>()`` (latest, rollback) on ``db`` with the project's folder."""
    client = {"postgresql": "pg", "sqlite": "better-sqlite3", "mysql": "mysql2"}[db.dialect]
    conn = json.dumps({"filename": str(db.path)} if db.dialect == "sqlite" else db.url)
    js = (
        f"const k=require('knex')({{client:'{client}',connection:{conn},useNullAsDefault:true,"
        f"migrations:{{directory:{json.dumps(str(t.folder))},loadExtensions:['.js','.ts','.cjs']}}}});"
        f"k.migrate.{verb}().then(()=>k.destroy()).catch(e=>{{console.error(String(e));k.destroy();process.exitCode=1}})"
    )
    return node(js, t.root)


def tool_apply(t: rt.Truth, db: Scratch, tmp: Path) -> str:
    """Run the project's migrations with the real tool; '' on success, else why it cannot run here."""
    if (
        t.tool == "prisma"
    ):  # the CLI cannot fetch its engine here: record what it records (its documented _prisma_migrations rows)
        rows = "".join(
            f"INSERT INTO _prisma_migrations VALUES ('{uuid.uuid4()}','{hashlib.sha256((t.folder / m / 'migration.sql').read_bytes()).hexdigest()}',now(),'{m}',NULL,NULL,now(),1);"
            for m in t.migrations
        )
        seed(t, db, [])
        db.execute(rows or "SELECT 1")
        for m in t.migrations:
            db.execute((t.folder / m / "migration.sql").read_text())
        return ""
    if t.tool == "knex":
        p = knex_run(t, db, "latest")
        return "" if p.returncode == 0 else f"knex: {p.stderr.strip()[:200]}"
    if t.tool == "drizzle":
        cfg = tmp / "drizzle.rw.config.json"
        creds = {"url": db.url} if db.dialect != "sqlite" else {"url": str(db.path)}
        cfg.write_text(json.dumps({"dialect": db.dialect, "out": str(t.folder), "dbCredentials": creds}))
        p = subprocess.run([str(NODE / ".bin/drizzle-kit"), "migrate", "--config", str(cfg)], cwd=t.root,
                           capture_output=True, text=True, timeout=180)  # fmt: skip
        return "" if p.returncode == 0 else f"drizzle-kit: {(p.stdout + p.stderr).strip()[-200:]}"
    if t.tool == "django":
        return "n/a: Django settings use a file database; apply compared via dbm only"  # see run_apply
    if t.tool == "typeorm":
        return "n/a: the project's migrations import its own TypeScript modules/tsconfig (not extracted)"
    if t.tool == "alembic":
        return (
            "n/a: env.py imports the application ("
            + ("flask current_app" if t.extra.get("flask_migrate") else "its models")
            + "), not extracted"
        )
    return "n/a"


def run_project(repo: Path, t: rt.Truth, row: Row, tmp: Path) -> None:
    # detect, from the repository root, as a new user would first run it
    rc, out = dbm(["detect", "--format", "json"], repo)
    d = _json(out)
    # (the folder a project's paths are relative to, the project): the root's own, then those listed
    # below it (a monorepo), whose "path" is relative to the root
    entries: list[tuple[Path, dict]] = []
    if isinstance(d, dict):
        top = repo / str(d.get("root") or repo)
        entries.append((top, d))
        entries += [(top / str(p.get("path") or "."), p) for p in d.get("projects") or [] if isinstance(p, dict)]
    ok = False
    for base, e in entries:
        folder = e.get("migrations_dir")
        if e.get("tool") != t.tool or not folder:
            continue
        accepted = {t.folder.resolve(), (t.folder / "versions").resolve()}  # Alembic: script dir or its versions/
        if t.tool == "django":  # Django's truth is the manage.py folder; its apps' migrations/ lie below it
            named = [f.strip() for f in str(folder).split(",") if f.strip()]
            apps = all(f == "*/migrations" or (f.endswith("migrations") and (base / f).is_dir()) for f in named)
            ok = ok or (base.resolve() == t.root.resolve() and bool(named) and apps)
            continue
        ok = ok or (base / folder).resolve() in accepted
    row.scores["detect"] = "pass" if ok else "FAIL"
    if not ok:
        row.why["detect"] = (
            f"got tool={d.get('tool') if isinstance(d, dict) else None} dir={d.get('migrations_dir') if isinstance(d, dict) else out[-120:]}"
        )

    if t.tool == "goose":  # not a tool dbm reads: only detect is scored (raw SQL must not claim the folder)
        for v in ("status", "apply", "rollback"):
            row.scores[v] = "n/a"
        row.why["status"] = "goose is not supported by dbm; scored on detect only"
        return
    dialect = dialect_of(t, repo)
    # status: an empty database (all pending), then half applied as the tool records it
    db = Scratch(dialect, tmp)
    try:
        why = check_status(t, db.url, {m: "pending" for m in t.migrations})
        if not why:
            half = t.migrations[: len(t.migrations) // 2 or (1 if len(t.migrations) > 1 else 0)]
            db2 = Scratch(dialect, tmp)
            try:
                if seed(t, db2, half):
                    why = check_status(t, db2.url, {m: ("applied" if m in half else "pending") for m in t.migrations})
                    why = f"half-applied: {why}" if why else ""
            finally:
                db2.drop()
        row.scores["status"] = "FAIL" if why else "pass"
        if why:
            row.why["status"] = f"[{dialect}] {why}"
    finally:
        db.drop()

    if t.tool in READ_ONLY:
        for v in ("apply", "rollback"):
            row.scores[v] = "n/a"
        row.why["apply"] = f"{t.tool} binary not installed here; dbm reads it read-only"
        return
    run_apply(t, row, tmp, dialect)


def run_apply(t: rt.Truth, row: Row, tmp: Path, dialect: str) -> None:
    truth_db, ours = Scratch(dialect, tmp), Scratch(dialect, tmp)
    link = t.root / "node_modules"  # as after `npm install`: the pinned tools stand in for the project's own
    linked = t.tool in ("knex", "typeorm", "drizzle", "prisma") and not link.exists()
    if linked:
        link.symlink_to(NODE)
    try:
        why = tool_apply(t, truth_db, tmp)
        if why:
            row.scores["apply"] = row.scores["rollback"] = "n/a"
            row.why["apply"] = why
            return
        expected = tracking(t, truth_db)
        rc, out = dbm(["migrate", "--yes", "--env", ours.url], t.root, timeout=300)
        got = tracking(t, ours)
        if rc == 0 and got == expected and len(expected) == len(t.migrations):
            row.scores["apply"] = "pass"
        else:
            row.scores["apply"] = "FAIL"
            last = out.strip().splitlines()[-1][:160] if out.strip() else ""
            row.why["apply"] = (
                f"rc={rc} rows {len(got)}/{len(expected)} {'equal' if got == expected else 'differ'}: {last}"
            )
        # rollback: one step of the tool's own semantics
        before = got
        if not t.migrations:
            row.scores["rollback"] = "n/a"
            row.why["rollback"] = "no migrations"
            return
        if row.scores["apply"] != "pass":
            row.scores["rollback"] = "n/a"
            row.why["rollback"] = "not scored: apply failed"
            return
        rc, out = dbm(["rollback", "--yes", "--env", ours.url], t.root, timeout=300)
        after = tracking(t, ours)
        tool_failed = ""
        no_down = t.tool in ("prisma", "drizzle") and not any(t.folder.rglob("down.sql"))
        if no_down:
            want = before  # the tool has no down migrations: a refusal that changes nothing
            ok = rc != 0 and after == want
        elif t.tool == "knex":  # Knex's own rollback on the truth database says what is right
            knex = knex_run(t, truth_db, "rollback")
            want = tracking(t, truth_db)
            if knex.returncode != 0:  # the project's own down code fails under Knex too: refusing is right
                ok = rc != 0 and after == want == before
                tool_failed = f"knex migrate:rollback fails too ({knex.stderr.strip().splitlines()[-1][:100]})"
            else:
                last_batch = max((int(r[1]) for r in before), default=0)
                ok = rc == 0 and after == want == [r for r in before if int(r[1]) != last_batch]
        elif t.tool == "typeorm":
            want = before[:-1]
            ok = rc == 0 and after == want
        else:
            want, ok = [], False
        row.scores["rollback"] = "pass" if ok else "FAIL"
        if ok and tool_failed:
            row.why["rollback"] = f"pass: the tool's own failure, reported as such: {tool_failed}"
        if not ok:
            row.why["rollback"] = (
                f"rc={rc} rows {len(before)}->{len(after)} want {len(want)}: {out.strip().splitlines()[-1][:140] if out.strip() else ''}"
            )
    finally:
        if linked:
            link.unlink()
        truth_db.drop()
        ours.drop()


# --- extraction ------------------------------------------------------------------------------------------
def extract(mirrors: Path, dest: Path, listing: Path) -> None:
    """Copy only the listed paths of each repository's HEAD out of its bare git directory."""
    for line in listing.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        repo, *paths = line.split()
        git = mirrors / repo.replace("/", "+") / "repo"
        target = dest / repo.replace("/", "__")
        names = subprocess.run(["git", "--git-dir", str(git), "ls-tree", "-r", "--name-only", "HEAD", "--", *paths],
                               capture_output=True, text=True).stdout.split()  # fmt: skip
        for name in names:
            blob = subprocess.run(
                ["git", "--git-dir", str(git), "cat-file", "blob", f"HEAD:{name}"], capture_output=True
            )
            if blob.returncode == 0:
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                (target / name).write_bytes(blob.stdout)
        print(f"{repo}: {len(names)} files")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", type=Path, nargs="?")
    ap.add_argument("--extract", nargs=2, type=Path, metavar=("MIRRORS", "DEST"))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    if a.extract:
        extract(a.extract[0], a.extract[1], Path(__file__).with_name("realworld_projects.txt"))
        return 0
    if not a.projects:
        ap.error("give the folder of extracted projects")
    rows: list[Row] = []
    started = time.time()
    with tempfile.TemporaryDirectory() as tmpdir:
        for repo in sorted(p for p in a.projects.iterdir() if p.is_dir() and a.only in p.name):
            for t in rt.find(repo):
                rel = str(t.root.relative_to(repo)) if t.root != repo else "."
                row = Row(repo.name, t.tool, rel, len(t.migrations))
                try:
                    run_project(repo, t, row, Path(tmpdir))
                except Exception as exc:  # a crash of the harness for one project must not hide the others
                    row.why["harness"] = f"{type(exc).__name__}: {str(exc)[:160]}"
                    for v in ("detect", "status", "apply", "rollback"):
                        row.scores.setdefault(v, "FAIL")
                rows.append(row)
                if not a.json:
                    print(f"{row.project[:44]:44} {row.tool:14} {row.root[:22]:22} {row.count:4} "
                          + " ".join(f"{v}={row.scores.get(v, '-'):4}" for v in ("detect", "status", "apply", "rollback")),
                          flush=True)  # fmt: skip
    totals = summarize(rows)
    if a.json:
        print(
            json.dumps(
                {"rows": [r.__dict__ for r in rows], "scores": totals, "seconds": round(time.time() - started)},
                indent=2,
            )
        )
    else:
        print()
        for r in rows:
            for v, w in r.why.items():
                print(f"  {r.project} [{r.tool} {r.root}] {v}: {w}")
        print()
        for scope, s in totals.items():
            print(f"{scope:16} " + "  ".join(f"{v} {s[v]}" for v in ("detect", "status", "apply", "rollback")))
        print(f"({round(time.time() - started)} s)")
    return 0


def summarize(rows: list[Row]) -> dict[str, dict[str, str]]:
    """pass / counted per verb, overall and per tool; n/a is not counted."""
    out: dict[str, dict[str, str]] = {}
    for scope in ["overall", *sorted({r.tool for r in rows})]:
        sel = [r for r in rows if scope == "overall" or r.tool == scope]
        out[scope] = {}
        for v in ("detect", "status", "apply", "rollback"):
            counted = [r for r in sel if r.scores.get(v) in ("pass", "FAIL")]
            out[scope][v] = f"{sum(r.scores[v] == 'pass' for r in counted)}/{len(counted)}"
    return out


if __name__ == "__main__":
    raise SystemExit(main())
