-- A post's contact person and phone (issue 24): shown to members on the post's detail page.
ALTER TABLE "tasks" ADD COLUMN "contact_name" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "contact_phone" text;
