"""MySQL/MariaDB: online DDL rules (algorithm, lock level, table copies) over sqlglot trees."""
