-- expect: prefer-jsonb@4, prefer-jsonb@5
-- options: in-transaction, session-timeouts
-- strong_migrations: json has no equality operator, DISTINCT/UNION over the table fail
CREATE TABLE "AuditEntry" ("id" bigint PRIMARY KEY, "diff" json);
ALTER TABLE orders ADD COLUMN raw_payload json;
ALTER TABLE orders ADD COLUMN clean_payload jsonb;
