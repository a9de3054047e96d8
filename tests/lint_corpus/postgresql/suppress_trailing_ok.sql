-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE users DROP COLUMN legacy_flag; -- dbm:ignore ban-drop-column
