-- expect: none
-- options: pg-version=16, session-timeouts
ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;
