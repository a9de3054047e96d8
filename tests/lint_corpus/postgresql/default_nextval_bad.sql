-- expect: adding-field-with-default
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN n bigint DEFAULT nextval('users_n_seq');
