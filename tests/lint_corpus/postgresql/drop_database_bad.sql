-- expect: ban-drop-database
-- options: in-transaction, session-timeouts
DROP DATABASE analytics;
