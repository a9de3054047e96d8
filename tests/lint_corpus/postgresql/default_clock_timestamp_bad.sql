-- expect: adding-field-with-default
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();
