-- expect: prefer-robust-stmts@4
-- options: session-timeouts
CREATE TABLE IF NOT EXISTS tenants_notes (id bigint, tenant_id bigint);
ALTER TABLE tenants_notes ENABLE ROW LEVEL SECURITY;
