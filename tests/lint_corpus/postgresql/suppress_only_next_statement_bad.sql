-- expect: ban-drop-table@5
-- options: in-transaction, session-timeouts
-- dbm:ignore ban-drop-table
DROP TABLE a_old;
DROP TABLE b_old;
