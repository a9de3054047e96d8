"""``dbm seed`` on PostgreSQL, MariaDB and SQLite: idempotent upserts, foreign-key order and cycles,
exact round trips from a DataFrame, bad input that writes nothing, the CLI, the magic, secrets."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from dbmigrate_magic import api
from dbmigrate_magic.errors import DbmError, ProductionRefused, SeedFailed
from tests.helpers import dialect, execute, query, scalar, with_password, write_files


def _types(url: str) -> dict[str, str]:
    kind = dialect(url)
    return {
        "ts": {"postgresql": "TIMESTAMPTZ", "mysql": "DATETIME(6)", "sqlite": "TIMESTAMP"}[kind],
        "json": {"postgresql": "JSONB", "mysql": "JSON", "sqlite": "JSON"}[kind],
        "bin": {"postgresql": "BYTEA", "mysql": "BLOB", "sqlite": "BLOB"}[kind],
        "text": "VARCHAR(40)",
    }


def _chain(url: str) -> None:
    """Three levels: regions <- countries <- cities."""
    execute(
        url,
        "CREATE TABLE regions (code VARCHAR(8) PRIMARY KEY, name VARCHAR(40) NOT NULL)",
        "CREATE TABLE countries (code VARCHAR(8) PRIMARY KEY, region VARCHAR(8) NOT NULL REFERENCES regions(code), "
        "name VARCHAR(40))",
        "CREATE TABLE cities (id INTEGER PRIMARY KEY, country VARCHAR(8) NOT NULL REFERENCES countries(code), "
        "name VARCHAR(40))",
    )


def _project(tmp_path, url):
    root = tmp_path / "proj"
    write_files(
        root,
        {
            ".env": f"DATABASE_URL={url}\n",
            # children first in file order: the foreign keys, not the file names, decide the load order
            "seeds/common/cities.csv": "id,country,name\n1,FR,Paris\n2,DE,Berlin\n3,FR,Lyon\n",
            "seeds/common/countries.json": json.dumps(
                {
                    "countries": [
                        {"code": "FR", "region": "EU", "name": "France"},
                        {"code": "DE", "region": "EU", "name": "Germany"},
                    ]
                }
            ),
            "seeds/common/regions.yaml": "regions:\n  - {code: EU, name: Europe}\n",
        },
    )
    return root


def _na(value):
    """NaN (how a DataFrame row shows a missing value) as None (how the database gives NULL back)."""
    return None if value is None or (isinstance(value, float) and value != value) else value


def _counts(result) -> dict[str, tuple[int, int, int]]:
    return {c.table: (c.inserted, c.updated, c.unchanged) for c in result.counts}


def test_seed_folder_twice_changes_nothing_in_fk_order(db_url, tmp_path):
    _chain(db_url)
    root = _project(tmp_path, db_url)
    first = api.seed(root, yes=True)
    assert first.status == "seeded"
    assert list(first.order) == ["regions", "countries", "cities"]
    assert _counts(first) == {"regions": (1, 0, 0), "countries": (2, 0, 0), "cities": (3, 0, 0)}
    assert sorted(query(db_url, "SELECT id, country, name FROM cities")) == [
        (1, "FR", "Paris"),
        (2, "DE", "Berlin"),
        (3, "FR", "Lyon"),
    ]
    again = api.seed(root, yes=True)
    assert _counts(again) == {"regions": (0, 0, 1), "countries": (0, 0, 2), "cities": (0, 0, 3)}
    assert again.message.startswith("Nothing to change")
    written = [
        s for s in again.sql if s.startswith(("INSERT INTO regions", "INSERT INTO countries", "INSERT INTO cities"))
    ]
    assert written == []  # only the staging tables were written: the tables themselves were not touched
    frame = again.to_frame()
    assert frame.set_index("table").loc["cities", "unchanged"] == 3
    # one edited row: exactly one update
    (root / "seeds/common/cities.csv").write_text("id,country,name\n1,FR,Paris\n2,DE,Berlin\n3,FR,Lyon 2e\n")
    third = api.seed(root, yes=True)
    assert _counts(third)["cities"] == (0, 1, 2)
    assert scalar(db_url, "SELECT name FROM cities WHERE id = 3") == "Lyon 2e"


def test_dry_run_and_unconfirmed_show_counts_and_write_nothing(db_url, tmp_path):
    _chain(db_url)
    root = _project(tmp_path, db_url)
    dry = api.seed(root, dry_run=True)
    assert dry.status == "dry run"
    assert _counts(dry)["cities"] == (3, 0, 0)
    assert any("INSERT INTO cities" in s or "COPY cities" in s for s in dry.sql) and "Paris" not in "\n".join(
        dry.sql
    )  # values bound
    waiting = api.seed(root)
    assert waiting.status == "awaiting confirmation" and waiting.exit_code() == 1
    assert scalar(db_url, "SELECT count(*) FROM cities") == 0
    done = waiting.confirm("y")
    assert done.status == "seeded" and scalar(db_url, "SELECT count(*) FROM cities") == 3


def test_prune_and_reset(db_url, tmp_path):
    _chain(db_url)
    root = _project(tmp_path, db_url)
    api.seed(root, yes=True)
    execute(db_url, "INSERT INTO cities (id, country, name) VALUES (9, 'FR', 'Not in the seed')")
    kept = api.seed(root, yes=True)
    assert scalar(db_url, "SELECT count(*) FROM cities") == 4 and kept.totals["deleted"] == 0
    pruned = api.seed(root, yes=True, prune=True)
    assert {c.table: c.deleted for c in pruned.counts}["cities"] == 1
    assert scalar(db_url, "SELECT count(*) FROM cities WHERE id = 9") == 0
    reset = api.seed(root, yes=True, reset=True)
    assert _counts(reset)["cities"] == (3, 0, 0) and {c.table: c.deleted for c in reset.counts}["cities"] == 3


def test_dataframe_round_trips_exactly(db_url):
    t = _types(db_url)
    execute(
        db_url,
        f"CREATE TABLE samples (id INTEGER PRIMARY KEY, score FLOAT, label {t['text']}, at {t['ts']}, "
        f"doc {t['json']}, raw {t['bin']})",
    )
    paris = pd.Timestamp("2024-07-14 21:30:00.250001", tz="Europe/Paris")
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "score": [1.25, np.nan, -3.5],
            "label": ["é ünïcode", None, "x"],
            "at": [paris, pd.NaT, pd.Timestamp("2024-12-01 23:59:59", tz="UTC")],
            "doc": [{"a": [1, 2.5, None], "b": "ß"}, None, [1, "two"]],
            "raw": [b"\x00\xff\x10", None, b""],
        }
    )
    first = api.seed(env=db_url, table="samples", from_=frame, yes=True)
    assert _counts(first) == {"samples": (3, 0, 0)}
    assert _counts(api.seed(env=db_url, table="samples", from_=frame, yes=True)) == {"samples": (0, 0, 3)}
    rows = {r[0]: r for r in query(db_url, "SELECT id, score, label, at, doc, raw FROM samples")}
    for _, want in frame.iterrows():
        _id, score, label, at, doc, raw = rows[want["id"]]
        assert (score is None) == pd.isna(want["score"]) and (score is None or score == want["score"])
        assert label == _na(want["label"])
        if pd.isna(want["at"]):
            assert at is None
        else:
            stored = at if isinstance(at, dt.datetime) else dt.datetime.fromisoformat(at)
            stored = stored if stored.tzinfo else stored.replace(tzinfo=dt.UTC)  # no zone type: kept as UTC
            assert stored == want["at"].to_pydatetime()  # the same instant, to the microsecond
        parsed = json.loads(doc) if isinstance(doc, str) else doc
        assert parsed == _na(want["doc"])
        assert (bytes(raw) if raw is not None else None) == _na(want["raw"])


@pytest.mark.parametrize(
    "bad, expected",
    [
        ({"table": "no_such_table"}, "does not have: no_such_table"),
        ({"frame": pd.DataFrame({"name": ["x"]})}, "no code column"),
        (
            {"frame": pd.DataFrame({"code": ["Z1", "Z2"], "region": ["EU", "EU"], "size": ["big", "small"]})},
            "does not have",
        ),
        ({"table": "cities", "frame": pd.DataFrame({"id": [5, "abc"], "country": ["FR", "FR"]})}, "cannot take 'abc'"),
        ({"table": "cities", "frame": pd.DataFrame({"id": [5, 6], "country": ["FR", "XX"]})}, "while loading"),
    ],
)
def test_bad_input_writes_nothing(db_url, bad, expected):
    _chain(db_url)
    execute(
        db_url, "INSERT INTO regions VALUES ('EU', 'Europe')", "INSERT INTO countries VALUES ('FR', 'EU', 'France')"
    )
    args = {"table": "countries", "frame": pd.DataFrame({"code": ["DE"], "region": ["EU"]}), **bad}
    before = query(db_url, "SELECT code FROM countries") + query(db_url, "SELECT id FROM cities")
    with pytest.raises(SeedFailed) as err:
        api.seed(env=db_url, table=args["table"], from_=args["frame"], yes=True)
    assert expected in err.value.what and "Nothing was written" in err.value.unchanged
    assert query(db_url, "SELECT code FROM countries") + query(db_url, "SELECT id FROM cities") == before


def test_failure_in_a_later_table_rolls_back_the_earlier_ones(db_url, tmp_path):
    _chain(db_url)
    root = _project(tmp_path, db_url)
    (root / "seeds/common/cities.csv").write_text("id,country,name\n1,FR,Paris\n2,XX,Nowhere\n")
    with pytest.raises(SeedFailed):
        api.seed(root, yes=True)
    assert scalar(db_url, "SELECT count(*) FROM regions") == 0  # loaded first, rolled back with the rest


def test_foreign_key_cycle_two_passes_or_refused(db_url):
    execute(
        db_url,
        "CREATE TABLE teams (id INTEGER PRIMARY KEY, name VARCHAR(20), captain_id INTEGER)",
        "CREATE TABLE players (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id))",
    )
    if dialect(db_url) == "sqlite":  # SQLite cannot add a foreign key later: rebuild teams with it
        execute(
            db_url,
            "DROP TABLE players",
            "DROP TABLE teams",
            "CREATE TABLE teams (id INTEGER PRIMARY KEY, name VARCHAR(20), captain_id INTEGER REFERENCES players(id))",
            "CREATE TABLE players (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL REFERENCES teams(id))",
        )
    else:
        execute(
            db_url, "ALTER TABLE teams ADD CONSTRAINT teams_captain FOREIGN KEY (captain_id) REFERENCES players(id)"
        )
    teams = pd.DataFrame({"id": [1], "name": ["Reds"], "captain_id": [10]})
    players = pd.DataFrame({"id": [10, 11], "team_id": [1, 1]})
    from dbmigrate_magic.db import Database
    from dbmigrate_magic.seeding.load import seed_database
    from dbmigrate_magic.seeding.sources import TableSeed

    seeds = [TableSeed("teams", teams, None, ("t",)), TableSeed("players", players, None, ("p",))]
    db = Database(db_url)
    try:
        report = seed_database(db, seeds, [], commit=True)
        assert any("two passes" in n for n in report.notes)
        assert query(db_url, "SELECT captain_id FROM teams") == [(10,)]
        again = seed_database(db, seeds, [], commit=True)
        assert {c.table: c.unchanged for c in again.counts} == {"teams": 1, "players": 2}
        # a cycle with no nullable column cannot be broken: refused, named
        execute(db_url, "UPDATE teams SET captain_id = NULL", "DELETE FROM players", "DELETE FROM teams")
        if dialect(db_url) != "sqlite":
            execute(
                db_url,
                "ALTER TABLE teams MODIFY captain_id INTEGER NOT NULL"
                if dialect(db_url) == "mysql"
                else "ALTER TABLE teams ALTER COLUMN captain_id SET NOT NULL",
            )
            with pytest.raises(
                SeedFailed, match=r"cycle .*players\(team_id\) -> teams.*teams\(captain_id\) -> players"
            ):
                seed_database(db, seeds, [], commit=True)
            assert scalar(db_url, "SELECT count(*) FROM teams") == 0
    finally:
        db.dispose()


@pytest.mark.postgres
def test_deferrable_cycle_on_postgresql(pg_url):
    execute(
        pg_url,
        "CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER NOT NULL)",
        "CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL REFERENCES a(id) DEFERRABLE)",
        "ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b(id) DEFERRABLE",
    )
    root_a = pd.DataFrame({"id": [1], "b_id": [2]})
    root_b = pd.DataFrame({"id": [2], "a_id": [1]})
    from dbmigrate_magic.db import Database
    from dbmigrate_magic.seeding.load import seed_database
    from dbmigrate_magic.seeding.sources import TableSeed

    db = Database(pg_url)
    try:
        report = seed_database(
            db, [TableSeed("a", root_a, None, ("a",)), TableSeed("b", root_b, None, ("b",))], [], commit=True
        )
    finally:
        db.dispose()
    assert any("Deferred to commit" in n for n in report.notes)
    assert query(pg_url, "SELECT id, b_id FROM a") == [(1, 2)]


def test_cli_csv_json_and_production_guard(db_url, tmp_path, run_dbm):
    _chain(db_url)
    csv = tmp_path / "regions.csv"
    csv.write_text("code,name\nEU,Europe\nAS,Asia\n")
    out = run_dbm("seed", "--env", db_url, "--table", "regions", "--from-csv", csv, "--yes", "--format", "json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["tables"][0]["inserted"] == 2 and data["totals"]["rows"] == 2
    again = json.loads(
        run_dbm("seed", "--env", db_url, "--table", "regions", "--from-csv", csv, "--yes", "--format", "json").stdout
    )
    assert again["tables"][0]["unchanged"] == 2
    refused = run_dbm("seed", "--env", db_url, "--table", "regions", "--from", "frame", "--yes")
    assert refused.returncode != 0 and "--from-csv" in refused.stderr
    # production: refused unless the seed is meant for it, then typed confirmation
    root = write_files(
        tmp_path / "prod",
        {".env.production": f"DATABASE_URL={db_url}\n", "seeds/common/regions.csv": "code,name\nAF,Africa\n"},
    )
    no = run_dbm("seed", root, "--env", "production", "--confirm", "production", "--no-backup")
    assert no.returncode != 0 and "not marked for production" in no.stderr
    with pytest.raises(ProductionRefused, match="Dev-only"):
        api.seed(root, env="production", production=True, prune=True, confirm="production")
    write_files(root, {"seeds/production/regions.csv": "code,name\nAF,Africa\n"})
    yes_only = run_dbm("seed", root, "--env", "production", "--yes")
    assert yes_only.returncode != 0 and scalar(db_url, "SELECT count(*) FROM regions WHERE code = 'AF'") == 0
    ok = run_dbm("seed", root, "--env", "production", "--confirm", "production", "--no-backup")
    assert ok.returncode == 0, ok.stderr + ok.stdout
    assert scalar(db_url, "SELECT count(*) FROM regions WHERE code = 'AF'") == 1


def test_magic_seeds_a_notebook_dataframe(ipython, sqlite_url):
    _chain(sqlite_url)
    ipython.user_ns["regions_df"] = pd.DataFrame({"code": ["EU", "AS"], "name": ["Europe", "Asia"]})
    ipython.run_line_magic("dbm", f"seed --env {sqlite_url} --table regions --from regions_df --yes --df counts")
    assert ipython.user_ns["counts"].set_index("table").loc["regions", "inserted"] == 2
    ipython.run_line_magic("dbm", f"seed --env {sqlite_url} --table regions --from regions_df --yes --df counts")
    assert ipython.user_ns["counts"].set_index("table").loc["regions", "unchanged"] == 2
    from IPython.core.error import UsageError

    with pytest.raises(UsageError, match="no notebook variable named 'missing_df'"):
        ipython.run_line_magic("dbm", f"seed --env {sqlite_url} --table regions --from missing_df --yes")


@pytest.mark.postgres
def test_planted_password_never_shown(pg_url, tmp_path, run_dbm):
    password = "Pl4nted-Seed-Secret"
    url = with_password(pg_url, password)
    _chain(pg_url)
    root = write_files(
        tmp_path / "p", {".env": f"DATABASE_URL={url}\n", "seeds/common/regions.csv": "code,name\nEU,Europe\n"}
    )
    outputs = []
    dry = api.seed(root, dry_run=True)
    outputs += [dry.to_text(), dry._repr_html_(), json.dumps(dry.to_dict()), dry.to_frame().to_string()]
    done = api.seed(root, yes=True)
    outputs += [done.to_text(), done._repr_html_(), json.dumps(done.to_dict())]
    for args in (
        ("seed", root, "--yes"),
        ("seed", root, "--format", "json", "--yes"),
        ("seed", root, "--table", "nope", "--from-csv", tmp_path / "x.csv"),
    ):
        out = run_dbm(*args)
        outputs += [out.stdout, out.stderr]
    (root / "seeds/common/regions.csv").write_text("code,name\nEU,\n")  # NOT NULL violation: the database's error
    with pytest.raises(DbmError) as err:
        api.seed(root, yes=True)
    outputs += [err.value.message if hasattr(err.value, "message") else str(err.value), str(err.value)]
    assert outputs and all(password not in o for o in outputs)


def test_sql_and_python_seeds_and_the_environment_folder(db_url, tmp_path):
    _chain(db_url)
    root = _project(tmp_path, db_url)
    write_files(
        root,
        {
            # the environment's own folder overrides common's row with the same key and adds one
            "seeds/dev/regions.yaml": "regions:\n  key: [code]\n  rows:\n    - {code: EU, name: Europa}\n    - {code: AS, name: Asia}\n",
            "seeds/common/90_extra.sql": "INSERT INTO countries (code, region, name) SELECT 'JP', 'AS', 'Japan' "
            "WHERE NOT EXISTS (SELECT 1 FROM countries WHERE code = 'JP');",
            "seeds/common/95_more.py": "from sqlalchemy import text\n\n\ndef seed(conn):\n"
            "    conn.execute(text(\"UPDATE countries SET name = 'Nihon' WHERE code = 'JP'\"))\n",
            "seeds/staging/regions.csv": "code,name\nXX,Not for development\n",
        },
    )
    preview = api.seed(root)
    assert [(s.source, s.state) for s in preview.scripts] == [
        ("seeds/common/90_extra.sql", "runs on confirmation"),
        ("seeds/common/95_more.py", "runs on confirmation"),
    ]
    assert scalar(db_url, "SELECT count(*) FROM countries") == 0
    done = api.seed(root, yes=True)
    assert [s.state for s in done.scripts] == ["ran", "ran"]
    assert sorted(query(db_url, "SELECT code, name FROM regions")) == [("AS", "Asia"), ("EU", "Europa")]
    assert scalar(db_url, "SELECT name FROM countries WHERE code = 'JP'") == "Nihon"
    again = api.seed(root, yes=True)
    assert again.totals["inserted"] == again.totals["updated"] == 0


def test_a_failing_script_rolls_back_the_rows(db_url, tmp_path):
    _chain(db_url)
    root = _project(tmp_path, db_url)
    write_files(root, {"seeds/common/99_bad.py": "def seed(conn):\n    raise RuntimeError('no such thing')\n"})
    with pytest.raises(SeedFailed, match=r"running seeds/common/99_bad.py: RuntimeError: no such thing"):
        api.seed(root, yes=True)
    assert scalar(db_url, "SELECT count(*) FROM regions") == 0


def test_nothing_to_seed(sqlite_url, tmp_path):
    root = write_files(tmp_path / "empty", {".env": f"DATABASE_URL={sqlite_url}\n"})
    result = api.seed(root, yes=True)
    assert result.status == "nothing to seed" and "seeds/common" in result.message


def test_production_seed_is_backed_up_first(tmp_path, run_dbm):
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    _chain(url)
    root = write_files(
        tmp_path / "app",
        {".env.production": f"DATABASE_URL={url}\n", "seeds/production/regions.csv": "code,name\nEU,Europe\n"},
    )
    waiting = api.seed(root, env="production")
    assert waiting.status == "awaiting confirmation" and waiting.preview.production
    assert any("backup" in n.lower() for n in waiting.preview.guard_notes)
    assert waiting.confirm("yes").status == "cancelled"  # production wants its name typed
    done = api.seed(root, env="production", confirm="production")
    assert done.status == "seeded" and any(n.startswith("Backup taken before seed") for n in done.notes)
    assert list((root / ".dbm" / "backups").iterdir())
    assert scalar(url, "SELECT name FROM regions") == "Europe"


@pytest.mark.node
def test_tool_seeds_and_our_folder_previewed_together_and_confirmed_once(tmp_path, sqlite_url):
    from tests.node_projects import knex, knex_project

    project = knex_project(tmp_path / "app", sqlite_url, ["countries", "plans"])
    knex(project, sqlite_url, "migrate:latest")
    write_files(
        project,
        {
            "seeds/01_countries.js": 'exports.seed = async (knex) => { await knex("countries").del(); '
            'await knex("countries").insert([{ id: 1, name: "France" }]); console.log("knex seeded"); };\n',
            "seeds/common/plans.csv": "id,name\n1,Free\n2,Pro\n",
        },
    )
    preview = api.seed(project, env=sqlite_url)
    assert preview.status == "awaiting confirmation"
    assert [(n.tool, n.command, n.state) for n in preview.native] == [("knex", "knex seed:run", "planned")]
    assert _counts(preview) == {"plans": (2, 0, 0)}
    assert "knex seed:run" in preview.to_text()
    assert scalar(sqlite_url, "SELECT count(*) FROM countries") == 0  # a tool seed is never rehearsed
    done = preview.confirm("y")
    assert done.status == "seeded", done.message
    assert [(n.state, n.exit_code) for n in done.native] == [("ran", 0)] and "knex seeded" in done.native[0].output
    assert query(sqlite_url, "SELECT id, name FROM countries") == [(1, "France")]
    assert sorted(query(sqlite_url, "SELECT id, name FROM plans")) == [(1, "Free"), (2, "Pro")]
    ours = api.seed(project, env=sqlite_url, ours_only=True, yes=True)
    assert ours.native == () and _counts(ours) == {"plans": (0, 0, 2)}
    # a failing tool seed stops the run before ours, with its exit code and output
    (project / "seeds" / "01_countries.js").write_text('exports.seed = async () => { throw new Error("boom"); };\n')
    (project / "seeds" / "common" / "plans.csv").write_text("id,name\n1,Free\n2,Pro\n3,Team\n")
    failed = api.seed(project, env=sqlite_url, yes=True)
    assert failed.status == "failed" and failed.native[0].exit_code != 0 and "boom" in failed.native[0].output
    assert scalar(sqlite_url, "SELECT count(*) FROM plans") == 2


def _categories(url: str) -> None:
    """A table whose rows point at other rows of it (parent_id -> id)."""
    execute(
        url,
        "CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories(id), "
        "name VARCHAR(20))",
    )


def test_self_referencing_table_with_children_listed_first(db_url, tmp_path):
    _categories(db_url)
    root = write_files(
        tmp_path / "tree",
        {
            ".env": f"DATABASE_URL={db_url}\n",
            # leaf, then its parent, then the root: MySQL checks each row, SQLite each INSERT
            "seeds/common/categories.yaml": "categories:\n  - {id: 3, parent_id: 2, name: leaf}\n"
            "  - {id: 2, parent_id: 1, name: mid}\n  - {id: 1, parent_id: null, name: root}\n",
        },
    )
    first = api.seed(root, yes=True)
    assert _counts(first) == {"categories": (3, 0, 0)}
    assert sorted(query(db_url, "SELECT id, parent_id, name FROM categories")) == [
        (1, None, "root"),
        (2, 1, "mid"),
        (3, 2, "leaf"),
    ]
    assert _counts(api.seed(root, yes=True)) == {"categories": (0, 0, 3)}
    # a new subtree, children first again, into the table that now has rows (the staged path)
    (root / "seeds/common/categories.yaml").write_text(
        "categories:\n  - {id: 5, parent_id: 4, name: leaf2}\n  - {id: 4, parent_id: 1, name: mid2}\n"
    )
    assert _counts(api.seed(root, yes=True)) == {"categories": (2, 0, 0)}
    assert scalar(db_url, "SELECT parent_id FROM categories WHERE id = 5") == 4


def test_a_change_of_case_or_trailing_spaces_is_written(db_url):
    """MySQL/MariaDB's default collations call 'North' and 'NORTH ' equal: the seed compares bytes."""
    _chain(db_url)
    api.seed(
        env=db_url, table="regions", from_=pd.DataFrame({"code": ["N", "S"], "name": ["North", "South"]}), yes=True
    )
    changed = pd.DataFrame({"code": ["N", "S"], "name": ["NORTH", "South "]})
    assert _counts(api.seed(env=db_url, table="regions", from_=changed, yes=True)) == {"regions": (0, 2, 0)}
    assert sorted(query(db_url, "SELECT code, name FROM regions")) == [("N", "NORTH"), ("S", "South ")]
    assert _counts(api.seed(env=db_url, table="regions", from_=changed, yes=True)) == {"regions": (0, 0, 2)}


def test_csv_booleans_load_on_every_dialect(db_url, tmp_path):
    """MySQL/MariaDB keep a BOOLEAN as TINYINT(1): `true` in a CSV loads there as on PostgreSQL and SQLite."""
    execute(db_url, "CREATE TABLE flags (name VARCHAR(20) PRIMARY KEY, enabled BOOLEAN)")
    root = write_files(
        tmp_path / "flags",
        {".env": f"DATABASE_URL={db_url}\n", "seeds/common/flags.csv": "name,enabled\na,true\nb,FALSE\nc,1\nd,\n"},
    )
    assert _counts(api.seed(root, yes=True)) == {"flags": (4, 0, 0)}
    stored = {n: (None if v is None else bool(v)) for n, v in query(db_url, "SELECT name, enabled FROM flags")}
    assert stored == {"a": True, "b": False, "c": True, "d": None}
    assert _counts(api.seed(root, yes=True)) == {"flags": (0, 0, 4)}
    (root / "seeds/common/flags.csv").write_text("name,enabled\na,maybe\n")
    with pytest.raises(SeedFailed, match="cannot take 'maybe'"):
        api.seed(root, yes=True)


def test_nullable_integer_and_float_dtypes_give_null(db_url):
    """pandas' nullable Int64/Float64 columns hold pd.NA (not NaN) for a missing value: NULL, like NaN."""
    execute(db_url, "CREATE TABLE measures (id INTEGER PRIMARY KEY, n INTEGER, x FLOAT, amount NUMERIC(10, 2))")
    frame = pd.DataFrame(
        {
            "id": pd.array([1, 2, 3], dtype="Int64"),
            "n": pd.array([7, None, -1], dtype="Int64"),
            "x": pd.array([0.5, None, 2.0], dtype="Float64"),
            "amount": pd.array([None, 3, 4], dtype="Int64"),
        }
    )
    assert _counts(api.seed(env=db_url, table="measures", from_=frame, yes=True)) == {"measures": (3, 0, 0)}
    rows = sorted(query(db_url, "SELECT id, n, x, amount FROM measures"))
    assert [(i, n, x, None if a is None else float(a)) for i, n, x, a in rows] == [
        (1, 7, 0.5, None),
        (2, None, None, 3.0),
        (3, -1, 2.0, 4.0),
    ]
    assert _counts(api.seed(env=db_url, table="measures", from_=frame, yes=True)) == {"measures": (0, 0, 3)}


def test_a_bad_value_is_named_by_its_own_file_and_row(sqlite_url, tmp_path):
    """A table merged from several files (and with a repeated key) still names the file and row that hold the value."""
    _chain(sqlite_url)
    root = _project(tmp_path, sqlite_url)
    write_files(root, {"seeds/dev/cities.csv": "id,country,name\n4,FR,Nice\n4,FR,Nice again\n5x,DE,Bonn\n"})
    with pytest.raises(SeedFailed) as err:
        api.seed(root, yes=True)
    assert "cannot take '5x'" in err.value.what and "row 3 of seeds/dev/cities.csv." in err.value.what
    assert scalar(sqlite_url, "SELECT count(*) FROM cities") == 0


def test_prune_and_reset_a_self_referencing_table(db_url, tmp_path):
    """MySQL checks a foreign key row by row inside one DELETE: a parent deleted before its child was refused."""
    _categories(db_url)
    tree = "categories:\n  - {id: 1, parent_id: null, name: root}\n  - {id: 2, parent_id: 1, name: mid}\n"
    tree += "  - {id: 3, parent_id: 2, name: leaf}\n"
    root = write_files(tmp_path / "tree", {".env": f"DATABASE_URL={db_url}\n", "seeds/common/categories.yaml": tree})
    api.seed(root, yes=True)
    (root / "seeds/common/categories.yaml").write_text("categories:\n  - {id: 1, parent_id: null, name: root}\n")
    pruned = api.seed(root, yes=True, prune=True)
    assert {c.table: c.deleted for c in pruned.counts} == {"categories": 2}
    assert query(db_url, "SELECT id, parent_id FROM categories") == [(1, None)]
    (root / "seeds/common/categories.yaml").write_text(tree)
    api.seed(root, yes=True)
    reset = api.seed(root, yes=True, reset=True)
    assert _counts(reset) == {"categories": (3, 0, 0)} and {c.table: c.deleted for c in reset.counts} == {
        "categories": 3
    }
    assert sorted(query(db_url, "SELECT id, parent_id FROM categories")) == [(1, None), (2, 1), (3, 2)]


def test_the_applications_next_insert_after_seeded_ids_gets_a_new_id(db_url):
    """Seeded ids 1 and 2 into an auto-numbered key: the application's INSERT without an id takes 3,
    and a later reseed never moves the numbering back (PostgreSQL's sequence is moved on commit only)."""
    auto = {
        "postgresql": "id SERIAL PRIMARY KEY",
        "mysql": "id INTEGER AUTO_INCREMENT PRIMARY KEY",
        "sqlite": "id INTEGER PRIMARY KEY",
    }[dialect(db_url)]
    execute(db_url, f"CREATE TABLE plans ({auto}, code VARCHAR(20) NOT NULL UNIQUE)")
    plans = pd.DataFrame({"id": [1, 2], "code": ["free", "pro"]})
    assert api.seed(table="plans", from_=plans, env=db_url, dry_run=True).status == "dry run"
    if dialect(db_url) == "postgresql":  # a rehearsal leaves the sequence where it was
        assert scalar(db_url, "SELECT pg_sequence_last_value('plans_id_seq')") is None
    done = api.seed(table="plans", from_=plans, env=db_url, yes=True)
    assert done.status == "seeded", done.message
    execute(db_url, "INSERT INTO plans (code) VALUES ('team')")
    assert scalar(db_url, "SELECT id FROM plans WHERE code = 'team'") == 3
    api.seed(table="plans", from_=plans, env=db_url, yes=True)  # the seed again: nothing moves back
    execute(db_url, "INSERT INTO plans (code) VALUES ('enterprise')")
    assert scalar(db_url, "SELECT id FROM plans WHERE code = 'enterprise'") == 4
