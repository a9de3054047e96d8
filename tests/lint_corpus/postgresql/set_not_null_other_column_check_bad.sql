-- expect: adding-not-nullable-field
-- options: pg-version=16, session-timeouts
BEGIN;
ALTER TABLE users ADD CONSTRAINT users_name_nn CHECK (name IS NOT NULL) NOT VALID;
COMMIT;
BEGIN;
ALTER TABLE users VALIDATE CONSTRAINT users_name_nn;
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
COMMIT;
