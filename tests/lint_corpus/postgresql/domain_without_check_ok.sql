-- expect: none
-- options: in-transaction, session-timeouts
CREATE DOMAIN note_text AS text;
