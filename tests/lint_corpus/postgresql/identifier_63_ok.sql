-- expect: none
-- options: in-transaction, session-timeouts
CREATE TABLE customer_lifetime_value_snapshots_partitioned_by_region_mont (id bigint PRIMARY KEY);
