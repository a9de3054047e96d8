-- expect: none
-- options: in-transaction, session-timeouts
TRUNCATE import_staging;
