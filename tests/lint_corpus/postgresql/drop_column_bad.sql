-- expect: ban-drop-column
-- options: in-transaction, session-timeouts
ALTER TABLE users DROP COLUMN legacy_flag;
