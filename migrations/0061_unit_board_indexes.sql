-- 单位报到成效 (GET /index/units) reads one month of whistles, projects, meetings and actions for
-- every unit: indexes led by the time, so the read follows the month's activity, not the tables'
-- size (the indexes led by org or community serve one org's lists; PostgreSQL 15 cannot skip-scan them).
CREATE INDEX IF NOT EXISTS "whistle_assignments_assigned_idx" ON "whistle_assignments" USING btree ("assigned_at") WHERE "whistle_assignments"."part" in ('lead', 'assist');--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "projects_claimed_idx" ON "projects" USING btree ("claimed_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "meetings_held_idx" ON "meetings" USING btree ("starts_at") WHERE "meetings"."status" = 'held';--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "meeting_actions_due_idx" ON "meeting_actions" USING btree ("due_at");
