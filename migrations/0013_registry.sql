CREATE TABLE "households" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_org_id" uuid NOT NULL,
	"estate_id" uuid NOT NULL,
	"building" text NOT NULL,
	"unit_no" text NOT NULL,
	"room" text NOT NULL,
	"owner_name_cipher" text NOT NULL,
	"owner_name_hash" text NOT NULL,
	"phone_cipher" text NOT NULL,
	"phone_hash" text NOT NULL,
	"phone_masked" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "households_home_unique" UNIQUE("community_org_id","estate_id","building","unit_no","room")
);
--> statement-breakpoint
CREATE TABLE "member_consents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"member_id" uuid NOT NULL,
	"version" text NOT NULL,
	"action" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "claims" DROP CONSTRAINT "claims_member_id_members_id_fk";
--> statement-breakpoint
ALTER TABLE "draw_entries" DROP CONSTRAINT "draw_entries_member_id_members_id_fk";
--> statement-breakpoint
ALTER TABLE "waitlist_entries" DROP CONSTRAINT "waitlist_entries_member_id_members_id_fk";
--> statement-breakpoint
ALTER TABLE "households" ADD CONSTRAINT "households_community_org_id_party_orgs_id_fk" FOREIGN KEY ("community_org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "households" ADD CONSTRAINT "households_estate_id_community_org_id_estates_id_community_org_id_fk" FOREIGN KEY ("estate_id","community_org_id") REFERENCES "public"."estates"("id","community_org_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "member_consents" ADD CONSTRAINT "member_consents_member_id_members_id_fk" FOREIGN KEY ("member_id") REFERENCES "public"."members"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "households_community_phone_idx" ON "households" USING btree ("community_org_id","phone_hash");--> statement-breakpoint
CREATE INDEX "member_consents_member_idx" ON "member_consents" USING btree ("member_id","at");