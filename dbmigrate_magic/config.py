"""Environments and connection settings: where a database URL comes from, and which is active.

Sources, in precedence order within one environment: the process environment, ``.env.<name>.local``,
``.env.local``, ``.env.<name>``, ``.env`` (the order dotenv-flow and Next.js use), then the tools' own
configs (each adapter's ``config_connections``). ``.env`` and ``.env.local`` belong to the process's
environment: development, unless ``DBM_ENV`` names another. Every URL is normalised for SQLAlchemy
and every secret value is registered with the masking function as soon as it is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from .dialects import dialect_for, find_dialect, tool_words
from .dotenv_file import read_dotenv_file
from .errors import ConfigError
from .masking import mask, register_secret
from .secret_url import SecretUrl, secret_url
from .server_url import NODE_ONLY_PARAMS, SECRET_VARIABLE, register_url_password, server_url

DEFAULT_ENV = "development"
PRODUCTION_WORDS = ("production", "prod", "live")
#: variables that hold a whole URL, in the order they are preferred
URL_VARIABLES = (
    "DATABASE_URL",
    "SQLALCHEMY_DATABASE_URI",
    "POSTGRES_URL",
    "POSTGRES_PRISMA_URL",
    "TURSO_DATABASE_URL",
)
PART_VARIABLES = ("DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD")


@dataclass(frozen=True)
class FoundConnection:
    """One place a connection for an environment was found."""

    environment: str
    url: str = field(repr=False)  # normalised SQLAlchemy URL, may hold a password
    source: str  # human description: file and variable
    precedence: int  # lower wins
    note: str | None = None
    schema: str | None = None  # Prisma ?schema=..., removed from ``url`` because drivers reject it
    declared_env: str | None = None  # DBM_ENV written in the same source (``DBM_ENV=production``)
    #: why this setting cannot be used (file, line, variable; masked): the environment's own verbs
    #: raise it, every other environment keeps working
    problem: str | None = None
    #: not a connection but a line of a ``.env`` file that python-dotenv skipped or reads unlike the
    #: Node tools: its ``note`` is shown for the environment whichever connection it uses
    file_note: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", secret_url(self.url) or SecretUrl(""))

    @property
    def masked_url(self) -> str:
        return mask(self.url)


@dataclass(frozen=True)
class Environment:
    name: str
    url: str | None = field(repr=False)
    source: str | None
    production: bool
    classification: str  # why it is (not) production
    found: tuple[FoundConnection, ...] = ()
    schema: str | None = None  # Prisma ?schema=..., kept aside because drivers reject it

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", secret_url(self.url))

    @property
    def masked_url(self) -> str | None:
        return mask(self.url) if self.url else None

    @property
    def problem(self) -> str | None:
        """Why this environment has no usable connection (a malformed setting), if that is why."""
        if self.url:
            return None
        return next((f.problem for f in self.found if f.problem), None)

    @property
    def dialect(self) -> str | None:
        return dialect_of(self.url) if self.url else None

    @property
    def note(self) -> str | None:
        """What to know about the chosen connection (e.g. the settings had to be imported), and the
        lines of this environment's ``.env`` files that were skipped or read unlike the Node tools."""
        notes = [f.note for f in self.found if f.source == self.source and f.note and not f.file_note][:1]
        notes += [f.note for f in self.found if f.file_note and f.note and f.source != self.source]
        return " ".join(notes) or None

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "url": self.masked_url,
            "dialect": self.dialect,
            "source": self.source,
            "production": self.production,
            "classification": self.classification,
            "schema": self.schema,
            "note": self.note,
            "found": [{"url": f.masked_url, "source": f.source, "note": f.note} for f in self.found],
        }


# --- names and classification ------------------------------------------------------------


def env_name_for_file(filename: str) -> str | None:
    """Map ``.env``, ``.env.local``, ``.env.staging.local`` ... to an environment name."""
    if filename in (".env", ".env.local"):
        return process_env_name()
    if not filename.startswith(".env."):
        return None
    name = filename[len(".env.") :]
    if name.endswith(".local"):
        name = name[: -len(".local")]
    if name in ("example", "sample", "template", "dist", "defaults"):
        return None
    return canonical_env_name(name)


def canonical_env_name(name: str) -> str:
    lowered = name.strip().lower()
    return {"dev": DEFAULT_ENV, "develop": DEFAULT_ENV, "local": DEFAULT_ENV}.get(lowered, lowered)


def classify(name: str, declared: str | None = None) -> tuple[bool, str]:
    """Whether an environment is production, with the reason shown to the user.

    Production when the name says so (production, prod, live), or when ``DBM_ENV=production`` is
    set for it: in one of its own ``.env`` files, or in the process for the process's environment.
    """
    lowered = name.lower()
    for word in PRODUCTION_WORDS:
        if re.search(rf"(^|[^a-z]){word}([^a-z]|$)", lowered):
            return True, f"production: named '{name}'"
    if declared and declared.strip().lower() in PRODUCTION_WORDS:
        return True, f"production: DBM_ENV={declared.strip()} set for it"
    dbm_env = os.environ.get("DBM_ENV", "").strip().lower()
    if dbm_env in PRODUCTION_WORDS and name == process_env_name():
        return True, f"production: DBM_ENV={dbm_env} in the process"
    return False, "not production: not named production, prod or live"


def process_env_name() -> str:
    """The environment the process's own variables belong to: DBM_ENV, else development."""
    value = os.environ.get("DBM_ENV")
    return canonical_env_name(value) if value else DEFAULT_ENV


# --- URLs --------------------------------------------------------------------------------


def dialect_of(url: str) -> str:
    from .dialects import name_of_url

    return name_of_url(url)


#: URL schemes the tools write for a server dialect (the driver is replaced by ours)


def normalise_url(raw: str, base_dir: Path | None = None, where: str | None = None) -> tuple[SecretUrl, str | None]:
    """Return a SQLAlchemy URL for a URL written for any tool, and a Prisma ``schema`` if given.

    ``postgres://``/``postgresql://`` -> psycopg, ``mysql://``/``mariadb://`` -> pymysql,
    ``file:./dev.db`` -> an absolute sqlite path resolved against ``base_dir`` (the folder of
    the file that named it, as Prisma resolves it), bare ``*.db`` paths likewise. Server URLs are
    read with SQLAlchemy's ``make_url`` and written back with every part percent-encoded; a URL
    that cannot be read raises ``ConfigError`` naming ``where`` (file, line, variable).
    """
    raw = str.__str__(raw).strip()
    base_dir = base_dir or Path.cwd()
    at = f"{where}: " if where else ""
    if not raw:
        raise ConfigError(f"{at}An empty database URL was found.", next_step="Set DATABASE_URL to a full URL.")
    if raw.startswith("file:"):
        path = raw[len("file:") :].split("?", 1)[0]
        if path.startswith("//"):
            path = path[2:]
        return _sqlite_url(path, base_dir), None
    if raw == ":memory:":
        return SecretUrl("sqlite://"), None
    if "://" not in raw:
        if raw.endswith((".db", ".sqlite", ".sqlite3")) or raw.startswith((".", "/")):
            return _sqlite_url(raw, base_dir), None
        raise ConfigError(
            f"{at}'{mask(raw)}' is not a database URL.",
            next_step="Use a URL such as postgresql://user@host/db, mysql://user@host/db or sqlite:///path.db.",
        )
    scheme, rest = raw.split("://", 1)
    scheme_l = scheme.lower()
    if scheme_l == "sqlite3":  # golang-migrate's form: the rest is the path as written, x- options kept
        file_path, _, options = rest.partition("?")
        kept = "&".join(o for o in options.split("&") if o.startswith("x-"))
        return SecretUrl(str.__str__(_sqlite_url(file_path, base_dir)) + (f"?{kept}" if kept else "")), None
    if scheme_l.startswith("sqlite"):
        if rest.startswith("/") and not rest.startswith("//") and rest not in ("", "/"):
            path = rest[1:]
            if not path or path == ":memory:":
                return SecretUrl("sqlite://"), None
            return _sqlite_url(path, base_dir), None
        return SecretUrl(f"sqlite://{rest}"), None
    driver = DIALECT_SCHEMES.get(scheme_l, scheme_l)
    register_url_password(raw)
    server = find_dialect(driver)
    if server is not None and not server.embedded:
        return server_url(driver, rest, raw, at)
    try:
        parts = urlsplit(f"{driver}://{rest}")
        password = parts.password
    except ValueError as exc:
        raise ConfigError(
            f"{at}the database URL {mask(raw)} cannot be read ({mask(exc)}).",
            next_step="Percent-encode special characters in the user name and password (e.g. [ as %5B).",
        ) from None
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if SECRET_VARIABLE.search(key):
            register_secret(value)
        if key in NODE_ONLY_PARAMS and not driver.startswith(("libsql", "sqlite")):
            continue
        query.append((key, value))
    if password:
        from urllib.parse import unquote

        register_secret(unquote(password))
        register_secret(password)
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))
    return SecretUrl(url), None


def _sqlite_url(path: str, base_dir: Path) -> SecretUrl:
    p = Path(path)
    if not p.is_absolute():
        p = (base_dir / p).resolve()
    return SecretUrl(f"sqlite:///{p}")


def url_from_parts(values: dict[str, str], scheme_hint: str | None = None) -> str | None:
    """Build a URL from DB_HOST/DB_PORT/DB_NAME/DB_USER/DB_PASSWORD (dialect from DB_DIALECT or port)."""
    host = values.get("DB_HOST")
    name = values.get("DB_NAME")
    if not host or not name:
        return None
    port = values.get("DB_PORT") or ""
    dialect_hint = (
        values.get("DB_DIALECT")
        or values.get("DB_CLIENT")
        or values.get("DB_ENGINE")
        or values.get("DB_TYPE")
        or scheme_hint
        or ""
    ).lower()
    # a server's family from any spelling that names it (mysql2, mariadb, django.db.backends.mysql);
    # with no hint, MySQL's port says MySQL; anything else is PostgreSQL
    mysql = dialect_for("mysql")
    if any(word in dialect_hint for word in (*mysql.aliases, "maria")) or (not dialect_hint and port == "3306"):
        scheme = mysql.driver_scheme
    else:
        scheme = dialect_for("postgresql").driver_scheme
    user = values.get("DB_USER") or ""
    password = values.get("DB_PASSWORD")
    if password:
        register_secret(password)
    auth = quote(user, safe="")  # every part percent-encoded: normalise_url reads it back exactly
    if password:
        auth += ":" + quote(password, safe="")
    if auth:
        auth += "@"
    hostport = host + (f":{port}" if port else "")
    return f"{scheme}://{auth}{hostport}/{quote(name, safe='')}"


#: the tools' words for a server dialect, as the SQLAlchemy scheme (with driver) it means
DIALECT_SCHEMES = {
    word: dialect_for(name).driver_scheme
    for word, name in tool_words(
        postgresql=("postgres", "postgresql", "pg", "psql", "cockroachdb"), mysql=("mysql", "mysql2", "mariadb")
    ).items()
}
SQLITE_WORDS = ("sqlite", "sqlite3", "better-sqlite3", "better-sqlite", "sqljs", "capacitor", "expo")


def url_from_fields(
    kind: str | None,
    *,
    host: object = None,
    port: object = None,
    user: object = None,
    password: object = None,
    database: object = None,
    base_dir: Path | None = None,
) -> str | None:
    """A SQLAlchemy URL from a tool config's separate fields (knexfile ``connection``, ormconfig,
    Django ``DATABASES``). ``kind`` is the tool's word for the dialect (pg, mysql2, sqlite3 ...);
    for SQLite ``database`` is the file, relative to ``base_dir``."""
    word = (kind or "").strip().lower()
    word = word.rsplit(".", 1)[-1]  # django.db.backends.postgresql -> postgresql
    word = {"postgresql_psycopg2": "postgresql"}.get(word, word)
    if word in SQLITE_WORDS or word.startswith("sqlite"):
        if not database:
            return None
        name = str(database)
        if name == ":memory:":
            return "sqlite://"
        return normalise_url(name if name.startswith("file:") else "file:" + name, base_dir)[0]
    scheme = DIALECT_SCHEMES.get(word)
    if scheme is None:
        if not word and port is not None and str(port) == "3306":
            scheme = dialect_for("mysql").driver_scheme
        elif not word and host:
            scheme = dialect_for("postgresql").driver_scheme
        else:
            return None
    if password:
        register_secret(str(password))
    auth = quote(str(user), safe="") if user else ""
    if password:
        auth += ":" + quote(str(password), safe="")
    if auth:
        auth += "@"
    hostport = str(host or "localhost") + (f":{port}" if port not in (None, "") else "")
    db = quote(str(database), safe="") if database else ""
    return f"{scheme}://{auth}{hostport}/{db}"


def register_config_secrets(value: object) -> None:
    """Register every literal secret in a parsed config (``password`` keys, URL passwords) for masking."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (str, int)) and SECRET_VARIABLE.search(str(key)) or str(key).lower() in ("pass",):
                register_secret(str(item))
            else:
                register_config_secrets(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            register_config_secrets(item)
    elif isinstance(value, str) and "://" in value:
        register_url_password(value.strip())


#: tool configs rank after the process environment and every ``.env`` file
CONFIG_PRECEDENCE = 20


def config_connection(
    environment: str | None, raw_url: str, source: str, base_dir: Path, note: str | None = None
) -> FoundConnection:
    """A connection named in a tool's own config file, normalised; a malformed URL is kept with a note."""
    env = canonical_env_name(environment) if environment else process_env_name()
    try:
        url, schema = normalise_url(raw_url, base_dir, source)
    except ConfigError as exc:
        return FoundConnection(env, "", source, CONFIG_PRECEDENCE, exc.what, problem=exc.what)
    return FoundConnection(env, url, source, CONFIG_PRECEDENCE, note, schema)


# --- discovery ---------------------------------------------------------------------------


def _register_secret_values(values: Mapping[str, str | None]) -> None:
    for key, value in values.items():
        if value and SECRET_VARIABLE.search(key):
            register_secret(value)


def connections_from_values(
    values: Mapping[str, str | None],
    environment: str,
    source: str,
    precedence: int,
    base_dir: Path,
    preferred: Iterable[str] = (),
    lines: dict[str, int] | None = None,
) -> list[FoundConnection]:
    """Connections named by a set of variables (one ``.env`` file, or the process environment);
    ``lines`` numbers each variable's line in its file, for error messages."""
    _register_secret_values(values)
    declared = values.get("DBM_ENV") or None
    found: list[FoundConnection] = []
    seen: set[str] = set()
    for var in (*preferred, *URL_VARIABLES):
        if var in seen:
            continue
        seen.add(var)
        raw = values.get(var)
        if not raw:
            continue
        note = None
        if var == "TURSO_DATABASE_URL":
            token = values.get("TURSO_AUTH_TOKEN")
            if token:
                register_secret(token)
                sep = "&" if "?" in raw else "?"
                raw = f"{raw}{sep}authToken={token}"
            note = "Turso/libSQL: needs the sqlalchemy-libsql driver to connect"
        where = _where(source, lines, var)
        try:
            url, schema = normalise_url(raw, base_dir, where)
        except ConfigError as exc:
            found.append(_unusable(environment, f"{source} ({var})", precedence, exc.what, declared))
            continue
        found.append(FoundConnection(environment, url, f"{source} ({var})", precedence, note, schema, declared))
    parts_url = url_from_parts({k: v for k, v in values.items() if v})
    if parts_url:
        label = f"{source} (DB_HOST, DB_NAME, ...)"
        try:
            url, _schema = normalise_url(parts_url, base_dir, _where(source, lines, "DB_HOST", "DB_PORT", "DB_NAME"))
        except ConfigError as exc:
            found.append(_unusable(environment, label, precedence, exc.what, declared))
        else:
            found.append(FoundConnection(environment, url, label, precedence, declared_env=declared))
    return found


def _where(source: str, lines: dict[str, int] | None, *variables: str) -> str:
    """``.env.staging line 3 (DATABASE_URL)``: where a setting was read, for error messages."""
    numbers = [lines[v] for v in variables if lines and v in lines]
    at = f" line {min(numbers)}" if numbers else ""
    return f"{source}{at} ({', '.join(v for v in variables if not lines or v in lines) or variables[0]})"


def _unusable(environment: str, source: str, precedence: int, problem: str, declared: str | None) -> FoundConnection:
    return FoundConnection(environment, "", source, precedence, problem, None, declared, problem)


def dotenv_files(root: Path) -> list[tuple[Path, str, int]]:
    """The ``.env*`` files in ``root`` with their environment and precedence (lower wins):
    ``.env.<name>.local`` 10, ``.env.local`` 11, ``.env.<name>`` 12, ``.env`` 13."""
    out = []
    for path in sorted(root.glob(".env*")):
        if not path.is_file():
            continue
        env = env_name_for_file(path.name)
        if env is None:
            continue
        local = path.name.endswith(".local")
        specific = path.name not in (".env", ".env.local")
        precedence = {(True, True): 10, (False, True): 11, (True, False): 12, (False, False): 13}[(specific, local)]
        out.append((path, env, precedence))
    return out


def read_dotenv(path: Path) -> dict[str, str | None]:
    values = read_dotenv_file(path).values
    _register_secret_values(values)
    return values


def dotenv_connections(
    root: Path, preferred: Iterable[str] = (), base_dir: Path | None = None
) -> list[FoundConnection]:
    """Connections in ``.env*`` files in the project root; relative SQLite paths resolve against
    ``base_dir`` (Prisma: the schema file's folder), default the root."""
    preferred = tuple(preferred)
    found: list[FoundConnection] = []
    for path, env, precedence in dotenv_files(root):
        read = read_dotenv_file(path)
        _register_secret_values(read.values)
        if read.problem:
            found.append(_unusable(env, path.name, precedence, read.problem, None))
            continue
        for variable, note in read.skipped:
            # a connection variable that was skipped leaves the environment unusable from this file
            problem = note if variable in (*URL_VARIABLES, *PART_VARIABLES, *preferred) else None
            source = f"{path.name} ({variable or 'a line'})"
            found.append(FoundConnection(env, "", source, precedence, note, problem=problem, file_note=True))
        found.extend(
            connections_from_values(read.values, env, path.name, precedence, base_dir or root, preferred, read.lines)
        )
    return found


def process_connections(
    root: Path, preferred: Iterable[str] = (), base_dir: Path | None = None
) -> list[FoundConnection]:
    names = set(URL_VARIABLES) | set(PART_VARIABLES) | {"TURSO_AUTH_TOKEN", "DB_DIALECT", "DB_CLIENT", "DBM_ENV"}
    names |= set(preferred)
    values = {k: os.environ[k] for k in names if k in os.environ}
    return connections_from_values(values, process_env_name(), "process environment", 0, base_dir or root, preferred)


def project_variables(root: Path, environment: str | None = None) -> dict[str, str]:
    """Variables a tool config of ``environment`` would see: its ``.env*`` files, then the process
    environment on top (configs such as alembic.ini or knexfile interpolate these)."""
    wanted = canonical_env_name(environment) if environment else process_env_name()
    merged: dict[str, str] = {}
    for path, env, _precedence in sorted(dotenv_files(root), key=lambda t: -t[2]):
        if env == wanted:
            merged.update({k: v for k, v in read_dotenv(path).items() if v is not None})
    merged.update(os.environ)
    return merged


def build_environments(found: list[FoundConnection]) -> list[Environment]:
    by_env: dict[str, list[FoundConnection]] = {}
    for f in found:
        by_env.setdefault(f.environment, []).append(f)
    envs = []
    for name in sorted(by_env, key=lambda n: (n != DEFAULT_ENV, n)):
        candidates = tuple(sorted(by_env[name], key=lambda f: f.precedence))
        if all(c.file_note and not c.problem for c in candidates):
            continue  # only notes about lines that name no connection: not an environment
        usable = [c for c in candidates if "://" in c.url and not c.problem]
        chosen = usable[0] if usable else candidates[0]
        declared = next((c.declared_env for c in candidates if c.declared_env), None)
        production, why = classify(name, declared)
        envs.append(Environment(name, chosen.url or None, chosen.source, production, why, candidates, chosen.schema))
    return envs


def environment_from_url(
    url: str, name: str = "url", base_dir: Path | None = None, where: str = "the URL given with --env"
) -> Environment:
    """An ad-hoc environment for a URL given on the command line (``where`` names it in errors)."""
    normalised, schema = normalise_url(url, base_dir, where)
    production, why = classify(name)
    return Environment(name, normalised, "given on the command line", production, why, (), schema)
