-- expect: ban-char-field
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN code character(3);
