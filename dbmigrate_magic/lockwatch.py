"""Who holds the lock a migration statement waits for, asked while it waits.

A statement blocked on a lock is silent until ``lock_timeout``; a person watching wants to know at
once which session holds it and since when. While a run has a progress listener, a thread polls
the server over a second connection (the dialect's ``blockers_sql``: PostgreSQL's
``pg_blocking_pids``/``pg_stat_activity``, MariaDB's ``innodb_lock_waits``/processlist) whenever
the runner's current statement has waited longer than ``after`` seconds, and reports the holders.
"""

from __future__ import annotations

import threading
import time
from contextvars import copy_context
from typing import Any

from . import progress
from .masking import mask


def describe(rows: list[tuple]) -> str:
    """``session 4711 (app_user, psql) in a transaction for 33s: idle in transaction; last: SELECT ...``."""
    parts = []
    for sid, user, app, seconds, state, query in rows[:3]:
        who = ", ".join(x for x in (str(user or ""), str(app or "")) if x)
        last = " ".join(str(query or "").split())[:80]
        parts.append(
            f"session {sid}" + (f" ({who})" if who else "") + f" in a transaction for {int(seconds or 0)}s"
            f"{': ' + str(state) if state else ''}{'; last: ' + last if last else ''}"
        )
    if len(rows) > 3:
        parts.append(f"and {len(rows) - 3} more")
    return mask("; ".join(parts)) if parts else "another session (the server does not say which)"


class LockWatch:
    """A context manager around a run: inactive unless someone listens and the dialect can tell."""

    def __init__(self, session: Any, clock: progress.Clock, after: float = 1.0, every: float = 1.0) -> None:
        self.session, self.clock, self.after, self.every = session, clock, after, every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: Any = None
        self.backend: Any = None
        self.reported = ""

    def __enter__(self) -> LockWatch:
        kind = self.session.kind
        if not progress.listening() or kind.backend_id_sql is None:
            return self
        self.backend = self.session.query(kind.backend_id_sql)[0][0]
        ctx = copy_context()  # the listener lives in a context variable: the thread runs in a copy
        self._thread = threading.Thread(target=lambda: ctx.run(self._loop), name="dbm-lockwatch", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            since = self.session.running_since
            if since is None or time.monotonic() - since < self.after:
                continue
            try:
                rows = self._blockers()
            except Exception:
                continue  # no rights on the views, or the server went away: the run itself reports that
            if rows:
                waited = time.monotonic() - since
                self.reported = f"{describe(rows)} (waiting {waited:.0f}s)"
                self.clock.event("lock", detail=self.reported)

    def _blockers(self) -> list[tuple]:
        kind = self.session.kind
        if self._conn is None:
            proxy = self.session.db.raw_connection()
            self._conn = proxy
            kind.set_autocommit(getattr(proxy, "driver_connection", None) or proxy.dbapi_connection)
        conn = getattr(self._conn, "driver_connection", None) or self._conn.dbapi_connection
        sql = kind.blockers_sql
        cur = conn.cursor()
        cur.execute(sql, (self.backend,) * sql.count("%s"))
        return list(cur.fetchall())
