-- expect: ban-create-domain-with-constraint
-- options: in-transaction, session-timeouts
CREATE DOMAIN positive_int AS bigint CHECK (VALUE > 0);
