-- expect: none
-- options: pg-version=13, in-transaction, session-timeouts
ALTER TABLE events DETACH PARTITION events_2020;
