-- expect: none
-- options: in-transaction, session-timeouts
-- squawk-ignore-file ban-drop-table
DROP TABLE a_old;
DROP TABLE b_old;
