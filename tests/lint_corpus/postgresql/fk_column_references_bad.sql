-- expect: adding-foreign-key-constraint
-- options: in-transaction, session-timeouts
ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id);
