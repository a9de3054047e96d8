-- expect: prefer-bigint-over-smallint
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN tier smallint;
