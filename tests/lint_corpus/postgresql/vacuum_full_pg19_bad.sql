-- expect: prefer-repack@4
-- options: pg-version=19, session-timeouts
-- REPACK (CONCURRENTLY) exists from PostgreSQL 19: a full rewrite no longer needs to block readers
VACUUM (FULL, ANALYZE) "Invoices";
