-- expect: none
-- options: in-transaction, session-timeouts
UPDATE users SET state = 'a', flag = true WHERE id = 1;
