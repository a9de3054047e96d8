-- expect: ban-drop-sequence
-- options: in-transaction, session-timeouts
DROP SEQUENCE invoice_no_seq;
