"""Server URLs (PostgreSQL, MySQL/MariaDB) read with SQLAlchemy's ``make_url`` and written back
with user name and password fully percent-encoded, so psycopg, PyMySQL, libpq's client tools and
the Node tools all read the same password. A URL whose user-info two parsers would split
differently is refused with a one-line hint, never guessed.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .dialects import dialect_for
from .errors import ConfigError
from .masking import mask, register_secret
from .secret_url import SecretUrl

SECRET_VARIABLE = re.compile(r"(PASSWORD|PASSWD|TOKEN|SECRET|PWD)", re.IGNORECASE)
# Query parameters that Prisma and other Node drivers accept but libpq/pymysql reject.
NODE_ONLY_PARAMS = {
    "schema",
    "connection_limit",
    "pool_timeout",
    "pgbouncer",
    "sslaccept",
    "socket_timeout",
    "statement_cache_size",
    "connect_timeout_ms",
    "sslidentity",
    "ssl",
    "authToken",
}


#: how to write a password so every tool reads the same URL (shown, never the password itself)
ENCODE_HINT = (
    "percent-encode the password (@ as %40, / as %2F, : as %3A, # as %23, ? as %3F, % as %25; "
    "python3 -c \"import getpass, urllib.parse; print(urllib.parse.quote(getpass.getpass(), safe=''))\"), "
    "or set it apart in DB_PASSWORD"
)


def url_ambiguity(rest: str) -> str | None:
    """The character that makes a URL's user-info ambiguous (after ``scheme://``), if any.

    Tools split such URLs differently (libpq at the first ``@``, Node's URL at the last, every
    parser at the first ``/``), so a host could be guessed from a fragment of the password.
    """
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc, after = rest[:end], rest[end:]
    if netloc.count("@") > 1:
        return "@"
    if "@" not in netloc and after:
        segment = after[1:].split("/", 1)[0]
        if "@" in segment and "=" not in segment.split("@", 1)[0]:
            return after[0]
    return None


#: a server URL (after ``scheme://``) that every parser reads alike and SQLAlchemy would write back
#: unchanged: user-info of unreserved characters and ``%XX`` escapes, a plain host, a numeric port,
#: a plain database name, no query. Most URLs look like this, and importing SQLAlchemy to read
#: them (its package import is about 0.2 s) would make ``dbm status`` that much slower.
_PLAIN = re.compile(
    r"(?:(?P<user>(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*)(?::(?P<pw>(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*))?@)?"
    r"[A-Za-z0-9._-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._$-]*)?"
)


def server_url(driver: str, rest: str, raw: str, at: str) -> tuple[SecretUrl, str | None]:
    plain = _PLAIN.fullmatch(rest)
    if plain:  # nothing to decode, re-encode or drop: SQLAlchemy would render the same text
        if plain.group("pw"):
            from urllib.parse import unquote

            register_secret(unquote(plain.group("pw")))
            register_secret(plain.group("pw"))
        return SecretUrl(f"{driver}://{rest}"), None
    ambiguous = url_ambiguity(rest)
    if ambiguous:
        raise ConfigError(
            f"{at}the database URL {mask(raw)} has an unencoded '{ambiguous}' in its password, so its "
            f"host cannot be told from the password; {ENCODE_HINT}.",
            next_step="Percent-encode the password in the URL, then run again.",
        )
    from sqlalchemy.engine.url import make_url

    try:
        url = make_url(f"{driver}://{rest}")
    except Exception as exc:  # a bad port, an unreadable part: say which URL, never show it
        raise ConfigError(
            f"{at}the database URL {mask(raw)} cannot be read: {mask(exc)}.",
            next_step=f"Check the host and port; {ENCODE_HINT}.",
        ) from None
    if url.password:
        register_secret(str(url.password))
    schema = None
    drop = []
    for key, value in url.query.items():
        values = value if isinstance(value, tuple) else (value,)
        if SECRET_VARIABLE.search(key):
            for v in values:
                register_secret(v)
        if key == "schema" and dialect_for(driver).has_schemas:  # Prisma's ?schema=: the search path
            schema = values[-1]
            drop.append(key)
        elif key in NODE_ONLY_PARAMS:
            drop.append(key)
    if drop:
        url = url.difference_update_query(drop)
    rendered = _render(url)
    register_url_password(rendered)
    return SecretUrl(rendered), schema


def _render(url) -> str:
    """The URL as text with user name and password fully percent-encoded (SQLAlchemy keeps spaces,
    which libpq and Node's URL parser reject), so every tool that reads it gets the same password."""
    if url.username is None and url.password is None:
        return url.render_as_string(hide_password=False)
    bare = url._replace(username="", password=None).render_as_string(hide_password=False)
    scheme, rest = bare.split("://", 1)
    auth = quote(url.username or "", safe="")
    if url.password is not None:
        auth += ":" + quote(str(url.password), safe="")
    return f"{scheme}://{auth}@{rest.partition('@')[2]}"


def register_url_password(raw: str) -> None:
    """Register what stands between the user-info's ``:`` and its last ``@`` as it is written (and
    decoded), so even a URL no parser can read is masked whole."""
    if "://" not in raw:
        return
    rest = raw.split("://", 1)[1]
    head = rest[: rest.rfind("@")] if "@" in rest else ""
    if ":" not in head:
        return
    from urllib.parse import unquote

    written = head.split(":", 1)[1]
    register_secret(written)
    register_secret(unquote(written))
