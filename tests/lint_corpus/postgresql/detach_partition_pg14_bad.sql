-- expect: require-concurrent-partition-detach
-- options: pg-version=14, in-transaction, session-timeouts
ALTER TABLE events DETACH PARTITION events_2020;
