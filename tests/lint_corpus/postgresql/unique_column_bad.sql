-- expect: disallowed-unique-constraint
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN handle text UNIQUE;
