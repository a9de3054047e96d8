-- expect: ban-drop-column
-- options: in-transaction, session-timeouts
-- dbm:ignore renaming-column
ALTER TABLE users DROP COLUMN legacy_flag;
