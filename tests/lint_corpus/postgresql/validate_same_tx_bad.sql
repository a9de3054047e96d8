-- expect: constraint-missing-not-valid
-- options: in-transaction, session-timeouts
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT qty_positive;
