"""Build real Django projects for tests and benchmarks (``django-admin startproject``, RunSQL migrations)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

SETTINGS_DB = """
import os as _os
from urllib.parse import urlsplit as _urlsplit, unquote as _unquote

import pymysql

pymysql.install_as_MySQLdb()
_u = _urlsplit(_os.environ.get("DATABASE_URL", "sqlite:///" + str(BASE_DIR / "db.sqlite3")))
_scheme = _u.scheme.split("+")[0]
if _scheme == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": _u.path[1:]}}
else:
    DATABASES = {"default": {
        "ENGINE": "django.db.backends." + {"postgresql": "postgresql", "mysql": "mysql"}[_scheme],
        "NAME": _u.path.lstrip("/"), "USER": _unquote(_u.username or ""),
        "PASSWORD": _unquote(_u.password or ""), "HOST": _u.hostname or "", "PORT": str(_u.port or ""),
    }}
"""

MIGRATION = """from django.db import migrations{settings_import}


class Migration(migrations.Migration):
{extra}
    dependencies = [{deps}]

    operations = [
        migrations.RunSQL({up!r}, {down!r}),
    ]
"""


def startproject(root: Path, url: str, apps: list[str], url_settings: bool = True) -> Path:
    """``django-admin startproject mysite`` with ``apps`` installed and DATABASES read from
    DATABASE_URL (``url_settings``), or left as startproject writes it (SQLite db.sqlite3)."""
    root.mkdir(parents=True, exist_ok=True)
    out = subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(root)], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    settings = root / "mysite" / "settings.py"
    text = settings.read_text()
    if url_settings:
        text = re.sub(r"DATABASES = \{.*?\n\}\n", "", text, flags=re.S)
    text = re.sub(
        r"""    ['"]django.contrib.staticfiles['"],\n""",
        lambda m: m.group(0) + "".join(f'    "{a}",\n' for a in apps),
        text,
    )
    settings.write_text(text + (SETTINGS_DB if url_settings else ""))
    for app in apps:
        add_app(root, app)
    (root / ".env").write_text(f"DATABASE_URL={url}\n")
    return root


def add_app(root: Path, app: str) -> None:
    folder = root / app
    (folder / "migrations").mkdir(parents=True, exist_ok=True)
    (folder / "__init__.py").write_text("")
    (folder / "migrations" / "__init__.py").write_text("")
    cls = app.capitalize() + "Config"
    (folder / "apps.py").write_text(
        f"from django.apps import AppConfig\n\n\nclass {cls}(AppConfig):\n    name = {app!r}\n"
    )
    (folder / "models.py").write_text("")


def migration(
    root: Path,
    app: str,
    name: str,
    deps: list[tuple[str, str]],
    up: str,
    down: str,
    replaces: list[tuple[str, str]] | None = None,
    swappable_user: bool = False,
) -> Path:
    dep_text = ", ".join(repr(d) for d in deps)
    if swappable_user:
        dep_text = (dep_text + ", " if dep_text else "") + "migrations.swappable_dependency(settings.AUTH_USER_MODEL)"
    extra = f"    replaces = {replaces!r}\n" if replaces else ""
    path = root / app / "migrations" / f"{name}.py"
    path.write_text(
        MIGRATION.format(
            settings_import="\nfrom django.conf import settings" if swappable_user else "",
            extra=extra,
            deps=dep_text,
            up=up,
            down=down,
        )
    )
    return path


def manage(root: Path, url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The project's real ``manage.py``, with DATABASE_URL pointing at ``url``."""
    env = dict(os.environ, DATABASE_URL=url)
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )
    if check:
        assert out.returncode == 0, out.stderr + out.stdout
    return out


def showmigrations_plan(root: Path, url: str) -> list[tuple[bool, str]]:
    """``manage.py showmigrations --plan`` as (applied, app.name) in Django's order."""
    rows = []
    for line in manage(root, url, "showmigrations", "--plan").stdout.splitlines():
        m = re.match(r"^\[([X ])\]\s+(\S+)", line)
        if m:
            rows.append((m.group(1) == "X", m.group(2)))
    return rows


MODEL_MIGRATION = """from django.db import migrations, models
import django.db.models.deletion


def touch(apps, schema_editor):
    apps.get_model("catalog", "Product")  # a RunPython that reads the historical models


class Migration(migrations.Migration):
    dependencies = [{deps}]

    operations = [{ops}
    ]
"""


def model_migration(root: Path, app: str, name: str, deps: list[tuple[str, str]], ops: list[str]) -> Path:
    """A migration with model operations (``ops``: Python source of each operation)."""
    path = root / app / "migrations" / f"{name}.py"
    text = "".join(f"\n        {op}," for op in ops)
    path.write_text(MODEL_MIGRATION.format(deps=", ".join(repr(d) for d in deps), ops=text))
    return path


def models_project(root: Path, url: str, rounds: int = 3) -> list[str]:
    """Two apps whose models point at each other's across apps (``orders`` -> ``catalog``), grown
    over ``rounds`` rounds of fields added and altered on both sides, then a branch and its merge,
    a primary key altered under foreign keys, a model renamed, RunSQL and RunPython: the SQL of
    each migration depends on the state before it. Returns every app.name in a valid order."""
    startproject(root, url, ["catalog", "orders"])
    fk = "models.ForeignKey(null=True, on_delete=django.db.models.deletion.{}, to='{}'{})"
    written: list[str] = []

    def add(app: str, name: str, deps: list[tuple[str, str]], ops: list[str]) -> tuple[str, str]:
        model_migration(root, app, name, deps, ops)
        written.append(f"{app}.{name}")
        return (app, name)

    cat = add(
        "catalog",
        "0001_initial",
        [],
        [
            "migrations.CreateModel(name='Category', fields=[('id', models.AutoField(primary_key=True)), "
            "('title', models.CharField(max_length=40))])",
            "migrations.CreateModel(name='Product', fields=[('id', models.AutoField(primary_key=True)), "
            "('name', models.CharField(max_length=50)), ('category', "
            + fk.format("CASCADE", "catalog.category", "")
            + ")])",
        ],
    )
    order = add(
        "orders",
        "0001_initial",
        [cat],
        [
            "migrations.CreateModel(name='Order', fields=[('id', models.AutoField(primary_key=True)), "
            "('qty', models.IntegerField(default=1)), ('product', "
            + fk.format("CASCADE", "catalog.product", "")
            + ")])"
        ],
    )
    n = 1
    for i in range(rounds):
        n += 1
        cat = add(
            "catalog",
            f"{n:04d}_round{i}",
            [cat],
            [
                f"migrations.AddField(model_name='product', name='f{i}', field=models.IntegerField(default={i}))",
                f"migrations.AlterField(model_name='product', name='name', field=models.CharField(max_length={51 + i}))",
            ],
        )
        ops = [
            f"migrations.AddField(model_name='order', name='g{i}', field="
            + fk.format("SET_NULL", "catalog.product", f", related_name='g{i}'")
            + ")",
            f"migrations.AlterField(model_name='order', name='qty', field=models.IntegerField(default={i + 2}))",
        ]
        if i % 2:
            ops.append("migrations.RunPython(touch, migrations.RunPython.noop)")
        order = add("orders", f"{n:04d}_round{i}", [order, cat], ops)
    left = add(
        "catalog",
        f"{n + 1:04d}_left",
        [cat],
        ["migrations.AddIndex(model_name='product', index=models.Index(fields=['name'], name='product_name_idx'))"],
    )
    right = add(
        "catalog",
        f"{n + 1:04d}_right",
        [cat],
        ["migrations.RunSQL('CREATE TABLE side (id int)', 'DROP TABLE side')"],
    )
    cat = add("catalog", f"{n + 2:04d}_merge", [left, right], [])
    cat = add(
        "catalog",
        f"{n + 3:04d}_bigger_keys",
        [cat, order],  # orders' foreign keys to Product are in the state: they are altered too
        [
            "migrations.AlterField(model_name='product', name='id', field=models.BigAutoField(primary_key=True))",
            "migrations.RenameModel(old_name='Category', new_name='Section')",
            "migrations.RenameField(model_name='product', old_name='f0', new_name='first')",
        ],
    )
    add(
        "orders",
        f"{n + 1:04d}_tags",
        [order, cat],
        [
            "migrations.AddField(model_name='order', name='sections', field=models.ManyToManyField(to='catalog.section'))",
            "migrations.RemoveField(model_name='order', name='g0')",
            "migrations.RunPython(touch, migrations.RunPython.noop)",
        ],
    )
    return written


SQLMIGRATE_EACH = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
out = {}
for app, name, backwards in json.loads(sys.stdin.read()):
    buf = io.StringIO()
    call_command("sqlmigrate", app, name, backwards=backwards, stdout=buf)
    out[app + "." + name] = buf.getvalue()
print(json.dumps(out))
"""


def sqlmigrate_each(root: Path, url: str, items: list[tuple[str, str, bool]]) -> dict[str, str]:
    """``sqlmigrate`` itself for each (app, name, backwards), a fresh loader and state each time as
    on the command line, in one process (a process per migration would only be slower)."""
    import json

    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="mysite.settings", PYTHONPATH=str(root))
    out = subprocess.run(
        [sys.executable, "-c", SQLMIGRATE_EACH],
        cwd=root,
        env=env,
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
