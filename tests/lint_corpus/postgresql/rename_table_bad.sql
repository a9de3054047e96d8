-- expect: renaming-table
-- options: in-transaction, session-timeouts
ALTER TABLE users RENAME TO accounts;
