-- expect: none
-- options: session-timeouts
BEGIN;
ALTER TABLE users ADD COLUMN note text;
COMMIT;
