-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
