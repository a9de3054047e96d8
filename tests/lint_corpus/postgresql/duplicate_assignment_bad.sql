-- expect: ban-duplicate-column-assignments
-- options: in-transaction, session-timeouts
UPDATE users SET state = 'a', state = 'b' WHERE id = 1;
