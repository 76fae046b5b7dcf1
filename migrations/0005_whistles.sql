CREATE TABLE "demands" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"text" text NOT NULL,
	"category" text,
	"status" text DEFAULT 'new' NOT NULL,
	"note" text,
	"task_id" uuid,
	"whistle_id" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"triaged_at" timestamp with time zone,
	"triaged_by" uuid,
	CONSTRAINT "demands_status_check" CHECK ("demands"."status" in ('new', 'posted', 'whistled', 'rejected'))
);
--> statement-breakpoint
CREATE TABLE "whistle_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"whistle_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"part" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"assigned_at" timestamp with time zone NOT NULL,
	"signed_at" timestamp with time zone,
	"answered_at" timestamp with time zone,
	"returned_at" timestamp with time zone,
	"answer_text" text,
	"answer_task_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"return_reason" text,
	CONSTRAINT "whistle_assignments_whistle_org_unique" UNIQUE("whistle_id","org_id"),
	CONSTRAINT "whistle_assignments_part_check" CHECK ("whistle_assignments"."part" in ('lead', 'assist', 'inform')),
	CONSTRAINT "whistle_assignments_status_check" CHECK ("whistle_assignments"."status" in ('pending', 'signed', 'answered', 'returned'))
);
--> statement-breakpoint
CREATE TABLE "whistle_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"whistle_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"org_id" uuid,
	"actor_user_id" uuid,
	"actor_role" text,
	"actor_org_id" uuid,
	"actor_org_name" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "whistle_extensions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"whistle_id" uuid NOT NULL,
	"assignment_id" uuid NOT NULL,
	"until" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"requested_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	"decided_by" uuid,
	CONSTRAINT "whistle_extensions_status_check" CHECK ("whistle_extensions"."status" in ('pending', 'approved', 'denied'))
);
--> statement-breakpoint
CREATE TABLE "whistles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"title" text NOT NULL,
	"description" text NOT NULL,
	"category" text NOT NULL,
	"location" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"raised_by_org_id" uuid,
	"raised_by_district_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"rated_at" timestamp with time zone,
	"satisfaction" integer,
	"rating_note" text,
	CONSTRAINT "whistles_status_check" CHECK ("whistles"."status" in ('open', 'answered', 'verified', 'closed', 'rated')),
	CONSTRAINT "whistles_satisfaction_check" CHECK ("whistles"."satisfaction" is null or "whistles"."satisfaction" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "role_grants" DROP CONSTRAINT "role_grants_role_check";--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "whistle_id" uuid;--> statement-breakpoint
ALTER TABLE "demands" ADD CONSTRAINT "demands_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "demands" ADD CONSTRAINT "demands_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "demands" ADD CONSTRAINT "demands_whistle_id_whistles_id_fk" FOREIGN KEY ("whistle_id") REFERENCES "public"."whistles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "demands" ADD CONSTRAINT "demands_triaged_by_users_id_fk" FOREIGN KEY ("triaged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_assignments" ADD CONSTRAINT "whistle_assignments_whistle_id_whistles_id_fk" FOREIGN KEY ("whistle_id") REFERENCES "public"."whistles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_assignments" ADD CONSTRAINT "whistle_assignments_org_id_party_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_events" ADD CONSTRAINT "whistle_events_whistle_id_whistles_id_fk" FOREIGN KEY ("whistle_id") REFERENCES "public"."whistles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_events" ADD CONSTRAINT "whistle_events_org_id_party_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_events" ADD CONSTRAINT "whistle_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_extensions" ADD CONSTRAINT "whistle_extensions_whistle_id_whistles_id_fk" FOREIGN KEY ("whistle_id") REFERENCES "public"."whistles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_extensions" ADD CONSTRAINT "whistle_extensions_assignment_id_whistle_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."whistle_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_extensions" ADD CONSTRAINT "whistle_extensions_requested_by_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistle_extensions" ADD CONSTRAINT "whistle_extensions_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistles" ADD CONSTRAINT "whistles_raised_by_org_id_party_orgs_id_fk" FOREIGN KEY ("raised_by_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistles" ADD CONSTRAINT "whistles_raised_by_district_id_districts_id_fk" FOREIGN KEY ("raised_by_district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "whistles" ADD CONSTRAINT "whistles_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "demands_community_idx" ON "demands" USING btree ("community_org_id","created_at");--> statement-breakpoint
CREATE INDEX "demands_user_idx" ON "demands" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "whistle_assignments_one_lead" ON "whistle_assignments" USING btree ("whistle_id") WHERE "whistle_assignments"."part" = 'lead' and "whistle_assignments"."status" <> 'returned';--> statement-breakpoint
CREATE INDEX "whistle_assignments_org_idx" ON "whistle_assignments" USING btree ("org_id","assigned_at");--> statement-breakpoint
CREATE INDEX "whistle_events_whistle_idx" ON "whistle_events" USING btree ("whistle_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "whistle_extensions_one_pending" ON "whistle_extensions" USING btree ("assignment_id") WHERE "whistle_extensions"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "whistle_extensions_whistle_idx" ON "whistle_extensions" USING btree ("whistle_id");--> statement-breakpoint
CREATE INDEX "whistles_raised_by_org_idx" ON "whistles" USING btree ("raised_by_org_id","created_at");--> statement-breakpoint
CREATE INDEX "whistles_district_idx" ON "whistles" USING btree ("raised_by_district_id","created_at");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_whistle_id_whistles_id_fk" FOREIGN KEY ("whistle_id") REFERENCES "public"."whistles"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_whistle_idx" ON "tasks" USING btree ("whistle_id") WHERE "tasks"."whistle_id" is not null;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_role_check" CHECK ("role_grants"."role" in ('member', 'secretary', 'district_admin', 'unit_admin', 'unit_liaison', 'city_admin'));