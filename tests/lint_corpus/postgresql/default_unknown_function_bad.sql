-- expect: adding-field-with-default
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN code text DEFAULT my_code_generator();
