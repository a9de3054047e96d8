-- expect: prefer-robust-stmts
-- options: session-timeouts
ALTER TABLE users ADD COLUMN note text;
