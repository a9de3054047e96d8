-- expect: ban-alter-domain-with-add-constraint
-- options: in-transaction, session-timeouts
ALTER DOMAIN positive_int ADD CONSTRAINT positive CHECK (VALUE > 0);
