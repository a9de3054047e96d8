-- expect: ban-drop-type
-- options: in-transaction, session-timeouts
DROP TYPE mood;
