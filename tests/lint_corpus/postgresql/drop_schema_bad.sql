-- expect: ban-drop-schema
-- options: in-transaction, session-timeouts
DROP SCHEMA reporting CASCADE;
