-- expect: adding-serial-primary-key-field
-- options: in-transaction, session-timeouts
ALTER TABLE legacy ADD PRIMARY KEY (id);
