-- expect: unparseable-statement@3, ban-drop-column@5
-- options: in-transaction, session-timeouts
SELEC 1;
-- the next statement is still linted
ALTER TABLE users DROP COLUMN legacy;
