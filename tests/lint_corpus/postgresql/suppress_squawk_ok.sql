-- expect: none
-- options: in-transaction, session-timeouts
-- squawk-ignore ban-drop-column
ALTER TABLE users DROP COLUMN legacy_flag;
