-- expect: prefer-bigint-over-int
-- options: in-transaction, session-timeouts
CREATE TABLE counters (n int4);
