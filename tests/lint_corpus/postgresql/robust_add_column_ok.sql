-- expect: none
-- options: session-timeouts
ALTER TABLE users ADD COLUMN IF NOT EXISTS note text;
