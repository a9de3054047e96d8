-- expect: ban-drop-default
-- options: in-transaction, session-timeouts
ALTER TABLE orders ALTER COLUMN state DROP DEFAULT;
