-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
