ALTER TABLE "households" DROP CONSTRAINT "households_community_org_id_party_orgs_id_fk";
--> statement-breakpoint
ALTER TABLE "demands" ALTER COLUMN "user_id" DROP NOT NULL;