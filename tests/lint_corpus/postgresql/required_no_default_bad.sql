-- expect: adding-required-field
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
