-- expect: renaming-object
-- options: in-transaction, session-timeouts
ALTER INDEX users_email_idx RENAME TO users_email_lower_idx;
