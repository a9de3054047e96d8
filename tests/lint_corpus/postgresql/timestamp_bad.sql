-- expect: prefer-timestamp-tz
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN last_login timestamp without time zone;
