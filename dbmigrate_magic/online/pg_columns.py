"""Column rewrites for PostgreSQL: add a NOT NULL column, change a column's type, rename a column.

Each becomes expand -> backfill -> validate -> switch -> contract migrations: the new column is
added empty (a catalog change), filled in batches, proved NOT NULL with a ``CHECK ... NOT VALID``
that is validated without blocking writes (PostgreSQL 12+ then sets NOT NULL without a scan), and
swapped in with catalog-only statements; a trigger keeps old and new columns in step meanwhile.
"""

from __future__ import annotations

from ..errors import UsageProblem
from .model import Backfill, Rewrite, Step
from .pg_live import LiveSchema, User
from .pg_references import KeyCopies, refuse_unsupported
from .pg_sql import (
    BACKFILL,
    BACKFILLED,
    CATALOG,
    CONCURRENT,
    TRIGGER,
    VALIDATE,
    backfilled_check,
    lock,
    pg_name,
    q,
    sync_function,
)

_NOTHING_TO_UNDO = "SELECT 1;  -- nothing to undo"


def _blocked(users: list[User], table: str, column: str, what: str) -> None:
    """Refuse a column copy while other objects use the column: they would stay on the old one."""
    blocking = [u for u in users if u.kind != "sequence"]
    if blocking:
        listed = ", ".join(u.describe() for u in blocking)
        raise UsageProblem(
            f"Cannot plan {what} of {table}.{column} online: {listed} use{'s' if len(blocking) == 1 else ''} it, "
            "and a copied column would leave them on the old one.",
            unchanged="Nothing was written.",
            next_step="Drop those objects in a migration before the plan and recreate them on the new column after "
            "it (indexes CONCURRENTLY), or make the change in a maintenance window.",
        )


def _expand_sql(table: str, add_column: str, check: str | None, create: str) -> str:
    """The sync function first (it locks no table), then one ALTER TABLE, then the trigger: the
    table's ACCESS EXCLUSIVE lock, which every writer queues behind, is held as briefly as it can be."""
    function, trigger = create.split("\nCREATE TRIGGER ", 1)
    actions = ", ".join([add_column, *([check] if check else [])])
    return f"{function}\nALTER TABLE {table} {actions};\nCREATE TRIGGER {trigger}"


def _backfilled(name: str, table: str, behind: str, fill: Step) -> Step:
    """For a nullable copy (no NOT NULL CHECK to validate): a step that fails until the backfill is
    done, so running the migrations without it cannot switch to (or drop behind) an empty column."""
    assert fill.backfill is not None
    return Step(
        name,
        "validate",
        backfilled_check(table, behind, fill.backfill),
        _NOTHING_TO_UNDO,
        *lock(BACKFILLED, table),
        then="every row is backfilled (this step fails, changing nothing, while one is not)",
    )


def _not_null_check(table_name: str, column: str) -> str:
    return pg_name(table_name, [column], "not_null")


def add_not_null_column(
    statement: str, table: str, table_name: str, column: str, type_sql: str, default: str
) -> Rewrite:
    """``ADD COLUMN c T NOT NULL DEFAULT <volatile>``: nullable + default, backfill, CHECK NOT VALID,
    VALIDATE, SET NOT NULL, drop the CHECK (PostgreSQL 12+)."""
    c, check = q(column), q(_not_null_check(table_name, column))
    expand = Step(
        f"expand_{table_name}_{column}",
        "expand",
        f"ALTER TABLE {table} ADD COLUMN {c} {type_sql};\n"
        f"ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT {default};\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;",
        f"ALTER TABLE {table} DROP COLUMN IF EXISTS {c};",
        *lock(CATALOG, table),
        then="deploy 1 (optional): code may start writing the column; new rows get the default already",
    )
    fill = Step(
        f"backfill_{table_name}_{column}",
        "backfill",
        *("", None),
        *lock(BACKFILL, table),
        then="every existing row has a value",
        backfill=Backfill(table, f"{c} = {default}", f"{c} IS NULL"),
    )
    validate = Step(
        f"validate_{table_name}_{column}_not_null",
        "validate",
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
        f"ALTER TABLE {table} DROP CONSTRAINT {check};\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;",
        *lock(VALIDATE, table),
    )
    switch = Step(
        f"set_{table_name}_{column}_not_null",
        "switch",
        f"ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;\nALTER TABLE {table} DROP CONSTRAINT {check};",
        f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;\n"
        f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};\n"
        f"ALTER TABLE {table} ALTER COLUMN {c} DROP NOT NULL;",
        "ACCESS EXCLUSIVE on " + table,
        "milliseconds: SET NOT NULL uses the validated CHECK instead of scanning (PostgreSQL 12+)",
    )
    return Rewrite(
        "add-not-null-column",
        statement,
        (expand, fill, validate, switch),
        f"a volatile default ({default}) makes ADD COLUMN rewrite the whole table under ACCESS EXCLUSIVE",
    )


def change_type(
    statement: str, table: str, table_name: str, column: str, new_type: str, using: str | None, live: LiveSchema
) -> Rewrite:
    """``ALTER COLUMN c TYPE T [USING e]``: a new column kept in step by a trigger, backfilled,
    proved NOT NULL, swapped in by two renames, the old one dropped after the bake period."""
    old = live.column(table, column)
    users = live.users(table, column)
    pkey = next((u.constraint for u in users if u.is_primary_key and u.kind == "index"), None)
    refs = live.references(table, column) if pkey is not None else []
    refuse_unsupported(refs, table, column)
    follow = {r.name for r in refs}  # foreign keys on the key get copies that follow it (pg_references)
    others = [u for u in users if not u.is_primary_key and not (u.kind == "referenced by" and u.constraint in follow)]
    _blocked(others, table, column, "a type change")
    sequences = [u.name for u in users if u.kind == "sequence"]
    c, new, prev = q(column), q(f"{column}__new"), q(f"{column}__old")
    value = using if using else f"{c}::{new_type}"
    back = f"{c}::{old.type_sql}"
    fn = pg_name(f"dbm_sync_{table_name}", [column], "")
    if using:  # the expression names columns as written: evaluate it over the new row
        assign = f"  NEW.{new} := (SELECT {value} FROM (SELECT NEW.*) AS r);"
    else:  # the common case, a plain cast: no subquery per row (the backfill's rows fire it too)
        assign = f"  NEW.{new} := NEW.{c}::{new_type};"
    create, drop = sync_function(fn, table, assign)
    check = q(_not_null_check(table_name, f"{column}__new"))
    guard = f"ADD CONSTRAINT {check} CHECK ({new} IS NOT NULL) NOT VALID" if old.not_null else None
    expand = Step(
        f"expand_{table_name}_{column}_type",
        "expand",
        _expand_sql(table, f"ADD COLUMN {new} {new_type}", guard, create),
        f"{drop}\nALTER TABLE {table} DROP COLUMN IF EXISTS {new};",
        *lock(TRIGGER, table),
        then="deploy 2: nothing to deploy (the trigger writes the new column for every insert and update)",
    )
    fill = Step(
        f"backfill_{table_name}_{column}_type",
        "backfill",
        *("", None),
        *lock(BACKFILL, table),
        then="deploy 3: every row has the new value",
        backfill=Backfill(table, f"{new} = {value}"),
    )
    steps = [expand, fill]
    if not old.not_null:
        behind = f"{new} IS DISTINCT FROM {value}"
        steps.append(_backfilled(f"check_{table_name}_{column}_type_backfilled", table, behind, fill))
    if old.not_null:
        steps.append(
            Step(
                f"validate_{table_name}_{column}_type",
                "validate",
                f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
                f"ALTER TABLE {table} DROP CONSTRAINT {check};\n"
                f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({new} IS NOT NULL) NOT VALID;",
                *lock(VALIDATE, table),
            )
        )
    key_index = q(pg_name(table_name, [f"{column}__new"], "key"))
    copies = KeyCopies(tuple(refs), table, new)
    if pkey is not None:  # the new column's unique index, built without blocking writes, becomes the key
        steps.append(
            Step(
                f"index_{table_name}_{column}_new_key",
                "index",
                f"CREATE UNIQUE INDEX CONCURRENTLY {key_index} ON {table} ({new});",
                f"DROP INDEX CONCURRENTLY IF EXISTS {key_index};",
                *lock(CONCURRENT, table),
                transactional=False,
            )
        )
        if refs:  # referencing foreign keys copied onto the new column's unique index
            steps += copies.steps(table_name, column)
    fk_up, fk_up_last = copies.switch_up()
    fk_down_first, fk_down_last = copies.switch_down()
    up = [
        *fk_up[:1],  # with foreign keys to move: every table locked first, the key's table first
        f"{drop}",
        *fk_up[1:],
        *([f"ALTER TABLE {table} DROP CONSTRAINT {q(pkey)};"] if pkey else []),
        f"ALTER TABLE {table} RENAME COLUMN {c} TO {prev};",
        f"ALTER TABLE {table} RENAME COLUMN {new} TO {c};",
        *[f"ALTER SEQUENCE {s} OWNED BY {table}.{c};" for s in sequences],  # else dropped with the old column
    ]
    down = [
        f"ALTER TABLE {table} RENAME COLUMN {c} TO {new};",
        f"ALTER TABLE {table} RENAME COLUMN {prev} TO {c};",
        *[f"ALTER SEQUENCE {s} OWNED BY {table}.{c};" for s in sequences],
    ]
    if old.default is not None:
        up += [f"ALTER TABLE {table} ALTER COLUMN {prev} DROP DEFAULT;"]
        up += [f"ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT {old.default};"]
        down = [f"ALTER TABLE {table} ALTER COLUMN {c} DROP DEFAULT;", *down]
        down += [f"ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT {old.default};"]
    if old.not_null:
        up += [f"ALTER TABLE {table} ALTER COLUMN {prev} DROP NOT NULL;"]
        up += [f"ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;", f"ALTER TABLE {table} DROP CONSTRAINT {check};"]
        down = [f"ALTER TABLE {table} ALTER COLUMN {c} DROP NOT NULL;", *down]
        down += [f"UPDATE {table} SET {c} = {new}::{old.type_sql} WHERE {c} IS NULL;"]
        down += [f"ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;"]
        down += [f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({new} IS NOT NULL) NOT VALID;"]
    else:
        down += [f"UPDATE {table} SET {c} = {new}::{old.type_sql} WHERE {c} IS NULL AND {new} IS NOT NULL;"]
    if pkey is not None:
        up += [f"ALTER TABLE {table} ADD CONSTRAINT {q(pkey)} PRIMARY KEY USING INDEX {key_index};"]
        down = [f"ALTER TABLE {table} DROP CONSTRAINT {q(pkey)};", *down]
        down += [f"ALTER TABLE {table} ADD CONSTRAINT {q(pkey)} PRIMARY KEY ({c});"]
        down += [f"CREATE UNIQUE INDEX {key_index} ON {table} ({new});"]
    up += fk_up_last
    down = [*fk_down_first, *down, create, *fk_down_last]
    steps.append(
        Step(
            f"switch_{table_name}_{column}_type",
            "switch",
            "\n".join(up),
            "\n".join(down),
            copies.locked("ACCESS EXCLUSIVE"),
            "milliseconds: renames and a NOT NULL proved by the validated CHECK (PostgreSQL 12+)",
            then="deploy 4-5: the application now reads and writes the new type under the old name; "
            f"{column}__old is no longer written. Bake, then contract.",
        )
    )
    steps.append(
        Step(
            f"contract_{table_name}_{column}_type",
            "contract",
            f"ALTER TABLE {table} DROP COLUMN {prev};",
            f"ALTER TABLE {table} ADD COLUMN {prev} {old.type_sql};\nUPDATE {table} SET {prev} = {back};",
            *lock(CATALOG, table),
        )
    )
    return Rewrite(
        "change-column-type",
        statement,
        tuple(steps),
        f"ALTER COLUMN TYPE rewrites {table} (and its indexes) under ACCESS EXCLUSIVE: reads and writes wait",
    )


def rename_column(statement: str, table: str, table_name: str, column: str, new_name: str, live: LiveSchema) -> Rewrite:
    """``RENAME COLUMN a TO b``: b added and kept in step with a both ways by a trigger (old and new
    code run side by side), backfilled, made complete (NOT NULL, default), then a dropped."""
    old = live.column(table, column)
    _blocked(live.users(table, column), table, column, "a rename")
    a, b = q(column), q(new_name)
    fn = pg_name(f"dbm_sync_{table_name}", [column, new_name], "")
    body = (
        "  IF TG_OP = 'INSERT' THEN\n"
        f"    IF NEW.{b} IS NULL THEN NEW.{b} := NEW.{a}; ELSE NEW.{a} := NEW.{b}; END IF;\n"
        f"  ELSIF NEW.{a} IS DISTINCT FROM OLD.{a} THEN NEW.{b} := NEW.{a};\n"
        f"  ELSIF NEW.{b} IS DISTINCT FROM OLD.{b} THEN NEW.{a} := NEW.{b};\n"
        f"  ELSIF NEW.{b} IS NULL THEN NEW.{b} := NEW.{a};  -- a row the backfill has not reached yet\n"
        "  END IF;"
    )
    create, drop = sync_function(fn, table, body)
    check = q(_not_null_check(table_name, new_name))
    guard = f"ADD CONSTRAINT {check} CHECK ({b} IS NOT NULL) NOT VALID" if old.not_null else None
    steps = [
        Step(
            f"expand_{table_name}_{new_name}",
            "expand",
            _expand_sql(table, f"ADD COLUMN {b} {old.type_sql}", guard, create),
            f"{drop}\nALTER TABLE {table} DROP COLUMN IF EXISTS {b};",
            *lock(TRIGGER, table),
            then=f"deploy 2: dual writes: new code may write {new_name}; the trigger copies between {column} "
            f"and {new_name} for old and new code",
        ),
        Step(
            f"backfill_{table_name}_{new_name}",
            "backfill",
            *("", None),
            *lock(BACKFILL, table),
            then="deploy 3: every row has the value in both columns",
            backfill=Backfill(table, f"{b} = {a}", f"{b} IS DISTINCT FROM {a}"),
        ),
    ]
    up, down = [], []
    if not old.not_null:
        behind = f"{b} IS DISTINCT FROM {a}"
        steps.append(_backfilled(f"check_{table_name}_{new_name}_backfilled", table, behind, steps[1]))
    if old.not_null:
        steps.append(
            Step(
                f"validate_{table_name}_{new_name}",
                "validate",
                f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
                f"ALTER TABLE {table} DROP CONSTRAINT {check};\n"
                f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({b} IS NOT NULL) NOT VALID;",
                *lock(VALIDATE, table),
            )
        )
        up += [f"ALTER TABLE {table} ALTER COLUMN {b} SET NOT NULL;", f"ALTER TABLE {table} DROP CONSTRAINT {check};"]
        up += [f"ALTER TABLE {table} ALTER COLUMN {a} DROP NOT NULL;"]
        down += [f"ALTER TABLE {table} ALTER COLUMN {a} SET NOT NULL;"]
        down += [f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({b} IS NOT NULL) NOT VALID;"]
        down += [f"ALTER TABLE {table} ALTER COLUMN {b} DROP NOT NULL;"]
    if old.default is not None:
        up += [f"ALTER TABLE {table} ALTER COLUMN {b} SET DEFAULT {old.default};"]
        up += [f"ALTER TABLE {table} ALTER COLUMN {a} DROP DEFAULT;"]
        down = [f"ALTER TABLE {table} ALTER COLUMN {a} SET DEFAULT {old.default};"] + down
        down += [f"ALTER TABLE {table} ALTER COLUMN {b} DROP DEFAULT;"]
    steps.append(
        Step(
            f"switch_{table_name}_{new_name}",
            "switch",
            "\n".join(up) or _NOTHING_TO_UNDO.replace("undo", "switch: the column is nullable with no default"),
            "\n".join(down) or _NOTHING_TO_UNDO,
            "ACCESS EXCLUSIVE on " + table,
            "milliseconds: NOT NULL proved by the validated CHECK (PostgreSQL 12+), defaults are catalog-only",
            then=f"deploy 4: reads switch to {new_name}; deploy 5: stop writing {column}; "
            "deploy 6: after a bake period, contract",
        )
    )
    restore = [f"ALTER TABLE {table} ADD COLUMN {a} {old.type_sql};", f"UPDATE {table} SET {a} = {b};"]
    if old.not_null:
        restore.append(f"ALTER TABLE {table} ALTER COLUMN {a} SET NOT NULL;")
    steps.append(
        Step(
            f"contract_{table_name}_{column}",
            "contract",
            f"{drop}\nALTER TABLE {table} DROP COLUMN {a};",
            "\n".join([*restore, create]),
            *lock(CATALOG, table),
        )
    )
    return Rewrite(
        "rename-column",
        statement,
        tuple(steps),
        "a rename breaks every running instance of the application that still uses the old name",
    )


def set_not_null(statement: str, table: str, table_name: str, column: str) -> Rewrite:
    """``ALTER COLUMN c SET NOT NULL``: CHECK NOT VALID, VALIDATE, then SET NOT NULL without a scan."""
    c, check = q(column), q(_not_null_check(table_name, column))
    add = f"ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID;"
    steps = (
        Step(
            f"check_{table_name}_{column}_not_null",
            "expand",
            add,
            f"ALTER TABLE {table} DROP CONSTRAINT {check};",
            *lock(CATALOG, table),
            then="rows written from now on are checked",
        ),
        Step(
            f"validate_{table_name}_{column}_not_null",
            "validate",
            f"ALTER TABLE {table} VALIDATE CONSTRAINT {check};",
            f"ALTER TABLE {table} DROP CONSTRAINT {check};\n{add}",
            *lock(VALIDATE, table),
        ),
        Step(
            f"set_{table_name}_{column}_not_null",
            "switch",
            f"ALTER TABLE {table} ALTER COLUMN {c} SET NOT NULL;\nALTER TABLE {table} DROP CONSTRAINT {check};",
            f"ALTER TABLE {table} ALTER COLUMN {c} DROP NOT NULL;\n{add}\nALTER TABLE {table} VALIDATE CONSTRAINT {check};",
            "ACCESS EXCLUSIVE on " + table,
            "milliseconds: SET NOT NULL uses the validated CHECK instead of scanning (PostgreSQL 12+)",
        ),
    )
    return Rewrite("set-not-null", statement, steps, f"SET NOT NULL scans {table} under ACCESS EXCLUSIVE")
