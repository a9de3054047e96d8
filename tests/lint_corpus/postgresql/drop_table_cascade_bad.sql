-- expect: ban-drop-table
-- options: in-transaction, session-timeouts
DROP TABLE IF EXISTS old_sessions CASCADE;
