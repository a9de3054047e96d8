"""MySQL/MariaDB plans: each ALTER TABLE / CREATE INDEX with ``ALGORITHM=INSTANT`` where this server can,
else ``ALGORITHM=INPLACE, LOCK=NONE``, and a plain statement with the reason when neither is possible.

The server itself decides: each statement is tried with each clause on an empty copy of its tables
(``CREATE TABLE ... LIKE``) in a scratch database on the same server, which is always dropped. So the
answer is the one of this server's version and storage engine, not a table of versions kept here.
"""

from __future__ import annotations

from typing import Any

from ..errors import UsageProblem
from .model import OnlinePlan, Rewrite, Step

INSTANT = ("ALGORITHM=INSTANT", "metadata lock only, for milliseconds: a catalog change, no copy")
INPLACE = (
    "ALGORITHM=INPLACE, LOCK=NONE",
    "reads and writes continue; an exclusive metadata lock briefly at the start and the end",
)
PT_OSC = (
    "pt-online-schema-change (Debian package percona-toolkit) copies the table in chunks while triggers keep "
    "it in step; dbm does not run it yet: `pt-online-schema-change --alter '...' D=db,t=table --execute`, "
    "with the password in a 0600 option file (--defaults-file)"
)


def _tables(sql: str) -> list[str]:
    """Tables a statement names (sqlglot), unqualified: the probe runs them in the scratch database."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="mysql")
    except sqlglot.errors.ParseError as exc:
        raise UsageProblem(
            f"The MySQL parser cannot read `{sql}`: {exc}",
            unchanged="Nothing was written.",
            next_step="Fix the SQL (`dbm lint` points at it), then plan again.",
        ) from None
    if any(t.db for t in tree.find_all(exp.Table)):
        raise UsageProblem(
            f"`{sql}` names a table with its database; the plan probes statements on copies of unqualified tables.",
            unchanged="Nothing was written.",
            next_step="Name the table without its database (use --env for it).",
        )
    return sorted({t.name for t in tree.find_all(exp.Table)})


def _kind(sql: str) -> str | None:
    """'alter' or 'index' for the statements that take an ALGORITHM clause, else None."""
    words = sql.split(None, 3)
    head = " ".join(w.upper() for w in words[:3])
    if "ALGORITHM" in sql.upper():
        return None  # the author chose already
    if head.startswith("ALTER TABLE"):
        return "alter"
    if head.startswith(("CREATE INDEX", "CREATE UNIQUE INDEX", "CREATE FULLTEXT INDEX")):
        return "index"
    return None


def _with(sql: str, kind: str, clause: str) -> str:
    return f"{sql}, {clause}" if kind == "alter" else f"{sql} {clause.replace(',', '')}"


def plan_mysql(sql: str, db: Any, label: str = "change") -> OnlinePlan:
    """The plan for ``sql`` on the server behind ``db``: one step per statement, the best clause it takes.
    (MySQL/MariaDB DDL commits by itself: the tools run each step as a non-transactional migration anyway.)"""
    from sqlalchemy import create_engine, text

    from ..dialects import dialect_for
    from ..scratch import scratch
    from .planner import rule_ids, slug

    kind_of = dialect_for(db)
    statements = [s.sql.strip().rstrip(";").strip() for s in kind_of.split(sql) if s.sql.strip()]
    source = db.engine.url.database
    rewrites: list[Rewrite] = []
    with scratch(db.url) as probe_url:
        from ..db import Database

        probe = Database(probe_url)
        engine = create_engine(probe_url)
        try:
            with engine.connect() as conn:
                copied: set[str] = set()
                for i, statement in enumerate(statements, 1):
                    for table in _tables(statement):
                        found = conn.execute(
                            text("SELECT 1 FROM information_schema.tables WHERE table_schema = :s AND table_name = :t"),
                            {"s": source, "t": table},
                        ).first()
                        if found and table not in copied:
                            conn.exec_driver_sql(
                                f"CREATE TABLE {kind_of.quote(table)} LIKE "
                                f"{kind_of.quote(source)}.{kind_of.quote(table)}"
                            )
                            copied.add(table)
                    name = slug(f"{label}_{i}_" + "_".join(_tables(statement)))
                    rewrites.append(_probe(conn, probe, statement, name, db.url))
        finally:
            engine.dispose()
            probe.dispose()
    before = rule_ids(sql, kind_of.name, True, None)
    after = [r for rw in rewrites for s in rw.steps for r in rule_ids(s.up, kind_of.name, False, None)]
    return OnlinePlan(tuple(rewrites), tuple(sorted(set(before))), tuple(sorted(set(after))))


def _alter_part(statement: str) -> tuple[str, str] | None:
    """(table, the ALTER's actions as written) of ``ALTER TABLE t <actions>``, cut with sqlglot's tokenizer."""
    import sqlglot

    tokens = sqlglot.Dialect.get_or_raise("mysql").tokenize(statement)
    if len(tokens) < 4 or [t.text.upper() for t in tokens[:2]] != ["ALTER", "TABLE"]:
        return None
    return tokens[2].text.strip("`"), statement[tokens[2].end + 1 :].strip()


def _engine_step(statement: str, name: str, url: Any, why: str) -> Rewrite | None:
    from .engines import pt_osc

    cut = _alter_part(statement)
    if cut is None:
        return None
    run = pt_osc(url, cut[0], cut[1], why)
    step = Step(
        name,
        "engine",
        statement + ";",
        None,
        "none for long: rows are copied in chunks while triggers keep the copy in step",
        "milliseconds at the final table swap (RENAME TABLE)",
        engine=run,
    )
    note = "" if run.installed else f" It is not installed here: {run.install}."
    return Rewrite(
        "pt-online-schema-change",
        statement,
        (step,),
        why,
        (f"Runs with pt-online-schema-change: this server can only copy the table for it.{note}",),
    )


def _run_best(conn: Any, sql: str) -> str:
    """Run ``sql`` on the copy with the best ALGORITHM clause the server takes; the SQL that ran."""
    kind = _kind(sql)
    for clause, _ in (INSTANT, INPLACE):
        if kind is None:
            break
        if kind == "index" and clause == INSTANT[0]:
            continue
        try:
            conn.exec_driver_sql(_with(sql, kind, clause))
            return _with(sql, kind, clause)
        except Exception:
            continue
    conn.exec_driver_sql(sql)
    return sql


def _with_reverse(rewrite: Rewrite, conn: Any, probe: Any, before: Any) -> Rewrite:
    """``rewrite``'s one step with its down SQL (see ``mysql_reverse``), or a note saying why it has none."""
    from dataclasses import replace

    from .mysql_reverse import reverse_of

    step = rewrite.steps[0]
    back = reverse_of(conn, probe, before, step.up.rstrip().rstrip(";"), _run_best)
    notes = rewrite.notes + ((f"{step.name}: {back.note}",) if back.note else ())
    return replace(rewrite, steps=(replace(step, down=back.down),), notes=notes)


def _probe(conn: Any, probe: Any, statement: str, name: str, url: Any = None) -> Rewrite:
    """The step for ``statement`` (``_forward``) with its reverse, both tried on the scratch copy."""
    from .mysql_reverse import read_schema

    before = read_schema(probe)
    return _with_reverse(_forward(conn, statement, name, url), conn, probe, before)


def _forward(conn: Any, statement: str, name: str, url: Any = None) -> Rewrite:
    """Try INSTANT, then INPLACE + LOCK=NONE, on the scratch copy; the first the server accepts wins."""
    kind = _kind(statement)
    reasons = []
    if kind is not None:
        for clause, held in (INSTANT, INPLACE):
            if kind == "index" and clause == INSTANT[0]:
                continue  # an index is built, never instant
            try:
                conn.exec_driver_sql(_with(statement, kind, clause))
            except Exception as exc:
                reasons.append(str(getattr(exc, "orig", exc)).split("\n")[0])
                continue
            step = Step(name, "online", _with(statement, kind, clause) + ";", None, clause, held)
            return Rewrite(clause.split(",")[0].split("=")[1].lower(), statement, (step,), f"{clause} on this server")
    try:
        conn.exec_driver_sql(statement)  # keep the scratch copy in step for the statements after it
    except Exception as exc:
        raise UsageProblem(
            f"`{statement}` fails on an empty copy of its tables: {str(getattr(exc, 'orig', exc)).splitlines()[0]}",
            unchanged="Nothing was written.",
            next_step="Fix the statement, then plan again.",
        ) from None
    if kind is None:
        step = Step(
            name,
            "as written",
            statement + ";",
            None,
            "as the statement takes",
            "see the lint findings",
        )
        return Rewrite("as written", statement, (step,), "no ALGORITHM clause applies to this statement")
    step = Step(
        name,
        "copy",
        statement + ";",
        None,
        "the table is copied; writes wait (SHARED lock) meanwhile",
        "the whole copy of the table",
    )
    why = (
        "neither ALGORITHM=INSTANT nor ALGORITHM=INPLACE, LOCK=NONE is possible on this server ("
        + "; ".join(reasons)
        + ")"
    )
    engine = _engine_step(statement, name, url, why) if url is not None and kind == "alter" else None
    return engine or Rewrite("copy", statement, (step,), why, (PT_OSC,))
