"""The one masking function every displayed, logged, raised or stored text goes through.

Masking is by shape (URL user-info, ``password=`` style parameters, token variables) and by
value: every secret read from a ``.env`` file or the environment is registered, so it is also
hidden where it appears in an unexpected form (a driver's error message, a DSN).
"""

from __future__ import annotations

import re
from _thread import allocate_lock  # threading.Lock itself, without importing threading

MASK = "***"

_SECRET_KEYS = (
    r"password|passwd|pwd|pass|sslpassword|secret|token|auth_token|authtoken|api_key|apikey"
    r"|access_key|private_key|sslkey_password"
)
# scheme://user:password@host  (password may contain anything but @ and whitespace; the last @ wins)
_URL_USERINFO = (r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^:/?#@\s'\"]*:)(?P<pw>[^\s'\"]*)(?=@)", 0)
#: an unquoted value ends before a delimiter; a closing ``)``/``]`` or ``:`` right before one belongs
#: to the text around it (a JDBC URL in parentheses, ``password=x):``), not to the value
_VALUE_END = r"(?=[)\]:]*(?:[\s&;,'\"}]|$))"
#: a key is a whole word, optionally with a settings prefix (db_password, PGPASSWORD, ssl_key_password):
#: ``password_reset_token`` or ``password_hash`` name columns and migrations, not secrets
_KEY_PREFIX = r"(?:(?:db|database|mysql|pg|postgres|auth|api|access|client|app|admin|root|user|ssl|sslkey)_?)?"
# key=value in query strings, DSNs and ODBC strings: password=..., PWD=...; sslpassword=...
_KEY_VALUE = (
    rf"(?P<head>(?<![A-Za-z0-9_]){_KEY_PREFIX}(?:{_SECRET_KEYS})(?![A-Za-z0-9_])\s*[=:]\s*)"
    rf"(?:(?P<q>['\"])(?P<qpw>.*?)(?P=q)|(?P<pw>[^\s&;,'\"}}]+?){_VALUE_END})",
    re.IGNORECASE,
)
# VAR_WITH_SECRET_NAME=value in env-file style text (TURSO_AUTH_TOKEN=..., DB_PASSWORD=...)
_ENV_ASSIGN = (
    r"(?P<head>\b[A-Z0-9_]*(?:PASSWORD|PASSWD|TOKEN|SECRET|PWD)[A-Z0-9_]*\s*=\s*)(?P<q>['\"]?)(?P<pw>[^\s'\"]+?)(?P=q)"
    + _VALUE_END,
    0,
)
#: values that are SQL or code, not secrets: ``password = $1``, ``reset_token = NULL``, ``pwd=None``
_NOT_SECRET = re.compile(r"(?:NULL|NONE|DEFAULT|TRUE|FALSE|\$\d+|\?|%s|%\(\w+\)s|:\w+|@\w+)", re.IGNORECASE)
# SQL that sets a password: CREATE/ALTER ROLE ... PASSWORD '...', MySQL's IDENTIFIED BY '...'
_SQL_PASSWORD = (
    r"(?P<head>\b(?:PASSWORD|IDENTIFIED\s+(?:WITH\s+\w+\s+)?BY(?:\s+PASSWORD)?)\s*(?:\(\s*)?)'(?P<pw>(?:[^']|'')*)'",
    re.IGNORECASE,
)
# The patterns are (pattern, flags), compiled on first use through re's own cache: most
# masked texts contain none of the literals below, so e.g. `dbm lint` never pays to compile them.

#: what every match of _KEY_VALUE contains, searched in the lower-cased text (a fast pre-check: the
#: full pattern tries its look-behind and prefixes at every position, ten times slower on a long
#: preview that merely mentions "pass")
_KEY_CUE = (rf"(?:{_SECRET_KEYS})\s*[=:]", 0)
#: substrings every match of _ENV_ASSIGN contains (a fast pre-check)
_ENV_LITERALS = ("PASSWORD", "PASSWD", "TOKEN", "SECRET", "PWD")

_registered: set[str] = set()
_lock = allocate_lock()


#: where a password is split when a parser takes only part of it (an unencoded ``@`` or ``/`` in
#: a URL): each piece of at least FRAGMENT characters is masked too, so a driver's "could not
#: resolve host 'tail@127.0.0.1'" cannot show the tail
_FRAGMENT_SPLIT = re.compile(r"[@/:?#&=\s]+")
FRAGMENT = 5


def register_secret(value: str | None) -> None:
    """Remember a secret value (and its URL-encoded forms and fragments) so it is masked wherever it
    later appears verbatim."""
    if not value or len(value) < 3:
        return
    value = str.__str__(value)
    from urllib.parse import quote, quote_plus

    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value, safe=" +")}
    forms.update(p for p in _FRAGMENT_SPLIT.split(value) if len(p) >= FRAGMENT)
    with _lock:
        _registered.update(f for f in forms if len(f) >= 3)


def mask(text: object) -> str:
    """Return ``text`` with every password, token and registered secret replaced by ``***``."""
    if text is None:
        return ""
    # a str subclass (SecretUrl) masks itself in str(): take its characters as they are
    s = str.__str__(text) if isinstance(text, str) else str(text)
    if not s:
        return s
    # Each pattern needs a literal it cannot match without; checking for it first keeps masking
    # cheap on large outputs (lint JSON of thousands of findings) and changes no result.
    if "://" in s:
        s = re.compile(*_URL_USERINFO).sub(lambda m: m.group("head") + MASK, s)
    low = s.lower()
    if re.compile(*_KEY_CUE).search(low):
        s = re.compile(*_KEY_VALUE).sub(_masked_key_value, s)
    if "'" in s and ("password" in low or "identified" in low):
        s = re.compile(*_SQL_PASSWORD).sub(lambda m: m.group("head") + "'" + MASK + "'", s)
    if any(k in s for k in _ENV_LITERALS):
        s = re.compile(*_ENV_ASSIGN).sub(_masked_assignment, s)
    if _registered:
        with _lock:
            values = sorted(_registered, key=len, reverse=True)
        for value in values:
            if value in s:
                s = _replace_registered(s, value)
    return s


#: MySQL/MariaDB's "Access denied for user 'u'@'h' (using password: YES)": the YES/NO says whether a
#: password was sent, not what it was, so it stays readable (a registered password is still masked)
_MYSQL_USING = re.compile(r"using\s+password:\s*$", re.IGNORECASE)
_MYSQL_ANSWER = ("YES", "NO", "YES)", "NO)")


def _masked_key_value(m: re.Match) -> str:
    if m.group("pw") in _MYSQL_ANSWER and _MYSQL_USING.search(m.string, 0, m.end("head")):
        return m.group(0)
    if m.group("pw") and _NOT_SECRET.fullmatch(m.group("pw")):
        return m.group(0)
    return m.group("head") + (m.group("q") or "") + MASK + (m.group("q") or "")


def _masked_assignment(m: re.Match) -> str:
    if not m.group("q") and _NOT_SECRET.fullmatch(m.group("pw")):
        return m.group(0)
    return m.group("head") + m.group("q") + MASK + m.group("q")


#: registered values this short are masked only as whole words, so a password such as
#: ``postgres`` does not turn ``postgresql+psycopg`` into ``***ql+psycopg``
SHORT_SECRET = 10


def _replace_registered(s: str, value: str) -> str:
    if len(value) > SHORT_SECRET:
        return s.replace(value, MASK)
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", MASK, s)


def mask_obj(value: object) -> object:
    """Mask every string inside a JSON-like structure (dicts, lists, tuples)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: mask_obj(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [mask_obj(v) for v in value]
    return value
