-- expect: adding-serial-primary-key-field, adding-field-with-default, prefer-identity
-- options: in-transaction, session-timeouts
ALTER TABLE legacy ADD COLUMN id bigserial PRIMARY KEY;
