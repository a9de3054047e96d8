-- expect: ban-drop-column
-- options: in-transaction, session-timeouts
COMMENT ON TABLE users IS '-- dbm:ignore ban-drop-column';
ALTER TABLE users DROP COLUMN legacy_flag;
