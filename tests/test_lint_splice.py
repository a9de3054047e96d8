"""Suggestions made by editing the statement's text parse to exactly the statement's own tree with the
one intended change (IF NOT EXISTS, CONCURRENTLY, NOT VALID, ...): nothing else in the statement may
move, even with comments, quoted names, schemas, keywords used as names and several subcommands."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from pglast.parser import parse_sql_json

from dbmigrate_magic.safety.lint import lint_sql

LOCATIONS = {"location", "stmt_location", "stmt_len"}
MULTI = (
    'ALTER TABLE ONLY "S"."Tab" ADD COLUMN "n" varchar(10) COLLATE "C" DEFAULT \'x\' NOT NULL, '
    "ADD CONSTRAINT c1 CHECK (a IN (1, 2)), "
    'ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES "U"(id) DEFERRABLE INITIALLY DEFERRED;'
)


def _tree(sql: str) -> dict:
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in LOCATIONS and not k.endswith(("_start", "_end"))}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    return strip(json.loads(parse_sql_json(sql))["stmts"][0]["stmt"])


def _set(**fields) -> Callable[[dict], dict]:
    def change(tree: dict) -> dict:
        next(iter(tree.values())).update(fields)
        return tree

    return change


def _only_cmd(index: int, **fields) -> Callable[[dict], dict]:
    """The ALTER TABLE with cmd ``index`` alone, that cmd's fields (``def.Constraint.x``) changed."""

    def change(tree: dict) -> dict:
        body = tree["AlterTableStmt"]
        cmd = body["cmds"][index]["AlterTableCmd"]
        for path, value in fields.items():
            *parents, leaf = path.split("__")
            node = cmd
            for p in parents:
                node = node[p]
            node[leaf] = value
        body["cmds"] = [body["cmds"][index]]
        return tree

    return change


CASES = [
    ('CREATE TABLE "Acc" ("Id" int) -- note', "prefer-robust-stmts", _set(if_not_exists=True)),
    ("CREATE TEMP TABLE data (a int);", "prefer-robust-stmts", _set(if_not_exists=True)),
    (
        'CREATE /* c */ UNIQUE INDEX "I x" ON public."T" USING btree (a, (lower(b))) WHERE c > 1;',
        "require-concurrent-index-creation",
        _set(concurrent=True, if_not_exists=True),
    ),
    ("CREATE INDEX ON t (a);", "require-concurrent-index-creation", _set(concurrent=True)),
    ("CREATE INDEX IF NOT EXISTS i ON t (a);", "require-concurrent-index-creation", _set(concurrent=True)),
    ("CREATE INDEX CONCURRENTLY ci ON t (a);", "prefer-robust-stmts", _set(if_not_exists=True)),
    ('DROP TABLE data, "X"."Y" CASCADE;', "prefer-robust-stmts", _set(missing_ok=True)),
    ("DROP INDEX CONCURRENTLY i;", "prefer-robust-stmts", _set(missing_ok=True)),
    ("DROP PROCEDURAL LANGUAGE plx;", "prefer-robust-stmts", _set(missing_ok=True)),
    ("DROP TEXT SEARCH /* c */ CONFIGURATION c;", "prefer-robust-stmts", _set(missing_ok=True)),
    ("DROP CAST (int AS text);", "prefer-robust-stmts", _set(missing_ok=True)),
    ('DROP TRIGGER trg ON "T";', "prefer-robust-stmts", _set(missing_ok=True)),
    (MULTI, "prefer-robust-stmts", _only_cmd(0, missing_ok=True)),
    (MULTI, "constraint-missing-not-valid", _only_cmd(1, def__Constraint__skip_validation=True)),
    ("ALTER TABLE t\n  ADD COLUMN -- why\n    x int NOT NULL;", "prefer-robust-stmts", _only_cmd(0, missing_ok=True)),
    # one subcommand and no comment: edited without the scanner
    ('ALTER TABLE "a.b"."C" add x int;', "prefer-robust-stmts", _only_cmd(0, missing_ok=True)),
    ("ALTER TABLE t ADD /* c */ COLUMN z int;", "prefer-robust-stmts", _only_cmd(0, missing_ok=True)),
    (
        "ALTER TABLE IF EXISTS ONLY s.t ADD CONSTRAINT k CHECK (a > 0);",
        "constraint-missing-not-valid",
        _only_cmd(0, def__Constraint__skip_validation=True),
    ),
    ("create unique index concurrently ux on t (a);", "prefer-robust-stmts", _set(if_not_exists=True)),
    (
        "create\tunique  index ux on t (a);",
        "require-concurrent-index-creation",
        _set(concurrent=True, if_not_exists=True),
    ),
    ("drop   index   concurrently   ix;", "prefer-robust-stmts", _set(missing_ok=True)),
    ("DROP TEXT SEARCH CONFIGURATION c;", "prefer-robust-stmts", _set(missing_ok=True)),
]


@pytest.mark.parametrize(("sql", "rule", "change"), CASES, ids=[f"{c[1]}:{c[0][:40]}" for c in CASES])
def test_spliced_suggestion_is_the_statement_with_one_change(sql: str, rule: str, change) -> None:
    helps = [f.help for f in lint_sql(sql, "postgresql", 14) if f.rule == rule]
    assert helps, f"{rule} did not fire"
    suggestion = helps[0].split("\n")[0].split("  -- ")[0] if "\n-- " in helps[0] else helps[0].split("  -- ")[0]
    if "NOT VALID" in suggestion:  # a NOT VALID constraint's tree also lacks "initially valid"
        change_ = change

        def change(tree: dict) -> dict:
            tree = change_(tree)
            tree["AlterTableStmt"]["cmds"][0]["AlterTableCmd"]["def"]["Constraint"].pop("initially_valid")
            return tree

    assert _tree(suggestion) == change(_tree(sql))


def test_bare_column_and_type_keep_their_spelling() -> None:
    sql = 'ALTER TABLE "éé" ADD COLUMN "ü" "MyType"[] COLLATE "C" DEFAULT gen_random_uuid()::text NOT NULL; -- x'
    found = {f.rule: f.help for f in lint_sql(sql, "postgresql", 14)}
    assert found["adding-field-with-default"].startswith('ALTER TABLE "éé" ADD COLUMN "ü" "MyType"[] COLLATE "C";\n')
    found = {
        f.rule: f.help for f in lint_sql("ALTER TABLE t ALTER COLUMN c TYPE NUMERIC(10, 2) USING 1;", "postgresql")
    }
    assert "ADD COLUMN c_new NUMERIC(10, 2);" in found["changing-column-type"]


def test_type_suggestions_replace_only_the_type() -> None:
    sql = "CREATE TABLE ty (d double precision, a int NOT NULL, h timestamp(3), x int[] DEFAULT '{}');"
    helps = sorted(
        f.help for f in lint_sql(sql, "postgresql") if f.rule in ("prefer-bigint-over-int", "prefer-timestamp-tz")
    )
    assert helps == [
        "CREATE TABLE ty (d double precision, a bigint NOT NULL, h timestamp(3), x int[] DEFAULT '{}');",
        "CREATE TABLE ty (d double precision, a int NOT NULL, h timestamp(3), x bigint[] DEFAULT '{}');",
        "CREATE TABLE ty (d double precision, a int NOT NULL, h timestamptz(3), x int[] DEFAULT '{}');",
    ]
