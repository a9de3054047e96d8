-- expect: renaming-column
-- options: in-transaction, session-timeouts
ALTER TABLE users RENAME COLUMN name TO full_name;
