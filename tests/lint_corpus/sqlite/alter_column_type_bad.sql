-- expect: sqlite-table-rebuild
ALTER TABLE users ALTER COLUMN score TYPE BIGINT;
