-- expect: prefer-repack
-- options: pg-version=19, session-timeouts
CLUSTER audit.events USING events_created_idx;
