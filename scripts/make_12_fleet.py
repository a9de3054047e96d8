"""Generate notebooks/12_fleet.ipynb (no outputs): a fleet of SQLite tenant files, canary first."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_notebook import write  # noqa: E402

CELLS = [
    (
        "md",
        "# A fleet: the same migrations on every tenant, canaries first\n\n"
        "Six tenants, one SQLite file each, listed in `fleet.toml` in a throwaway copy of a raw-SQL project "
        "(no server needed; re-running starts from scratch). The matrix shows every tenant's migrations "
        "before and after; two canaries run alone first, the other four only after they succeeded.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "code",
        """import shutil, sqlite3, tempfile
from pathlib import Path

proj = Path(tempfile.mkdtemp(prefix="dbm_fleet_demo_"))
shutil.copytree(Path("../examples/rawsql_app/migrations"), proj / "migrations")
tenants = ["acme", "globex", "initech", "umbrella", "hooli", "wayne"]
lines = ['name = "tenants"']
for t in tenants:
    lines += ["[[targets]]", f'name = "{t}"', f'url = "sqlite:///{proj / t}.db"']
(proj / "fleet.toml").write_text("\\n".join(lines) + "\\n")
print((proj / "fleet.toml").read_text()[:160], "...")""",
    ),
    (
        "md",
        "## The matrix before\nOne row per tenant, one column per migration, the state read from each tenant's "
        "own tracking table. `--df` keeps it as a DataFrame.",
    ),
    (
        "code",
        "before = %dbm status --project {proj} --fleet --df matrix\n"
        "assert before.totals == {'behind': 6}, before.totals\nbefore",
    ),
    (
        "md",
        "## Preview once, then two canaries\n`--canary 2` runs the first two pending tenants alone. Without "
        "`--yes` nothing runs yet: the preview shows the SQL once (it is the same for every tenant).",
    ),
    (
        "code",
        "%dbm migrate --project {proj} --fleet --canary 2 --parallel 2",
    ),
    (
        "md",
        "In a live notebook the Apply button under the preview confirms it. Here the same call goes through "
        "Python, whose result's `confirm()` is what the button calls: it runs the canaries and stops, the "
        "other tenants wait for a second confirmation.",
    ),
    (
        "code",
        "from dbmigrate_magic import api\n\n"
        "preview = api.migrate(proj, fleet='fleet.toml', canary=2, parallel=2)\n"
        "assert preview.status == 'awaiting confirmation' and preview.totals == {'pending': 6}, preview.message",
    ),
    (
        "code",
        "canaries = preview.confirm('y')\n"
        "assert canaries.status == 'awaiting confirmation', canaries.message\n"
        "assert [t.target for t in canaries.targets if t.state == 'applied'] == ['acme', 'globex']\ncanaries",
    ),
    ("md", "## The matrix after the canaries\nTwo tenants up to date, four behind: exactly what their files say."),
    (
        "code",
        "middle = %dbm status --project {proj} --fleet --df matrix\n"
        "assert middle.totals == {'behind': 4, 'up to date': 2}, middle.totals\n"
        "recorded = {t: sqlite3.connect(proj / f'{t}.db').execute(\n"
        "    \"SELECT count(*) FROM sqlite_master WHERE name = '_migrations'\").fetchone()[0] for t in tenants}\n"
        "assert recorded == {t: int(t in ('acme', 'globex')) for t in tenants}, recorded\n"
        "matrix",
    ),
    ("md", "## The rest, two at a time"),
    (
        "code",
        "done = canaries.confirm('y')\nassert done.status == 'applied', done.message\ndone",
    ),
    (
        "code",
        "after = %dbm status --project {proj} --fleet --df matrix\n"
        "assert after.totals == {'up to date': 6}, after.totals\n"
        "assert (matrix.drop(columns=['target', 'schema', 'summary', 'current']) == 'applied').all().all()\n"
        "matrix",
    ),
    (
        "md",
        "## Running it again applies nothing\nEach tenant's tracking table is the truth: a rerun (after an "
        "interruption too) skips what is done.",
    ),
    (
        "code",
        "again = %dbm migrate --project {proj} --fleet --yes\n"
        "assert again.status == 'up to date', again.message\nagain",
    ),
    ("code", "shutil.rmtree(proj)"),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "notebooks" / "12_fleet.ipynb", CELLS)
