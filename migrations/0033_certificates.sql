-- 志愿服务记录证明: what the issuing community's certificates carry, the signing keys ever used
-- (a rotated key stays listed so old certificates still verify), and the certificates.
CREATE TABLE "certificate_settings" (
	"org_id" uuid PRIMARY KEY NOT NULL REFERENCES "party_orgs"("id"),
	"leader" text NOT NULL,
	"handler" text NOT NULL,
	"seal_png" bytea,
	"updated_by" uuid REFERENCES "users"("id"),
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "certificate_settings_seal_check" CHECK ("seal_png" is null or octet_length("seal_png") <= 204800)
);--> statement-breakpoint
CREATE TABLE "certificate_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE SEQUENCE "certificate_no_seq";--> statement-breakpoint
CREATE TABLE "certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"no" text NOT NULL,
	"member_id" uuid NOT NULL,
	"community_org_id" uuid NOT NULL REFERENCES "party_orgs"("id"),
	"from_day" date NOT NULL,
	"to_day" date NOT NULL,
	"total_minutes" integer NOT NULL,
	"claim_ids" uuid[] NOT NULL,
	"payload" text NOT NULL,
	"signature" text NOT NULL,
	"key_id" text NOT NULL REFERENCES "certificate_keys"("key_id"),
	"status" text DEFAULT 'valid' NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoke_reason" text,
	"issued_at" timestamp with time zone NOT NULL,
	CONSTRAINT "certificates_no_unique" UNIQUE ("no"),
	CONSTRAINT "certificates_status_check" CHECK ("status" in ('valid', 'revoked')),
	CONSTRAINT "certificates_revoked_check" CHECK (("status" = 'revoked') = ("revoked_at" is not null))
);--> statement-breakpoint
CREATE INDEX "certificates_member_idx" ON "certificates" ("member_id", "issued_at");--> statement-breakpoint
CREATE INDEX "certificates_claims_idx" ON "certificates" USING gin ("claim_ids") WHERE "status" = 'valid';
