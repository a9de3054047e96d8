"""Write notebooks/08_lint.ipynb (no outputs): ``python scripts/make_lint_notebook.py``."""

from pathlib import Path

from make_notebook import write

CELLS = [
    (
        "md",
        "# Lint a migration before it runs\n\nNo server needed: the linter parses SQL with PostgreSQL's own "
        "parser (pglast) or sqlglot (MySQL/MariaDB, SQLite) and reports each dangerous statement with its "
        "position, why it is dangerous (which lock, which rewrite, what breaks in the running application) "
        "and the safe alternative. Nothing here touches a database, so re-running it changes nothing.",
    ),
    ("code", "%load_ext dbmigrate_magic"),
    (
        "md",
        "## Lint the SQL in a cell\n`%%dbm lint` lints the cell body. `--pg-version` matters: a constant "
        "default is safe from PostgreSQL 11, a volatile one never is.",
    ),
    (
        "code",
        "%%dbm lint --pg-version 15 --assume-in-transaction --df cell_findings\n"
        "SET lock_timeout = '2s';\nSET statement_timeout = '5min';\n"
        "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;  -- fine on 11+\n"
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid(); -- rewrites the table\n"
        "CREATE INDEX users_email_idx ON users (email);                     -- blocks writes\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;                 -- full scan under lock",
    ),
    ("md", "One finding on each of lines 4, 5 and 6, none on the safe line 3:"),
    ("code", "assert sorted(cell_findings.line) == [4, 5, 6], cell_findings"),
    (
        "md",
        "## Lint a file, keep the findings as a DataFrame\nA migration file for MySQL: the online-DDL rules "
        "(ALGORITHM, LOCK, table copies, DDL mixed with data changes) apply. `--df` stores the table.",
    ),
    (
        "code",
        "import tempfile, pathlib\n"
        "folder = pathlib.Path(tempfile.mkdtemp())\n"
        "migration = folder / '20260101000000_orders.sql'\n"
        "migration.write_text('''ALTER TABLE orders ADD COLUMN note TEXT, ALGORITHM=INSTANT;\n"
        "ALTER TABLE orders MODIFY COLUMN total DECIMAL(12,2) NOT NULL;\n"
        "UPDATE orders SET note = '' WHERE note IS NULL;\n"
        "''')\nmigration",
    ),
    ("code", "%dbm lint {migration} --dialect mysql --df findings"),
    (
        "code",
        "assert set(findings.rule) == {'mysql-column-change-copies-table', 'mysql-ddl-mixed-with-dml'}, findings\n"
        "findings[['line', 'severity', 'rule', 'help']]",
    ),
    (
        "md",
        "## Silence a finding you accepted\n`-- dbm:ignore RULE` before (or at the end of) a statement; squawk's "
        "`-- squawk-ignore RULE` works too. `-- dbm:ignore-file RULE` covers the whole file.",
    ),
    (
        "code",
        "%%dbm lint --dialect sqlite --df kept\n-- dbm:ignore ban-drop-table\nDROP TABLE old_sessions;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ),
    ("code", "assert list(kept.rule) == ['sqlite-table-rebuild'], kept  # the DROP is silenced"),
    ("md", "## From Python\n`lint_sql` is what the migrate preview calls; findings are frozen dataclasses."),
    (
        "code",
        "from dbmigrate_magic.safety.lint import lint_sql\n"
        "found = [(f.line, f.rule, f.severity) for f in lint_sql('ALTER TABLE t RENAME COLUMN a TO b;', 'postgresql', "
        "in_transaction=True, session_timeouts=True)]\n"
        "assert found, 'renaming a column breaks the running application'\n"
        "found",
    ),
]

if __name__ == "__main__":
    write(Path(__file__).resolve().parent.parent / "notebooks" / "08_lint.ipynb", CELLS)
