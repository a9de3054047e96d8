-- expect: constraint-missing-not-valid
-- options: in-transaction, session-timeouts
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0);
