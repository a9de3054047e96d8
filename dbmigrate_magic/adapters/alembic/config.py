"""Alembic's connection: ``sqlalchemy.url`` in alembic.ini, interpolated as Alembic does
(``%(here)s`` is the ini file's folder, ``%(name)s`` from ``[DEFAULT]``, ``%%`` a literal
percent) plus environment variables written as ``%(VAR)s``, ``${VAR}`` or ``$VAR`` (from .env
files and the process). env.py commonly overrides the URL from a variable
(``os.environ["DATABASE_URL"]``, ``os.getenv(...)``): that variable becomes the preferred one."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from ...config import FoundConnection, config_connection, project_variables, register_config_secrets

#: the URL alembic's templates ship with: not a connection
TEMPLATE_URLS = ("driver://user:pass@localhost/dbname",)
PERCENT_VAR = re.compile(r"%\((\w+)\)s")
SHELL_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")
ENV_READ = re.compile(r"""os\.environ\[\s*['"](\w+)['"]\s*\]|os\.(?:environ\.get|getenv)\(\s*['"](\w+)['"]""")


def _parser(ini: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ini, encoding="utf-8")
    return parser


def interpolate(raw: str, ini: Path, defaults: dict[str, str], variables: dict[str, str]) -> str | None:
    """Expand one value; None when it names a variable that is not set."""
    missing = []

    def percent(m: re.Match) -> str:
        name = m.group(1)
        if name == "here":
            return str(ini.parent)
        for source in (defaults, variables):
            if name in source:
                return source[name]
        missing.append(name)
        return ""

    def shell(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name in variables:
            return variables[name]
        missing.append(name)
        return ""

    value = PERCENT_VAR.sub(percent, raw.replace("%%", "\0"))
    value = SHELL_VAR.sub(shell, value).replace("\0", "%")
    return None if missing else value


def env_py_variables(script_location: Path) -> tuple[str, ...]:
    env_py = script_location / "env.py"
    if not env_py.is_file():
        return ()
    text = env_py.read_text(encoding="utf-8", errors="replace")
    return tuple(dict.fromkeys(a or b for a, b in ENV_READ.findall(text)))


def connections(root: Path, ini: Path | None) -> list[FoundConnection]:
    if ini is None:
        return []
    try:
        parser = _parser(ini)
    except configparser.Error:
        return []
    defaults = dict(parser.defaults())
    variables = project_variables(root)
    found = []
    for section in parser.sections():
        raw = parser.get(section, "sqlalchemy.url", fallback=None)
        if not raw or raw.strip() in TEMPLATE_URLS:
            continue
        value = interpolate(raw.strip(), ini, defaults, variables)
        if not value:
            continue
        register_config_secrets(value)
        found.append(config_connection(None, value, f"{ini.name} [{section}] sqlalchemy.url", ini.parent))
    return found
