-- expect: sqlite-table-rebuild, unused-ignore
-- dbm:ignore sqlite-table-rebuilt
ALTER TABLE users ALTER COLUMN score TYPE BIGINT;
