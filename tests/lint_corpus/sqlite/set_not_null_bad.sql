-- expect: sqlite-table-rebuild
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
