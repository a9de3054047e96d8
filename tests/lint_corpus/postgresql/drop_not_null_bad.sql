-- expect: ban-drop-not-null
-- options: in-transaction, session-timeouts
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
