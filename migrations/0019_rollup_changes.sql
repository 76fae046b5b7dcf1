CREATE TABLE "rollup_changes" (
	"version" bigint NOT NULL,
	"community_org_id" uuid
);
--> statement-breakpoint
ALTER TABLE "rollup_state" ADD COLUMN "changes_kept_after" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "rollup_changes_version_idx" ON "rollup_changes" USING btree ("version");--> statement-breakpoint
-- Versions written before this table existed have no entries: readers holding them read everything.
UPDATE "rollup_state" SET "changes_kept_after" = "version";
