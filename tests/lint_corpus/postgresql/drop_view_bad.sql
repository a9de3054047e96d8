-- expect: ban-drop-view
-- options: in-transaction, session-timeouts
DROP VIEW active_users;
