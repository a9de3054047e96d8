-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN note text;
