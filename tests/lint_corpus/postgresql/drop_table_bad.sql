-- expect: ban-drop-table
-- options: in-transaction, session-timeouts
DROP TABLE old_sessions;
