-- expect: ban-drop-constraint
-- options: in-transaction, session-timeouts
ALTER TABLE orders DROP CONSTRAINT qty_positive;
