ALTER TABLE "tasks" ADD COLUMN "service_minutes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_service_minutes_check" CHECK ("tasks"."service_minutes" >= 0);--> statement-breakpoint
-- Posts already checked out keep their minutes.
UPDATE "tasks" t SET "service_minutes" = s.minutes
  FROM (SELECT task_id, sum(minutes)::int AS minutes FROM claims WHERE minutes IS NOT NULL GROUP BY task_id) s
 WHERE s.task_id = t.id;
