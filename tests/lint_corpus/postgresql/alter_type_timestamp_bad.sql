-- expect: changing-column-type, prefer-timestamp-tz
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN seen TYPE timestamp;
