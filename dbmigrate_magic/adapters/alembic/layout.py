"""Where an Alembic project keeps its configuration, read with Alembic's own ``Config``.

Three layouts are found in real projects:

- ``alembic.ini`` in the project root (``alembic init``), ``script_location`` relative to it or
  written with ``%(here)s``;
- ``[tool.alembic]`` in ``pyproject.toml`` (Alembic 1.16+, ``alembic init -t pyproject``), often
  beside an ``alembic.ini`` that only holds the URL and logging; the ini file wins option by option;
- Flask-Migrate: ``migrations/alembic.ini`` with no ``script_location`` (``flask db`` sets it to
  the folder), ``migrations/env.py`` taking the engine from ``current_app``, revisions in
  ``migrations/versions``. The project root is the folder ``flask db`` runs in.

Options are read with ``alembic.config.Config`` (the tool's own rules: ``%(here)s``, the
``path_separator`` split of ``version_locations``, ini before toml) and paths resolved against the
project root, the working folder the ``alembic`` CLI runs in. A plain ``alembic.ini`` (no toml, no
``version_locations``) is read with the same ``ConfigParser`` set-up instead, without importing
Alembic (``Layout._plain_ini``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import ProjectError

if TYPE_CHECKING:
    import configparser

    from alembic.config import Config

#: the ini section Alembic reads (``alembic -n NAME`` chooses another; the CLI we mirror does not)
SECTION = "alembic"
#: Flask-Migrate's default folder (``Migrate(app, db, directory="migrations")``)
FLASK_DIR = "migrations"

#: what Flask-Migrate's env.py does once ``current_app`` has given it the engine: run the revisions
#: on one connection (online) or render them with literal values (offline, ``--sql``)
FLASK_STANDIN_ENV = """\
# Written by dbmigrate_magic: Flask-Migrate's env.py without the Flask app. The URL is the
# environment dbm selected; the revisions and script.py.mako are the project's own.
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config

if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        context.configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
"""


def flask_standin(root: Path) -> Path:
    """A script folder for running a Flask-Migrate project's revisions with plain Alembic: the
    stand-in env.py beside a copy of the project's script.py.mako (kept in the temp folder)."""
    import hashlib
    import tempfile

    folder = Path(tempfile.gettempdir()) / f"dbm-flask-{hashlib.sha256(str(root).encode()).hexdigest()[:12]}"
    folder.mkdir(exist_ok=True)
    (folder / "env.py").write_text(FLASK_STANDIN_ENV, encoding="utf-8")
    mako = root / FLASK_DIR / "script.py.mako"
    if mako.is_file():
        (folder / "script.py.mako").write_text(mako.read_text(encoding="utf-8"), encoding="utf-8")
    return folder


def _has_tool_alembic(pyproject: Path) -> bool:
    if not pyproject.is_file():
        return False
    import tomllib

    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return isinstance(data.get("tool", {}).get("alembic"), dict)


def _ini_has_script_location(ini: Path) -> bool:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except configparser.Error:
        return True  # unreadable: leave it to Alembic to say so
    return parser.has_option("alembic", "script_location")


def is_flask_folder(folder: Path) -> bool:
    """A Flask-Migrate folder: ``alembic.ini`` without ``script_location`` beside ``env.py``."""
    ini = folder / "alembic.ini"
    return ini.is_file() and (folder / "env.py").is_file() and not _ini_has_script_location(ini)


@dataclass(frozen=True)
class Layout:
    """One Alembic project's configuration files; ``config()`` builds Alembic's ``Config`` over them."""

    root: Path
    ini: Path | None
    toml: Path | None
    flask: bool = False

    @property
    def files(self) -> tuple[str, ...]:
        """The evidence, relative to the root."""
        out = [p.relative_to(self.root).as_posix() for p in (self.ini, self.toml) if p is not None]
        if self.flask:
            out.append(f"{FLASK_DIR}/env.py (Flask-Migrate)")
        return tuple(out)

    def config(self, url: str | None = None, buffer: Any = None, run: bool = False) -> Config:
        """Alembic's ``Config`` as the ``alembic`` CLI (or ``flask db``) builds it in the root; ``run``
        for a Config that runs env.py (a Flask-Migrate project's then runs through ``flask_standin``)."""
        from alembic.config import Config

        kwargs: dict[str, Any] = {"output_buffer": buffer}
        if self.toml is not None:
            kwargs["toml_file"] = str(self.toml)
        try:
            cfg = Config(str(self.ini) if self.ini else None, **kwargs)
        except TypeError:  # Alembic before 1.16 has no pyproject.toml support
            raise ProjectError(
                "This project keeps Alembic's settings in pyproject.toml [tool.alembic], which needs Alembic 1.16 or later.",
                next_step="pip install 'alembic>=1.16'.",
            ) from None
        if self.flask and run:
            cfg.set_main_option("script_location", str(flask_standin(self.root)))
            cfg.set_main_option("version_locations", str(self.root / FLASK_DIR / "versions").replace("%", "%%"))
            cfg.set_main_option("path_separator", "newline")
        elif self.flask:
            cfg.set_main_option("script_location", str(self.root / FLASK_DIR))
        elif self.ini is None and self.toml is None:
            cfg.set_main_option("script_location", str(self.root / "alembic"))
        if url:
            cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        return cfg

    @cached_property
    def _static(self) -> Config | None:
        try:
            return self.config()
        except ProjectError:
            return None

    @cached_property
    def _plain_ini(self) -> configparser.ConfigParser | None:
        """The ini file parsed as Alembic's ``Config`` parses it (``here`` set, the same
        interpolation), when that alone answers every option: no ``[tool.alembic]``, no Flask
        stand-in, no ``version_locations`` to split. Importing Alembic costs a status listing about
        half a second of its time; None leaves every question to Alembic's ``Config``."""
        if self.ini is None or self.toml is not None or self.flask:
            return None
        import configparser

        parser = configparser.ConfigParser({"here": self.ini.absolute().parent.as_posix()})
        try:
            parser.read(self.ini, encoding="locale")
        except (configparser.Error, UnicodeDecodeError):
            return None
        if parser.has_option(SECTION, "version_locations"):
            return None
        return parser

    def option(self, name: str) -> Any:
        plain = self._plain_ini
        if plain is not None:
            from configparser import Error

            try:
                return plain.get(SECTION, name) if plain.has_option(SECTION, name) else None
            except Error:  # a bad interpolation: Alembic would refuse it too
                return None
        cfg = self._static
        if cfg is None:
            return None
        try:
            return cfg.get_alembic_option(name) if hasattr(cfg, "get_alembic_option") else cfg.get_main_option(name)
        except Exception:  # a bad interpolation or TOML type: Alembic would refuse it too
            return None

    def _path(self, value: str) -> Path:
        if ":" in value and not Path(value).exists() and not (len(value) > 1 and value[1] == ":"):
            package, _, rest = value.partition(":")  # a package resource ("myapp:alembic")
            try:
                from alembic.util import coerce_resource_to_filename

                return Path(coerce_resource_to_filename(value))
            except Exception:
                return self.root / package.replace(".", "/") / rest
        path = Path(value)
        return (path if path.is_absolute() else self.root / path).resolve()

    @cached_property
    def script_location(self) -> Path:
        value = self.option("script_location")
        return self._path(str(value)) if value else self.root / "alembic"

    @cached_property
    def version_locations(self) -> list[Path]:
        """``version_locations`` as Alembic splits it, else ``<script_location>/versions``."""
        if self._plain_ini is not None:  # it has no version_locations
            return [self.script_location / "versions"]
        cfg = self._static
        found: list[str] | None = None
        if cfg is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Alembic's deprecation warning on a missing path_separator
                try:
                    found = cfg.get_version_locations_list()
                except Exception:
                    found = None
        if not found:
            return [self.script_location / "versions"]
        return [self._path(p) for p in found if p]

    @property
    def recursive(self) -> bool:
        value = self.option("recursive_version_locations")
        return value is True or str(value).lower() in ("true", "1", "yes")


def find_layout(root: Path) -> Layout | None:
    """The Alembic layout whose CLI runs in ``root``, or None.

    A Flask-Migrate folder itself (``migrations/`` holding ``alembic.ini`` without
    ``script_location``) is not a root: its parent is, where ``flask db`` runs.
    """
    ini = root / "alembic.ini"
    pyproject = root / "pyproject.toml"
    toml = pyproject if _has_tool_alembic(pyproject) else None
    if ini.is_file():
        if toml is None and is_flask_folder(root):
            return None
        return Layout(root, ini, toml)
    if toml is not None:
        return Layout(root, None, toml)
    if is_flask_folder(root / FLASK_DIR):
        return Layout(root, root / FLASK_DIR / "alembic.ini", None, flask=True)
    if (root / "alembic").is_dir():
        return Layout(root, None, None)
    return None
