-- 爱心超市: a community's rewards with stock, and the redemptions its secretary makes by scanning a
-- member's 先锋码. The stock check makes overselling impossible whatever the code does; the points
-- come off the member's account in the same transaction (points_accounts' own check: never below 0).
CREATE TABLE "rewards" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"community_org_id" uuid NOT NULL REFERENCES "party_orgs"("id"),
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"points_cost" integer NOT NULL,
	"stock" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid REFERENCES "users"("id"),
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rewards_points_cost_check" CHECK ("points_cost" > 0),
	CONSTRAINT "rewards_stock_check" CHECK ("stock" >= 0)
);--> statement-breakpoint
CREATE INDEX "rewards_community_idx" ON "rewards" ("community_org_id", "created_at");--> statement-breakpoint
-- One row per redemption; the reward's name and cost as they were. No foreign key to members, as on
-- claims: 注销 re-labels a member's rows.
CREATE TABLE "reward_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reward_id" uuid NOT NULL REFERENCES "rewards"("id"),
	"community_org_id" uuid NOT NULL REFERENCES "party_orgs"("id"),
	"reward_name" text NOT NULL,
	"member_id" uuid NOT NULL,
	"points" integer NOT NULL,
	"redeemed_by" uuid NOT NULL REFERENCES "users"("id"),
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "reward_redemptions_points_check" CHECK ("points" > 0)
);--> statement-breakpoint
CREATE INDEX "reward_redemptions_member_idx" ON "reward_redemptions" ("member_id", "at");--> statement-breakpoint
CREATE INDEX "reward_redemptions_community_idx" ON "reward_redemptions" ("community_org_id", "at");--> statement-breakpoint
-- Idempotency-Key of a redemption, per secretary: the first answer (a redemption or a refusal) is
-- replayed verbatim. Taken in the redemption's transaction, so a concurrent replay waits for it.
CREATE TABLE "reward_redemption_keys" (
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"answer" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "reward_redemption_keys_pk" PRIMARY KEY ("user_id", "key")
);--> statement-breakpoint
CREATE INDEX "reward_redemption_keys_created_idx" ON "reward_redemption_keys" ("created_at");
