-- expect: none
-- options: in-transaction, session-timeouts
ALTER TABLE legacy ADD CONSTRAINT legacy_pkey PRIMARY KEY USING INDEX legacy_id_idx;
