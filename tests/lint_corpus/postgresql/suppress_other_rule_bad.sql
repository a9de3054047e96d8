-- expect: ban-drop-column, unused-ignore
-- options: in-transaction, session-timeouts
-- dbm:ignore renaming-column
ALTER TABLE users DROP COLUMN legacy_flag;
