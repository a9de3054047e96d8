-- expect: none
-- options: session-timeouts
CREATE TEMPORARY TABLE import_batch (id bigint) ON COMMIT DROP;
CREATE INDEX CONCURRENTLY ON import_log (created_at);
