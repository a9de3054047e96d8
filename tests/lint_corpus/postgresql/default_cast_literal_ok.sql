-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN prefs jsonb NOT NULL DEFAULT '{}'::jsonb;
