-- expect: ban-drop-generated-expression
-- options: in-transaction, session-timeouts
ALTER TABLE orders ALTER COLUMN total DROP EXPRESSION;
