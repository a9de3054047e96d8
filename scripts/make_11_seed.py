"""Generate notebooks/11_seed.ipynb (no outputs): seed a SQLite table from a DataFrame, twice."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_notebook import write  # noqa: E402

CELLS = [
    (
        "md",
        "# Seed data from a DataFrame\n\n"
        "Reference rows (plans, countries, feature flags) kept next to the migrations and loaded the same way "
        "into every environment. A throwaway SQLite file, so re-running the runbook starts from scratch.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "code",
        """import sqlite3, tempfile
from pathlib import Path
import pandas as pd

proj = Path(tempfile.mkdtemp(prefix="dbm_seed_demo_"))
(proj / ".env").write_text("DATABASE_URL=sqlite:///app.db\\n")
con = sqlite3.connect(proj / "app.db")
con.execute("CREATE TABLE plans (code TEXT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC, features JSON)")
con.commit(); con.close()
plans = pd.DataFrame({
    "code": ["free", "pro", "team"],
    "name": ["Free", "Pro", "Team"],
    "price": [0, 12.5, None],
    "features": [{"seats": 1}, {"seats": 1, "api": True}, {"seats": 10, "api": True}],
})
plans""",
    ),
    (
        "md",
        "## Preview\nWithout `--yes` nothing is written: the seed is rehearsed in a transaction that is rolled back, "
        "so the counts and the SQL are the real ones (values are bound, never pasted into the SQL).",
    ),
    (
        "code",
        "preview = %dbm seed --project {proj} --table plans --from plans --dry-run\n"
        "assert preview.status == 'dry run' and preview.totals['inserted'] == 3, preview.message\npreview",
    ),
    ("md", "## Seed\nRows are upserted by the table's primary key (`--key` names other key columns)."),
    (
        "code",
        "first = %dbm seed --project {proj} --table plans --from plans --yes --df counts\n"
        "assert first.status == 'seeded' and first.totals['inserted'] == 3, first.message\ncounts",
    ),
    ("md", "## Run it again: nothing changes\nEvery row is already there, so every row counts as unchanged."),
    (
        "code",
        "again = %dbm seed --project {proj} --table plans --from plans --yes --df counts\n"
        "assert again.totals == {'rows': 3, 'inserted': 0, 'updated': 0, 'unchanged': 3, 'deleted': 0}, again.totals\n"
        "counts",
    ),
    ("md", "## Change one row\nOnly the changed row is written."),
    (
        "code",
        "plans.loc[plans.code == 'team', 'price'] = 49\n"
        "changed = %dbm seed --project {proj} --table plans --from plans --yes\n"
        "assert (changed.totals['updated'], changed.totals['unchanged']) == (1, 2), changed.totals\nchanged",
    ),
    (
        "code",
        """con = sqlite3.connect(proj / "app.db")
rows = con.execute("SELECT code, price FROM plans ORDER BY code").fetchall(); con.close()
assert rows == [("free", 0), ("pro", 12.5), ("team", 49)], rows
rows""",
    ),
    ("code", "import shutil\nshutil.rmtree(proj)"),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "notebooks" / "11_seed.ipynb", CELLS)
