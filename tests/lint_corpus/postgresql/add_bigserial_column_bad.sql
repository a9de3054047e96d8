-- expect: adding-field-with-default, prefer-identity
-- options: in-transaction, session-timeouts
ALTER TABLE legacy ADD COLUMN seq bigserial;
