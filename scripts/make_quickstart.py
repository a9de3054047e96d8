"""Regenerate notebooks/01_quickstart.ipynb (no outputs): ``python scripts/make_quickstart.py``.

The quick start needs no server: it works on examples/rawsql_app (SQLite via its .env). The
detect and env cells come first; later verbs append their cells below ``LATER``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_notebook import write  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
APP = "../examples/rawsql_app"

CELLS: list[tuple[str, str]] = [
    (
        "md",
        "# Quick start: a raw-SQL project on SQLite\n\n"
        "This runbook needs no server. It works on the sample project in `examples/rawsql_app` (a "
        "`migrations/` folder and `.env` files pointing at SQLite files). Re-running it changes nothing twice, "
        "and no password is ever shown: every URL passes through one masking function.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "md",
        "## Which tool does the project use?\n"
        "`detect` reports the tool, the files that prove it, the migrations folder and how many migrations it "
        "holds, and the connection it found (masked) with where it came from. Without a path it looks in the "
        "notebook's folder, walking up to the repository root.",
    ),
    (
        "code",
        f"detected = %dbm detect {APP}\nassert detected.tool == 'rawsql' and detected.migration_count == 2, detected\ndetected",
    ),
    ("md", "The same result as a DataFrame, for when you want to keep or compare it:"),
    (
        "code",
        f"%dbm detect {APP} --df found\n"
        "assert list(found.tool) == ['rawsql'] and list(found.dialect) == ['sqlite'], found\n"
        'found[["tool", "migrations_dir", "migration_count", "dialect"]]',
    ),
    (
        "md",
        "## Environments\n"
        "`env` lists every connection found in `.env*` files, the tool's own config and the process "
        "environment, each masked, with its source, and whether it counts as production (named production, "
        "prod or live, or `DBM_ENV=production`).",
    ),
    (
        "code",
        f"envs = %dbm env --project {APP}\n"
        "assert {'development', 'staging'} <= {e.name for e in envs.environments}, envs\n"
        "assert not any(e.production for e in envs.environments if e.name in ('development', 'staging')), envs\n"
        "envs",
    ),
    (
        "md",
        "`env NAME` makes an environment the active one for the verbs that follow in this notebook "
        "(`%config Dbm.default_env = 'staging'` does the same for every notebook of a profile). "
        "Here we look at staging, then go back to development.",
    ),
    (
        "code",
        f"%dbm env staging --project {APP}\ndetected = %dbm detect {APP}\n"
        "assert detected.environment == 'staging', detected\ndetected",
    ),
    (
        "code",
        f"envs = %dbm env development --project {APP}\nassert envs.active == 'development', envs\nenvs",
    ),
    ("md", "## History\n`status` shows every migration with its state; `--df` also stores it as a DataFrame."),
    (
        "code",
        f"%dbm status {APP} --df history\n"
        "assert len(history) == 2 and set(history.state) <= {'applied', 'pending'}, history\n"
        'history[["migration", "state"]]',
    ),
    (
        "md",
        "## Apply\n`migrate --dry-run` shows the preview: the exact SQL of each pending migration, the target "
        "environment and whether it is production, and any lint findings. Nothing runs without a confirmation: "
        "`--yes` here (development), `--confirm <envname>` in production, or the Apply button in a live notebook.",
    ),
    (
        "code",
        f"result = %dbm migrate {APP} --dry-run\n"
        "assert result.status in ('dry run', 'up to date'), result.message  # up to date on a re-run\nresult",
    ),
    (
        "code",
        f"result = %dbm migrate {APP} --yes\nassert result.status in ('applied', 'up to date'), result.message\nresult",
    ),
    ("md", "Running the cell above again applies nothing twice: the database is up to date."),
    (
        "code",
        f"status = %dbm status {APP}\n"
        "assert status.position == 'up to date' and {r.state for r in status.rows} == {'applied'}, status\n"
        "status",
    ),
]


def main() -> int:
    target = REPO / "notebooks" / "01_quickstart.ipynb"
    write(target, CELLS)
    print(f"wrote {target.relative_to(REPO)} ({len(CELLS)} cells, no outputs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
