-- expect: none
-- options: in-transaction, session-timeouts
CREATE TABLE items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
