-- expect: ban-drop-extension
-- options: in-transaction, session-timeouts
DROP EXTENSION pg_trgm;
