-- expect: sqlite-table-rebuild
ALTER TABLE orders DROP CONSTRAINT qty_positive;
