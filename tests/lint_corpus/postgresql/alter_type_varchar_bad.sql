-- expect: changing-column-type, prefer-text-field
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN name TYPE varchar(500);
