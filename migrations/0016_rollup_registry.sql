ALTER TABLE "stats_rollups" ADD COLUMN "households" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "stats_rollups" ADD COLUMN "households_with_member" integer DEFAULT 0 NOT NULL;