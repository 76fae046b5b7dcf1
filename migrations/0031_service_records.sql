-- Service records (contract v3): a record is a completed claim. `source` says who recorded it and
-- `record_version` counts its versions (an approved correction adds one); points earn once per version.
ALTER TABLE "claims" ADD COLUMN "source" text DEFAULT 'scan' NOT NULL;--> statement-breakpoint
ALTER TABLE "claims" ADD COLUMN "record_version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_source_check" CHECK ("claims"."source" in ('scan', 'secretary', 'correction', 'supplement'));--> statement-breakpoint
ALTER TABLE "claims" ADD CONSTRAINT "claims_record_version_check" CHECK ("claims"."record_version" >= 1);--> statement-breakpoint
CREATE TABLE "record_corrections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"member_id" uuid NOT NULL,
	"task_id" uuid NOT NULL REFERENCES "tasks"("id"),
	"community_org_id" uuid NOT NULL REFERENCES "party_orgs"("id"),
	"claim_id" uuid REFERENCES "claims"("id"),
	"checked_in_at" timestamp with time zone NOT NULL,
	"checked_out_at" timestamp with time zone NOT NULL,
	"minutes" integer NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid REFERENCES "users"("id"),
	"decided_at" timestamp with time zone,
	"note" text,
	"approved_minutes" integer,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "record_corrections_kind_check" CHECK ("kind" in ('correct', 'supplement')),
	CONSTRAINT "record_corrections_status_check" CHECK ("status" in ('pending', 'approved', 'rejected')),
	CONSTRAINT "record_corrections_time_check" CHECK ("checked_out_at" > "checked_in_at"),
	CONSTRAINT "record_corrections_minutes_check" CHECK ("minutes" >= 0 and ("approved_minutes" is null or "approved_minutes" >= 0)),
	CONSTRAINT "record_corrections_decided_check" CHECK (("status" = 'pending') = ("decided_at" is null))
);--> statement-breakpoint
CREATE UNIQUE INDEX "record_corrections_pending_unique" ON "record_corrections" ("member_id", "task_id") WHERE "status" = 'pending';--> statement-breakpoint
CREATE INDEX "record_corrections_community_idx" ON "record_corrections" ("community_org_id", "status", "created_at");--> statement-breakpoint
CREATE INDEX "record_corrections_member_idx" ON "record_corrections" ("member_id", "created_at");--> statement-breakpoint
CREATE TABLE "record_amendments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"claim_id" uuid NOT NULL REFERENCES "claims"("id"),
	"version" integer NOT NULL,
	"source" text NOT NULL,
	"before" jsonb,
	"after" jsonb NOT NULL,
	"actor_user_id" uuid REFERENCES "users"("id"),
	"reason" text NOT NULL,
	"correction_id" uuid REFERENCES "record_corrections"("id"),
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "record_amendments_version_unique" UNIQUE ("claim_id", "version"),
	CONSTRAINT "record_amendments_source_check" CHECK ("source" in ('secretary', 'correction', 'supplement'))
);--> statement-breakpoint
-- The history is the proof: once written, an amendment is never changed or removed.
CREATE FUNCTION record_amendments_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'record_amendments is append-only' USING ERRCODE = 'check_violation';
END
$$;--> statement-breakpoint
CREATE TRIGGER record_amendments_no_change BEFORE UPDATE OR DELETE ON "record_amendments"
  FOR EACH ROW EXECUTE FUNCTION record_amendments_append_only();
