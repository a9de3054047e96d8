-- expect: sqlite-table-rebuild
ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0);
