CREATE TABLE "districts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "districts_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "estates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "estates_community_name_unique" UNIQUE("community_org_id","name"),
	CONSTRAINT "estates_id_community_unique" UNIQUE("id","community_org_id")
);
--> statement-breakpoint
CREATE TABLE "party_orgs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"district_id" uuid NOT NULL,
	"register_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "party_orgs_registerCode_unique" UNIQUE("register_code"),
	CONSTRAINT "party_orgs_kind_name_unique" UNIQUE("kind","name"),
	CONSTRAINT "party_orgs_kind_check" CHECK ("party_orgs"."kind" in ('community', 'unit')),
	CONSTRAINT "party_orgs_register_code_check" CHECK ("party_orgs"."register_code" is null or ("party_orgs"."kind" = 'community' and length("party_orgs"."register_code") <= 32))
);
--> statement-breakpoint
CREATE TABLE "invites" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_hash" text NOT NULL,
	"role" text NOT NULL,
	"org_id" uuid,
	"created_by" uuid NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"accepted_by" uuid,
	"accepted_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invites_codeHash_unique" UNIQUE("code_hash")
);
--> statement-breakpoint
CREATE TABLE "role_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"role" text NOT NULL,
	"org_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "role_grants_user_role_org_unique" UNIQUE NULLS NOT DISTINCT("user_id","role","org_id"),
	CONSTRAINT "role_grants_role_check" CHECK ("role_grants"."role" in ('member', 'secretary', 'district_admin', 'unit_admin', 'city_admin')),
	CONSTRAINT "role_grants_scope_check" CHECK (("role_grants"."role" = 'city_admin') = ("role_grants"."org_id" is null))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"openid" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_openid_unique" UNIQUE("openid")
);
--> statement-breakpoint
CREATE TABLE "members" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"phone_cipher" text NOT NULL,
	"phone_hash" text NOT NULL,
	"phone_masked" text NOT NULL,
	"unit_org_id" uuid NOT NULL,
	"work_unit" text NOT NULL,
	"community_org_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"building" text NOT NULL,
	"unit_no" text NOT NULL,
	"room" text NOT NULL,
	"intentions" text[] NOT NULL,
	"consent_version" text NOT NULL,
	"consented_at" timestamp with time zone NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "members_userId_unique" UNIQUE("user_id"),
	CONSTRAINT "members_intentions_check" CHECK (cardinality("members"."intentions") between 1 and 8)
);
--> statement-breakpoint
CREATE TABLE "claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"member_id" uuid NOT NULL,
	"status" text DEFAULT 'claimed' NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	"checked_in_at" timestamp with time zone,
	"checked_out_at" timestamp with time zone,
	"minutes" integer,
	CONSTRAINT "claims_status_check" CHECK ("claims"."status" in ('claimed', 'cancelled', 'checked_in', 'completed', 'no_show')),
	CONSTRAINT "claims_minutes_check" CHECK ("claims"."minutes" is null or "claims"."minutes" >= 0)
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"location" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"capacity" integer NOT NULL,
	"claimed" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"claim_opens_at" timestamp with time zone NOT NULL,
	"cancel_cutoff_minutes" integer DEFAULT 60 NOT NULL,
	"filled_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cancelled_at" timestamp with time zone,
	CONSTRAINT "tasks_capacity_check" CHECK ("tasks"."capacity" between 1 and 1000),
	CONSTRAINT "tasks_claimed_check" CHECK ("tasks"."claimed" >= 0 and "tasks"."claimed" <= "tasks"."capacity"),
	CONSTRAINT "tasks_time_check" CHECK ("tasks"."ends_at" > "tasks"."starts_at"),
	CONSTRAINT "tasks_status_check" CHECK ("tasks"."status" in ('open', 'cancelled', 'ended')),
	CONSTRAINT "tasks_category_check" CHECK ("tasks"."category" in ('convenience', 'order', 'environment', 'care', 'waste_sorting', 'medical', 'gardening', 'lei_feng_tutor'))
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" uuid,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
ALTER TABLE "estates" ADD CONSTRAINT "estates_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "party_orgs" ADD CONSTRAINT "party_orgs_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invites" ADD CONSTRAINT "invites_accepted_by_users_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "role_grants" ADD CONSTRAINT "role_grants_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_unit_org_id_party_orgs_id_fk" FOREIGN KEY ("unit_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_estate_id_community_org_id_estates_id_community_org_id_fk" FOREIGN KEY ("estate_id","community_org_id") REFERENCES "public"."estates"("id","community_org_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "party_orgs_district_kind_idx" ON "party_orgs" USING btree ("district_id","kind");--> statement-breakpoint
CREATE INDEX "invites_created_by_idx" ON "invites" USING btree ("created_by");--> statement-breakpoint
CREATE INDEX "members_community_idx" ON "members" USING btree ("community_org_id");--> statement-breakpoint
CREATE INDEX "members_unit_idx" ON "members" USING btree ("unit_org_id");--> statement-breakpoint
CREATE INDEX "members_phone_hash_idx" ON "members" USING btree ("phone_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "claims_live_unique" ON "claims" USING btree ("task_id","member_id") WHERE "claims"."status" <> 'cancelled';--> statement-breakpoint
CREATE INDEX "claims_member_idx" ON "claims" USING btree ("member_id","claimed_at");--> statement-breakpoint
CREATE INDEX "claims_task_status_idx" ON "claims" USING btree ("task_id","status");--> statement-breakpoint
CREATE INDEX "tasks_community_starts_idx" ON "tasks" USING btree ("community_org_id","starts_at");--> statement-breakpoint
CREATE INDEX "tasks_status_starts_idx" ON "tasks" USING btree ("status","starts_at");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");