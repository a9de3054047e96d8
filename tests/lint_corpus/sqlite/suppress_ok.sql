-- expect: none
-- dbm:ignore sqlite-table-rebuild
ALTER TABLE users ALTER COLUMN score TYPE BIGINT;
