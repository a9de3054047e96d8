-- expect: prefer-text-field
-- options: in-transaction, session-timeouts
ALTER TABLE users ADD COLUMN bio character varying(255);
