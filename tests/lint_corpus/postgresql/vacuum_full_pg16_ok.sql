-- expect: none
-- options: pg-version=16, session-timeouts
-- before 19 there is no online rewrite in core: nothing better to suggest
VACUUM (FULL FALSE) invoices;
VACUUM FULL invoices;
