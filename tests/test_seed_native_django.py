"""Django's own seeds: ``manage.py loaddata`` of the fixtures named in pyproject.toml, in the
settings, or by the caller, run for real against the selected database (not the one the project's
settings would pick), with the output shown, failures reported and a planted password hidden."""

from __future__ import annotations

import json

import pytest

from dbmigrate_magic.context import resolve_context
from dbmigrate_magic.errors import ConfigError
from dbmigrate_magic.masking import register_secret
from dbmigrate_magic.seeding.native import NativeSeed, find_native_seeds, run_native_seed
from tests import django_project as dj
from tests.helpers import query

PASSWORD = "pl4nted-Fixture-Secret-3"

MODELS = """\
from django.db import models


class Country(models.Model):
    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=60)
"""
INITIAL = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Country",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("code", models.CharField(max_length=2, unique=True)),
                ("name", models.CharField(max_length=60)),
            ],
        ),
    ]
"""
COUNTRIES = [
    {"model": "geo.country", "pk": 1, "fields": {"code": "FR", "name": "France"}},
    {"model": "geo.country", "pk": 2, "fields": {"code": "JP", "name": "Japan"}},
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def django_db(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'chosen.db'}"
    register_secret(PASSWORD)
    return request.getfixturevalue("pg_url").replace("postgres@", f"postgres:{PASSWORD}@", 1)


def geo_project(root, url):
    dj.startproject(root, url, ["geo"])
    (root / "geo" / "models.py").write_text(MODELS)
    (root / "geo" / "migrations" / "0001_initial.py").write_text(INITIAL)
    (root / "geo" / "fixtures").mkdir()
    (root / "geo" / "fixtures" / "countries.json").write_text(json.dumps(COUNTRIES))
    dj.manage(root, url, "migrate", "geo")
    # what the settings would use without dbm (DATABASE_URL unset): must stay untouched
    (root / ".env").write_text(f"DATABASE_URL=sqlite:///{root / 'not-this-one.db'}\n")
    return root


def no_password(*things: object) -> None:
    for thing in things:
        assert PASSWORD not in repr(thing) and PASSWORD not in str(thing), thing


def test_loaddata_of_the_fixtures_named_in_pyproject(tmp_path, django_db):
    root = geo_project(tmp_path / "site", django_db)
    ctx = resolve_context(root, django_db)
    assert find_native_seeds(ctx) == []  # no fixtures named anywhere: nothing to run

    (root / "pyproject.toml").write_text('[project]\nname = "site"\n\n[tool.dbm.seed]\nfixtures = ["countries"]\n')
    seeds = find_native_seeds(ctx)
    assert seeds == [
        NativeSeed(
            "django",
            "manage.py loaddata countries",
            ("python", "manage.py", "loaddata", "countries"),
            "pyproject.toml [tool.dbm.seed] fixtures",
        )
    ]
    run = run_native_seed(seeds[0], ctx)
    assert run.ok, run.output
    assert "Installed 2 object(s) from 1 fixture(s)" in run.output
    assert query(django_db, "SELECT code, name FROM geo_country ORDER BY id") == [("FR", "France"), ("JP", "Japan")]
    assert not (root / "not-this-one.db").exists() and not (root / "db.sqlite3").exists()

    # names given by the caller win over the configured list; a missing fixture is Django's error
    given = find_native_seeds(ctx, fixtures=["countries", "nope"])
    assert given[0].command[3:] == ("countries", "nope") and given[0].source == "given on the command line"
    failed = run_native_seed(given[0], ctx)
    assert failed.exit_code == 1 and not failed.ok
    assert "No fixture named 'nope' found" in failed.output

    # a fixture that breaks a constraint: Django's message, nothing of the traceback's frames needed
    bad = [{"model": "geo.country", "pk": 3, "fields": {"code": "FR", "name": "France again"}}]
    (root / "geo" / "fixtures" / "duplicate.json").write_text(json.dumps(bad))
    broken = run_native_seed(find_native_seeds(ctx, fixtures=["duplicate"])[0], ctx)
    assert broken.exit_code != 0 and "Could not load geo.Country(pk=3)" in broken.output
    assert query(django_db, "SELECT count(*) FROM geo_country") == [(2,)]  # loaddata's transaction rolled back
    no_password(seeds, given, run, failed, broken, run.output, failed.output, broken.output)


def test_fixtures_named_in_the_settings(tmp_path, sqlite_url):
    root = geo_project(tmp_path / "site", sqlite_url)
    settings = root / "mysite" / "settings.py"
    settings.write_text(settings.read_text() + '\nDBM_SEED_FIXTURES = ["countries"]\n')
    ctx = resolve_context(root, sqlite_url)
    seeds = find_native_seeds(ctx)
    assert [(s.label, s.source) for s in seeds] == [
        ("manage.py loaddata countries", "mysite.settings.DBM_SEED_FIXTURES")
    ]
    assert run_native_seed(seeds[0], ctx).ok
    assert query(sqlite_url, "SELECT count(*) FROM geo_country") == [(2,)]

    settings.write_text(settings.read_text() + 'DBM_SEED_FIXTURES = ["--database=other"]\n')
    with pytest.raises(ConfigError, match="not options") as caught:
        find_native_seeds(ctx)
    assert caught.value.next_step
