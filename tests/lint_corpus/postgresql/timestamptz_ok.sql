-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN last_login timestamp with time zone;
