ALTER TABLE "stats_rollups" ADD COLUMN "fill_median" double precision;--> statement-breakpoint
ALTER TABLE "stats_rollups" ADD COLUMN "fill_buckets" integer[];