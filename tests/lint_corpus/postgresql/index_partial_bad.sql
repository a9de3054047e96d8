-- expect: require-concurrent-index-creation
-- options: in-transaction, session-timeouts
CREATE INDEX orders_open_idx ON orders (created_at) WHERE state = 'open';
