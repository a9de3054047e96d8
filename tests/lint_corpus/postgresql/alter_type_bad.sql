-- expect: changing-column-type
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN score TYPE bigint;
