-- expect: none
-- options: in-transaction, session-timeouts
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy';
