"""Alembic, N revisions: ``dbm migrate --yes`` / ``dbm rollback --yes`` against ``alembic upgrade head`` /
``alembic downgrade base`` on the same project, whole processes, alternating (A B A B ...).

Rows of issue 18: apply 1,000 Alembic revisions (PostgreSQL, SQLite), roll them back, and the dry run
(``dbm migrate --dry-run``: the whole preview, nothing applied). Each round uses fresh databases; the
floor is the same SQL and bookkeeping in ONE session (``psql -f`` / Python's sqlite3), as in
bench_migrate.py. Peak RSS of each child is printed beside its time.

    python benchmarks/bench_alembic.py [--n 1000] [--runs 3] [--dialects postgresql,sqlite] [--baseline CHECKOUT]

``--baseline`` times the dbm commands of another checkout (e.g. main before a change) in the same rounds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _child import Run, alternate, cpu_ratio, load, ratio, run_child  # noqa: E402
from bench_migrate import ENV, SQLITE_FLOOR, pg_database, psql_script, write_alembic  # noqa: E402

PY = sys.executable


def version_rows(url: str) -> int:
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as c:
            if not inspect(c).has_table("alembic_version"):
                return 0
            return c.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar() or 0
    finally:
        engine.dispose()


class Round:
    """One fresh database and project per contender; the runs of one round share nothing."""

    def __init__(self, dialect: str, n: int, tmp: Path):
        self.dialect, self.n, self.tmp = dialect, n, tmp
        self.drops: list = []

    def database(self, work: Path) -> tuple[str, object]:
        if self.dialect == "postgresql":
            url, parsed, drop = pg_database()
            self.drops.append(drop)
            return url, parsed
        return f"sqlite:///{work / 'bench.db'}", None

    def project(self) -> tuple[Path, str, object]:
        work = self.tmp / f"{self.dialect}_{uuid.uuid4().hex[:8]}"
        work.mkdir()
        url, parsed = self.database(work)
        write_alembic(work, self.n, url)
        (work / ".env").write_text(f"DATABASE_URL={url}\n")
        return work, url, parsed

    def close(self) -> None:
        for drop in self.drops:
            drop()
        self.drops.clear()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dialects", default="postgresql,sqlite")
    parser.add_argument("--baseline", help="another checkout of the repository to time in the same rounds")
    args = parser.parse_args()
    n = args.n
    print(f"Alembic, {n} revisions; median of {args.runs} alternating runs, whole processes ({load()})")
    with tempfile.TemporaryDirectory(prefix="dbm_bench_") as tmp:
        for dialect in args.dialects.split(","):
            rnd = Round(dialect, n, Path(tmp))
            state: dict[str, Path] = {}

            def tool_up() -> Run:
                work, url, _ = rnd.project()
                state["tool"] = work
                run = run_child([PY, "-m", "alembic", "upgrade", "head"], work, ENV)
                assert version_rows(url) == 1
                return run

            def tool_down() -> Run:
                return run_child([PY, "-m", "alembic", "downgrade", "base"], state["tool"], ENV)

            def ours(env: dict[str, str], tag: str):
                def dry() -> Run:
                    work, _, _ = rnd.project()
                    state[tag] = work
                    return run_child([PY, "-m", "dbmigrate_magic", "migrate", "--dry-run"], work, env, ok=(0, 1))

                def up() -> Run:
                    return run_child([PY, "-m", "dbmigrate_magic", "migrate", "--yes"], state[tag], env)

                def down() -> Run:
                    cmd = [PY, "-m", "dbmigrate_magic", "rollback", "--steps", str(n), "--yes"]
                    return run_child(cmd, state[tag], env)

                return dry, up, down

            def floor() -> Run:
                work = Path(tmp) / f"floor_{uuid.uuid4().hex[:8]}"
                work.mkdir()
                url, parsed = rnd.database(work)
                if dialect == "postgresql":
                    script = work / "floor.sql"
                    script.write_text(psql_script(n))
                    cmd = ["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", parsed.host or "127.0.0.1"]
                    cmd += ["-p", str(parsed.port or 5432), "-U", parsed.username or "postgres", "-d", parsed.database]
                    return run_child([*cmd, "-f", str(script)], env=ENV)
                prog = work / "floor.py"
                prog.write_text(SQLITE_FLOOR)
                return run_child([PY, str(prog), str(n), str(work / "bench.db")])

            dry, up, down = ours(ENV, "ours")
            contenders = {
                "alembic upgrade head": tool_up,
                "dbm migrate --dry-run (preview only)": dry,
                "dbm migrate --yes": up,
                "alembic downgrade base": tool_down,
                f"dbm rollback --steps {n} --yes": down,
                "floor (one session)": floor,
            }
            if args.baseline:  # the same commands from another checkout (before a change), same rounds
                base_env = dict(ENV, PYTHONPATH=str(Path(args.baseline).resolve()))
                dry, up, down = ours(base_env, "base")
                contenders |= {
                    "baseline: dbm migrate --dry-run": dry,
                    "baseline: dbm migrate --yes": up,
                    f"baseline: dbm rollback --steps {n} --yes": down,
                }
            try:
                s = alternate(contenders, args.runs)
            finally:
                rnd.close()
            print(f"\n{dialect}:")
            for series in s.values():
                print(series.line())
            tool_up_s, tool_down_s, floor_s = (
                s["alembic upgrade head"],
                s["alembic downgrade base"],
                s["floor (one session)"],
            )

            def ratios(prefix: str) -> str:
                mig, dry = (
                    s[f"{prefix}dbm migrate --yes"],
                    s[f"{prefix}dbm migrate --dry-run" + ("" if prefix else " (preview only)")],
                )
                back = s[f"{prefix}dbm rollback --steps {n} --yes"]
                return (
                    f"migrate / alembic upgrade = {ratio(mig, tool_up_s)}; migrate / floor = {ratio(mig, floor_s)}; "
                    f"dry run / alembic upgrade = {ratio(dry, tool_up_s)}; rollback / alembic downgrade = "
                    f"{ratio(back, tool_down_s)}\n    CPU seconds: migrate {cpu_ratio(mig, tool_up_s)}, dry run "
                    f"{cpu_ratio(dry, tool_up_s)}, rollback {cpu_ratio(back, tool_down_s)}"
                )

            print(f"  this checkout: {ratios('')}")
            if args.baseline:
                print(f"  baseline:      {ratios('baseline: ')}")
            print(f"  ({load()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
