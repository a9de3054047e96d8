-- expect: identifier-too-long
-- options: in-transaction, session-timeouts
CREATE TABLE customer_lifetime_value_snapshots_partitioned_by_sales_region_and_calendar_month (id bigint PRIMARY KEY);
