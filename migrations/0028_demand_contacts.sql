-- 居民点单 v3: how to reach the resident, and where. The phone is kept as members' phones are
-- (AES-GCM cipher, keyed hash, masked copy); a contact is kept only with the resident's consent.
ALTER TABLE "demands" ADD COLUMN "contact_name" text;--> statement-breakpoint
ALTER TABLE "demands" ADD COLUMN "contact_phone_cipher" text;--> statement-breakpoint
ALTER TABLE "demands" ADD COLUMN "contact_phone_hash" text;--> statement-breakpoint
ALTER TABLE "demands" ADD COLUMN "contact_phone_masked" text;--> statement-breakpoint
ALTER TABLE "demands" ADD COLUMN "contact_consented_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "demands" ADD COLUMN "estate_id" uuid REFERENCES "estates"("id");--> statement-breakpoint
ALTER TABLE "demands" ADD COLUMN "address" text;--> statement-breakpoint
ALTER TABLE "demands" ADD CONSTRAINT "demands_contact_consent_check" CHECK (("contact_name" is null and "contact_phone_cipher" is null) or "contact_consented_at" is not null);
