"""Every safe alternative lint suggests as SQL runs as written on the real database, on a schema
with quoted camelCase names (what Prisma, Drizzle and TypeORM generate): a suggestion that loses
the quoting (``ALTER TABLE Account`` for ``"Account"``) names a table that does not exist."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from dbmigrate_magic.safety.lint import lint_sql

SQL_VERBS = ("ALTER", "CREATE", "DROP", "REINDEX", "SET", "TRUNCATE", "RENAME", "PRAGMA", "COMMIT", "BEGIN")
#: text that marks a statement as a template the user completes, not SQL to run
PLACEHOLDERS = ("...", "<", "(cols)", " cols ", "<= n")

PG_SETUP = """
CREATE TABLE "User" ("id" integer PRIMARY KEY, "email" text);
CREATE TABLE "Account" (
  "id" integer PRIMARY KEY, "userId" integer, "displayName" varchar(50), "score" integer,
  "legacyCode" text, "oldName" text
);
CREATE INDEX "Account_email_idx" ON "Account" ("legacyCode");
ALTER TABLE "Account" ADD CONSTRAINT "Account_score_gt" CHECK ("score" > -1);
CREATE TYPE "Status" AS ENUM ('ACTIVE', 'BANNED');
"""
PG_BAD = """
CREATE INDEX "Account_userId_idx" ON "Account"("userId");
DROP INDEX "Account_email_idx";
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE;
ALTER TABLE "Account" ADD CONSTRAINT "Account_score_check" CHECK ("score" > 0);
ALTER TABLE "Account" ADD COLUMN "createdAt" TIMESTAMP(3) NOT NULL;
ALTER TABLE "Account" ALTER COLUMN "userId" SET NOT NULL;
ALTER TABLE "Account" ALTER COLUMN "displayName" TYPE VARCHAR(200);
ALTER TABLE "Account" ADD COLUMN "refId" INTEGER REFERENCES "User"("id");
ALTER TABLE "Account" ADD COLUMN "tag" text UNIQUE;
ALTER TABLE "Account" ADD COLUMN "token" uuid DEFAULT gen_random_uuid();
ALTER TABLE "Account" ADD CONSTRAINT "Account_displayName_key" UNIQUE ("displayName");
ALTER TABLE "Account" DROP COLUMN "legacyCode";
ALTER TABLE "Account" RENAME COLUMN "oldName" TO "newName";
ALTER TABLE "User" RENAME TO "Member";
REINDEX TABLE "Account";
ALTER TYPE "Status" ADD VALUE 'DELETED';
CREATE TABLE "Session" ("id" bigint PRIMARY KEY, "expiresAt" timestamptz);
TRUNCATE "Account" CASCADE;
CREATE TABLE "Webhook" ("id" bigint PRIMARY KEY, "payload" json);
ALTER TABLE "Account" ADD COLUMN "meta" json;
CREATE TABLE "Ledger" ("id" serial PRIMARY KEY, "code" char(3), "postedAt" timestamp(3), "n" smallint, "tags" char(2)[]);
ALTER TABLE "Account" ADD COLUMN "qty" integer NOT NULL DEFAULT 0;
ALTER TABLE "Account" ALTER COLUMN "legacyCode" TYPE timestamp USING now();
ALTER TABLE "Account" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "Account" ADD CONSTRAINT "Account_userId_score_key" UNIQUE ("userId", "score") DEFERRABLE INITIALLY DEFERRED;
DROP TABLE "Account";
"""

MY_SETUP = """
CREATE TABLE `User` (`id` int PRIMARY KEY, `email` varchar(100));
CREATE TABLE `Account` (`id` int PRIMARY KEY, `userId` int, `displayName` varchar(50), `legacyCode` varchar(20),
  `oldName` varchar(20), KEY `Account_legacy_idx` (`legacyCode`));
"""
MY_BAD = """
CREATE INDEX `Account_userId_idx` ON `Account` (`userId`);
CREATE INDEX `Account_name_idx` ON `Account` (`displayName`) ALGORITHM=COPY;
ALTER TABLE `Account` ADD INDEX `Account_both_idx` (`userId`, `displayName`);
ALTER TABLE `Account` DROP INDEX `Account_legacy_idx`;
DROP INDEX `Account_legacy_idx` ON `Account`;
ALTER TABLE `Account` ADD CONSTRAINT `Account_userId_fkey` FOREIGN KEY (`userId`) REFERENCES `User` (`id`);
ALTER TABLE `Account` ADD COLUMN `createdAt` datetime DEFAULT (NOW());
ALTER TABLE `Account` ADD COLUMN `note` varchar(10), LOCK=SHARED;
ALTER TABLE `Account` RENAME COLUMN `oldName` TO `newName`;
ALTER TABLE `User` RENAME TO `Member`;
RENAME TABLE `User` TO `Person`;
"""

LITE_SETUP = """
CREATE TABLE "User" ("id" integer PRIMARY KEY, "email" text);
CREATE TABLE "Account" ("id" integer PRIMARY KEY, "userId" integer, "oldName" text);
"""
LITE_BAD = """
ALTER TABLE "Account" ADD COLUMN "createdAt" text NOT NULL;
ALTER TABLE "Account" ADD COLUMN "code" text UNIQUE;
ALTER TABLE "Account" RENAME COLUMN "oldName" TO "newName";
ALTER TABLE "User" RENAME TO "Member";
"""


def _statements(help_text: str) -> list[str]:
    """The runnable statements of a suggestion, in order, up to the first template the user has to
    complete (what follows it may depend on it); comments left out."""
    body = "\n".join(line.split("--")[0] for line in help_text.splitlines())
    out = []
    for part in body.split(";"):
        part = part.strip()
        if any(p in part for p in PLACEHOLDERS):
            break
        if part:
            out.append(part)
    return out


def _is_sql(help_text: str) -> bool:
    """SQL starts with an upper-case verb; prose ("Drop ALGORITHM=COPY and ...") does not."""
    return help_text.split(None, 1)[0].rstrip(";") in SQL_VERBS if help_text.strip() else False


def _run(url: str, setup: str, statements: list[str]) -> None:
    """Recreate the schema, then run ``statements`` one by one outside a transaction."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for s in [p.strip() for p in setup.split(";") if p.strip()] + statements:
                conn.exec_driver_sql(s)
    finally:
        engine.dispose()


def _reset(url: str, kind: str, tmp_path) -> str:
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if kind == "postgresql":
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
            else:
                conn.exec_driver_sql("SET foreign_key_checks = 0")
                for t, _ in conn.exec_driver_sql("SHOW FULL TABLES WHERE Table_type = 'BASE TABLE'").all():
                    conn.exec_driver_sql(f"DROP TABLE `{t}`")
                for v, _ in conn.exec_driver_sql("SHOW FULL TABLES WHERE Table_type = 'VIEW'").all():
                    conn.exec_driver_sql(f"DROP VIEW `{v}`")
    finally:
        engine.dispose()
    return url


def _check(kind: str, url_for, setup: str, bad: str, must_run: set[str]) -> None:
    findings = lint_sql(bad, kind, pg_version=16)
    ran: dict[str, int] = {}
    for f in findings:
        # quoting kept: the camelCase names never appear bare in a suggestion
        for bare in ("Account", "User", "userId", "displayName"):
            for m in re.finditer(rf"(?<![\"`\w']){bare}(?![\"`\w'])", f.help):
                pytest.fail(f"{f.rule}: {bare} unquoted at {m.start()} in suggestion:\n{f.help}")
        if not _is_sql(f.help):
            continue
        statements = _statements(f.help)
        if not statements:
            continue
        try:
            _run(url_for(), setup, statements)
        except Exception as exc:  # noqa: BLE001 - the message names the rule and the SQL
            pytest.fail(f"{f.rule}: suggestion does not run on {kind}:\n{f.help}\n{type(exc).__name__}: {exc}")
        ran[f.rule] = ran.get(f.rule, 0) + 1
    missing = must_run - set(ran)
    assert not missing, f"rules whose suggestion was not run: {sorted(missing)} (ran: {sorted(ran)})"


@pytest.mark.postgres
def test_postgresql_suggestions_run_on_camel_case_schema(pg_url, tmp_path):
    _check(
        "postgresql",
        lambda: _reset(pg_url, "postgresql", tmp_path),
        PG_SETUP,
        PG_BAD,
        {
            "require-concurrent-index-creation",
            "require-concurrent-index-deletion",
            "adding-foreign-key-constraint",
            "constraint-missing-not-valid",
            "adding-not-nullable-field",
            "changing-column-type",
            "disallowed-unique-constraint",
            "adding-field-with-default",
            "renaming-table",
            "require-concurrent-reindex",
            "ban-truncate-cascade",
            "prefer-robust-stmts",
            "require-lock-timeout",
            "prefer-bigint-over-int",
            "prefer-bigint-over-smallint",
            "prefer-identity",
            "ban-char-field",
            "prefer-timestamp-tz",
            "prefer-jsonb",
        },
    )


@pytest.mark.mysql
def test_mysql_suggestions_run_on_camel_case_schema(mysql_url, tmp_path):
    _check(
        "mysql",
        lambda: _reset(mysql_url, "mysql", tmp_path),
        MY_SETUP,
        MY_BAD,
        {
            "mysql-index-without-online-options",
            "mysql-foreign-key-copies-table",
            "mysql-expression-default",
            "mysql-lock-shared-exclusive",
            "renaming-table",
        },
    )


def test_sqlite_suggestions_run_on_camel_case_schema(tmp_path):
    counter = iter(range(1000))

    def fresh() -> str:
        return f"sqlite:///{tmp_path / f'db{next(counter)}.sqlite'}"

    _check("sqlite", fresh, LITE_SETUP, LITE_BAD, {"sqlite-add-column-rejected", "renaming-table"})


def test_unique_suggestion_keeps_deferrable():
    sql = 'ALTER TABLE "Playlist" ADD CONSTRAINT "p_key" UNIQUE ("pos") DEFERRABLE INITIALLY DEFERRED;'
    (f,) = [f for f in lint_sql(sql, "postgresql", 16) if f.rule == "disallowed-unique-constraint"]
    assert f.help.rstrip().endswith("UNIQUE USING INDEX p_key_idx DEFERRABLE INITIALLY DEFERRED;")


def test_mysql_online_index_suggestion_is_sql_for_create_index():
    """``ALTER TABLE t CREATE INDEX, ALGORITHM=INPLACE, LOCK=NONE`` was suggested before (ERROR 1064)."""
    f = next(
        f
        for f in lint_sql("CREATE INDEX `ix` ON `Account` (`userId`);", "mysql")
        if f.rule == "mysql-index-without-online-options"
    )
    assert f.help.startswith("CREATE INDEX `ix` ON `Account` (`userId`) ALGORITHM=INPLACE LOCK=NONE;")
