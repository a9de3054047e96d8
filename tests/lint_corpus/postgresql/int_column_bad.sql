-- expect: prefer-bigint-over-int
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN visits integer;
