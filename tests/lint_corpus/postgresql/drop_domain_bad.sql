-- expect: ban-drop-domain
-- options: in-transaction, session-timeouts
DROP DOMAIN email_address;
