CREATE TABLE "meetings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"title" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"location" text NOT NULL,
	"agenda" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"district_id" uuid NOT NULL,
	"community_org_id" uuid,
	"convened_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"minutes" text,
	"decisions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"handled" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"handled_total" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "meetings_kind_check" CHECK ("meetings"."kind" in ('coordination', 'door_service')),
	CONSTRAINT "meetings_status_check" CHECK ("meetings"."status" in ('scheduled', 'held', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "meeting_invites" (
	"meeting_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	CONSTRAINT "meeting_invites_pk" PRIMARY KEY("meeting_id","org_id")
);
--> statement-breakpoint
CREATE TABLE "meeting_links" (
	"meeting_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"ref_id" uuid NOT NULL,
	CONSTRAINT "meeting_links_pk" PRIMARY KEY("meeting_id","kind","ref_id"),
	CONSTRAINT "meeting_links_kind_check" CHECK ("meeting_links"."kind" in ('whistle', 'need'))
);
--> statement-breakpoint
CREATE TABLE "meeting_attendance" (
	"meeting_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"role" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "meeting_attendance_pk" PRIMARY KEY("meeting_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "meeting_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"meeting_id" uuid NOT NULL,
	"title" text NOT NULL,
	"owner_org_id" uuid NOT NULL,
	"assist_org_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"progress" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	CONSTRAINT "meeting_actions_status_check" CHECK ("meeting_actions"."status" in ('open', 'in_progress', 'done', 'confirmed')),
	CONSTRAINT "meeting_actions_progress_check" CHECK ("meeting_actions"."progress" between 0 and 100)
);
--> statement-breakpoint
CREATE TABLE "meeting_milestones" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"action_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"done_at" timestamp with time zone,
	CONSTRAINT "meeting_milestones_action_position_unique" UNIQUE("action_id","position")
);
--> statement-breakpoint
CREATE TABLE "meeting_action_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"action_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"progress" integer,
	"note" text,
	"milestone_id" uuid,
	"actor_user_id" uuid,
	"actor_role" text,
	"actor_org_id" uuid
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "meeting_id" uuid;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meetings" ADD CONSTRAINT "meetings_convened_by_users_id_fk" FOREIGN KEY ("convened_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_invites" ADD CONSTRAINT "meeting_invites_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_invites" ADD CONSTRAINT "meeting_invites_org_id_party_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_links" ADD CONSTRAINT "meeting_links_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_attendance" ADD CONSTRAINT "meeting_attendance_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_attendance" ADD CONSTRAINT "meeting_attendance_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_attendance" ADD CONSTRAINT "meeting_attendance_org_id_party_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_actions" ADD CONSTRAINT "meeting_actions_meeting_id_meetings_id_fk" FOREIGN KEY ("meeting_id") REFERENCES "public"."meetings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_actions" ADD CONSTRAINT "meeting_actions_owner_org_id_party_orgs_id_fk" FOREIGN KEY ("owner_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_milestones" ADD CONSTRAINT "meeting_milestones_action_id_meeting_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."meeting_actions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_action_events" ADD CONSTRAINT "meeting_action_events_action_id_meeting_actions_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."meeting_actions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "meeting_action_events" ADD CONSTRAINT "meeting_action_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "meetings_district_idx" ON "meetings" USING btree ("district_id","starts_at");--> statement-breakpoint
CREATE INDEX "meetings_community_idx" ON "meetings" USING btree ("community_org_id","starts_at") WHERE "meetings"."community_org_id" is not null;--> statement-breakpoint
CREATE INDEX "meeting_invites_org_idx" ON "meeting_invites" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "meeting_links_ref_idx" ON "meeting_links" USING btree ("kind","ref_id");--> statement-breakpoint
CREATE INDEX "meeting_actions_meeting_idx" ON "meeting_actions" USING btree ("meeting_id");--> statement-breakpoint
CREATE INDEX "meeting_actions_owner_idx" ON "meeting_actions" USING btree ("owner_org_id","due_at");--> statement-breakpoint
CREATE INDEX "meeting_actions_unescalated_idx" ON "meeting_actions" USING btree ("due_at") WHERE "meeting_actions"."status" in ('open', 'in_progress') and "meeting_actions"."escalated_at" is null;--> statement-breakpoint
CREATE INDEX "meeting_milestones_action_idx" ON "meeting_milestones" USING btree ("action_id");--> statement-breakpoint
CREATE INDEX "meeting_action_events_action_idx" ON "meeting_action_events" USING btree ("action_id","id");
