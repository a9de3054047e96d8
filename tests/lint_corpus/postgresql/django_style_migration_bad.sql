-- expect: adding-required-field, require-concurrent-index-creation, prefer-bigint-over-int
-- options: session-timeouts
BEGIN;
--
-- Add field owner to project
--
ALTER TABLE "app_project" ADD COLUMN "owner_id" integer NOT NULL;
CREATE INDEX "app_project_owner_id_idx" ON "app_project" ("owner_id");
COMMIT;
