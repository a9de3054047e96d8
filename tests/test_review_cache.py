"""The preview's review cache (.dbm/cache): a second preview shows exactly what the first showed,
an edited migration is reviewed again, and the cache holds digests only, never SQL or a secret."""

from __future__ import annotations

import json

from tests.helpers import make_project

PLANTED = "Pl4nted-Secret-9271"
CLEAN = "-- UP\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n\n-- DOWN\nDROP TABLE users;\n"
SEED = (
    f"-- UP\nINSERT INTO users (id, email) VALUES (1, 'admin {PLANTED}');\n\n-- DOWN\nDELETE FROM users WHERE id = 1;\n"
)
RENAME = (
    "-- UP\nALTER TABLE users RENAME COLUMN email TO email_address;\n\n-- DOWN\n"
    "ALTER TABLE users RENAME COLUMN email_address TO email;\n"
)


def _preview(run_dbm, project) -> dict:
    out = run_dbm("migrate", "--dry-run", "--format", "json", cwd=project)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)["preview"]


def _seen(preview: dict) -> tuple:
    return preview["findings"], preview["guard_notes"], preview["blocking"], [s["sql"] for s in preview["steps"]]


def test_second_preview_shows_the_same_and_edits_are_reviewed_again(tmp_path, run_dbm):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    project = make_project(
        tmp_path / "app",
        url,
        {"20250101000000_users.sql": CLEAN, "20250102000000_seed.sql": SEED, "20250103000000_rename.sql": RENAME},
    )
    cold = _preview(run_dbm, project)
    assert [f["rule"] for f in cold["findings"]] == ["renaming-column"]
    cache = project / ".dbm" / "cache" / "review-clean.txt"
    assert cache.is_file() and (project / ".dbm" / ".gitignore").read_text() == "*\n"
    warm = _preview(run_dbm, project)
    assert _seen(warm) == _seen(cold)  # the same findings, guard notes and SQL, from the cache

    # the cache holds checksums only: no SQL, no planted secret, nothing from the migrations
    text = cache.read_text()
    assert PLANTED not in text and "users" not in text and "CREATE" not in text
    assert all(len(line) == 64 and set(line) <= set("0123456789abcdef") for line in text.split())

    # a clean migration edited into a destructive one is reviewed again, not taken from the cache
    (project / "migrations" / "20250102000000_seed.sql").write_text(
        SEED.replace("INSERT INTO", "DELETE FROM users;\n--")
    )
    edited = _preview(run_dbm, project)
    assert any(n.startswith("destructive [20250102000000_seed") and "DELETE" in n for n in edited["guard_notes"])
    assert any("1 destructive statement(s)" in n for n in edited["guard_notes"])


def test_a_cold_and_a_warm_run_apply_the_same(tmp_path, run_dbm):
    """The run after a dry run (warm cache) applies and records what a run without one does."""
    results = []
    for name in ("cold", "warm"):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        project = make_project(
            tmp_path / name, url, {"20250101000000_users.sql": CLEAN, "20250102000000_seed.sql": SEED}
        )
        if name == "warm":
            _preview(run_dbm, project)
        out = run_dbm("migrate", "--yes", "--format", "json", cwd=project)
        assert out.returncode == 0, out.stdout + out.stderr
        data = json.loads(out.stdout)
        results.append(
            (data["status"], [(o["migration"], o["state"]) for o in data["outcomes"]], _seen(data["preview"]))
        )
    assert results[0] == results[1]
    assert results[0][1] == [("20250101000000_users.sql", "applied"), ("20250102000000_seed.sql", "applied")]
