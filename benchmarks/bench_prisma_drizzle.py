"""Prisma and Drizzle: ``dbm`` against drizzle-kit on the same projects, as ratios in one run.

1. apply N small Drizzle migrations to an empty SQLite database: ``dbm migrate --yes`` vs
   ``drizzle-kit migrate`` (both whole processes);
2. status of a 2,000-migration Drizzle project, all applied: ``dbm status`` vs ``drizzle-kit migrate``
   finding nothing to do (drizzle-kit has no status command; this is how a user checks);
3. status of a 2,000-migration Prisma project: ``dbm status`` alone (the Prisma CLI cannot fetch its
   engine here, so there is no ``prisma migrate status`` to compare with).

Run: /work/venv/bin/python benchmarks/bench_prisma_drizzle.py [--apply N] [--status N] [--runs R]
Needs node and DBM_NODE_MODULES (drizzle-kit 0.31, better-sqlite3) for the drizzle-kit side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = Path(os.environ.get("DBM_NODE_MODULES", REPO / ".cache" / "node" / "node_modules"))
ENV = dict(os.environ, PYTHONPATH=str(REPO))


def timed(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def dbm(*args: str) -> list[str]:
    return [sys.executable, "-m", "dbmigrate_magic", *args]


def drizzle_project(root: Path, n: int) -> None:
    """N journal entries as drizzle-kit writes them (snapshots are not read by the migrator)."""
    out = root / "drizzle"
    (out / "meta").mkdir(parents=True)
    (root / "drizzle.config.ts").write_text(
        'export default { dialect: "sqlite", out: "./drizzle", dbCredentials: { url: "./app.db" } };\n'
    )
    (root / "node_modules").symlink_to(NODE_MODULES)
    start = 1_700_000_000_000
    entries = []
    for i in range(n):
        tag = f"{i:04d}_step_{i}"
        (out / f"{tag}.sql").write_text(
            f"CREATE TABLE `t{i}` (\n\t`id` integer PRIMARY KEY NOT NULL\n);\n"
            f"--> statement-breakpoint\nINSERT INTO `t{i}` VALUES ({i});"
        )
        entries.append({"idx": i, "version": "6", "when": start + i * 1000, "tag": tag, "breakpoints": True})
    (out / "meta" / "_journal.json").write_text(
        json.dumps({"version": "7", "dialect": "sqlite", "entries": entries}, indent=2)
    )


def prisma_project(root: Path, n: int) -> None:
    migrations = root / "prisma" / "migrations"
    migrations.mkdir(parents=True)
    (root / "prisma" / "schema.prisma").write_text(
        'datasource db {\n  provider = "sqlite"\n  url = env("DATABASE_URL")\n}\n'
    )
    (root / ".env").write_text("DATABASE_URL=file:./app.db\n")
    db = sqlite3.connect(root / "app.db")
    db.execute(
        'CREATE TABLE "_prisma_migrations" ("id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, '
        '"finished_at" DATETIME, "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME, '
        '"started_at" DATETIME NOT NULL DEFAULT current_timestamp, '
        '"applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)'
    )
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    for i in range(n):
        name = (dt.datetime(2020, 1, 1) + dt.timedelta(minutes=i)).strftime("%Y%m%d%H%M%S") + f"_step_{i}"
        (migrations / name).mkdir()
        data = f"CREATE TABLE t{i} (id INTEGER);\n".encode()
        (migrations / name / "migration.sql").write_bytes(data)
        db.execute(
            "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, "
            "applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)",
            (str(uuid.uuid4()), hashlib.sha256(data).hexdigest(), now, name, now),
        )
    db.commit()
    db.close()


def median_of(runs: int, prepare, cmd, cwd) -> float:
    times = []
    for _ in range(runs):
        prepare()
        times.append(timed(cmd, cwd))
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--apply", type=int, default=1000)
    ap.add_argument("--status", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    kit = NODE_MODULES / ".bin" / "drizzle-kit"
    if not kit.exists():
        raise SystemExit(f"drizzle-kit not found in {NODE_MODULES}; set DBM_NODE_MODULES")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "apply"
        drizzle_project(root, args.apply)
        reset = lambda: (root / "app.db").unlink(missing_ok=True)  # noqa: E731
        ours = median_of(args.runs, reset, dbm("migrate", str(root), "--yes"), root)
        theirs = median_of(args.runs, reset, [str(kit), "migrate"], root)
        print(
            f"apply {args.apply} Drizzle migrations, SQLite: dbm migrate {ours:.2f}s, drizzle-kit migrate "
            f"{theirs:.2f}s, ratio dbm/drizzle-kit {ours / theirs:.2f}"
        )

        root = Path(tmp) / "status"
        drizzle_project(root, args.status)
        subprocess.run([str(kit), "migrate"], cwd=root, env=ENV, capture_output=True, check=True)
        noop = lambda: None  # noqa: E731
        ours = median_of(args.runs, noop, dbm("status", str(root)), root)
        theirs = median_of(args.runs, noop, [str(kit), "migrate"], root)
        print(
            f"status of {args.status} applied Drizzle migrations: dbm status {ours:.2f}s, drizzle-kit migrate "
            f"(no-op check) {theirs:.2f}s, ratio dbm/drizzle-kit {ours / theirs:.2f}"
        )

        root = Path(tmp) / "prisma"
        prisma_project(root, args.status)
        ours = median_of(args.runs, noop, dbm("status", str(root)), root)
        print(
            f"status of {args.status} applied Prisma migrations: dbm status {ours:.2f}s "
            "(no Prisma CLI here to compare with)"
        )
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
