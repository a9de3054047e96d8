-- expect: ban-drop-function
-- options: in-transaction, session-timeouts
DROP FUNCTION set_updated_at();
