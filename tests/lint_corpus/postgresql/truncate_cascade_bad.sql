-- expect: ban-truncate-cascade
-- options: in-transaction, session-timeouts
TRUNCATE users CASCADE;
