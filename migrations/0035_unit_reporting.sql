CREATE TABLE "agreements" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_org_id" uuid NOT NULL,
	"community_org_id" uuid NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"commitments" text NOT NULL,
	"contact_name" text NOT NULL,
	"contact_phone_cipher" text NOT NULL,
	"contact_phone_masked" text NOT NULL,
	"status" text DEFAULT 'proposed' NOT NULL,
	"reason" text,
	"proposed_by" uuid NOT NULL,
	"proposed_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"ended_by" uuid,
	"ended_at" timestamp with time zone,
	CONSTRAINT "agreements_status_check" CHECK ("agreements"."status" in ('proposed', 'active', 'rejected', 'ended')),
	CONSTRAINT "agreements_dates_check" CHECK ("agreements"."ends_on" >= "agreements"."starts_on")
);
--> statement-breakpoint
CREATE TABLE "needs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"description" text NOT NULL,
	"people_needed" integer,
	"due_at" timestamp with time zone,
	"source_kind" text,
	"source_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone,
	CONSTRAINT "needs_status_check" CHECK ("needs"."status" in ('open', 'claimed', 'closed')),
	CONSTRAINT "needs_source_check" CHECK (("needs"."source_kind" is null) = ("needs"."source_id" is null) and ("needs"."source_kind" is null or "needs"."source_kind" in ('demand', 'whistle'))),
	CONSTRAINT "needs_people_check" CHECK ("needs"."people_needed" is null or "needs"."people_needed" between 1 and 1000)
);
--> statement-breakpoint
CREATE TABLE "resources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"unit_org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"description" text NOT NULL,
	"capacity" integer,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "resources_capacity_check" CHECK ("resources"."capacity" is null or "resources"."capacity" between 1 and 100000)
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"need_id" uuid NOT NULL,
	"unit_org_id" uuid NOT NULL,
	"community_org_id" uuid NOT NULL,
	"resource_id" uuid,
	"plan" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"status" text DEFAULT 'claimed' NOT NULL,
	"summary" text,
	"rating" integer,
	"rating_note" text,
	"return_reason" text,
	"claimed_by" uuid NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"returned_at" timestamp with time zone,
	CONSTRAINT "projects_status_check" CHECK ("projects"."status" in ('claimed', 'in_progress', 'delivered', 'accepted', 'closed', 'returned')),
	CONSTRAINT "projects_dates_check" CHECK ("projects"."ends_on" >= "projects"."starts_on"),
	CONSTRAINT "projects_rating_check" CHECK ("projects"."rating" is null or "projects"."rating" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "project_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"project_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_user_id" uuid,
	"actor_org_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "project_id" uuid;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "audience_unit_org_id" uuid;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_unit_org_id_party_orgs_id_fk" FOREIGN KEY ("unit_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "needs" ADD CONSTRAINT "needs_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "resources" ADD CONSTRAINT "resources_unit_org_id_party_orgs_id_fk" FOREIGN KEY ("unit_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_need_id_needs_id_fk" FOREIGN KEY ("need_id") REFERENCES "public"."needs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_unit_org_id_party_orgs_id_fk" FOREIGN KEY ("unit_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_resource_id_resources_id_fk" FOREIGN KEY ("resource_id") REFERENCES "public"."resources"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_events" ADD CONSTRAINT "project_events_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_audience_check" CHECK ("tasks"."audience_unit_org_id" is null or "tasks"."project_id" is not null);--> statement-breakpoint
CREATE UNIQUE INDEX "agreements_one_proposed" ON "agreements" USING btree ("unit_org_id","community_org_id") WHERE "agreements"."status" = 'proposed';--> statement-breakpoint
CREATE INDEX "agreements_community_idx" ON "agreements" USING btree ("community_org_id","status");--> statement-breakpoint
CREATE INDEX "agreements_unit_idx" ON "agreements" USING btree ("unit_org_id","status");--> statement-breakpoint
CREATE INDEX "needs_community_idx" ON "needs" USING btree ("community_org_id","created_at");--> statement-breakpoint
CREATE INDEX "resources_unit_idx" ON "resources" USING btree ("unit_org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_one_live_per_need" ON "projects" USING btree ("need_id") WHERE "projects"."status" <> 'returned';--> statement-breakpoint
CREATE INDEX "projects_unit_idx" ON "projects" USING btree ("unit_org_id","claimed_at");--> statement-breakpoint
CREATE INDEX "projects_community_idx" ON "projects" USING btree ("community_org_id","claimed_at");--> statement-breakpoint
CREATE INDEX "project_events_project_idx" ON "project_events" USING btree ("project_id","id");--> statement-breakpoint
CREATE INDEX "tasks_project_idx" ON "tasks" USING btree ("project_id") WHERE "tasks"."project_id" is not null;
