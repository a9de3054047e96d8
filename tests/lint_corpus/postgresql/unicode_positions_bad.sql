-- expect: ban-drop-column@4
-- options: in-transaction, session-timeouts
COMMENT ON TABLE users IS 'Benutzer – ünïcödé ✓';
ALTER TABLE "Ünïcode" DROP COLUMN "naïve";
