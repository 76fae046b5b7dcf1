-- Points (积分): spendable, apart from hours (the record). One row of rules, set by the city admin.
CREATE TABLE "points_rules" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"points_per_hour" integer DEFAULT 10 NOT NULL,
	"category_multipliers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"expiry_months" integer DEFAULT 36,
	"star_thresholds_hours" integer[] DEFAULT '{100,300,600,1000,1500}'::integer[] NOT NULL,
	"updated_by" uuid REFERENCES "users"("id"),
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "points_rules_single_check" CHECK ("id" = 1),
	CONSTRAINT "points_rules_values_check" CHECK ("points_per_hour" >= 0 and ("expiry_months" is null or "expiry_months" >= 1)
	  and cardinality("star_thresholds_hours") = 5)
);--> statement-breakpoint
INSERT INTO "points_rules" ("id") VALUES (1);--> statement-breakpoint
-- A member's account: its balance moves only with an entry, in the entry's transaction, and the
-- check makes an overdraft impossible whatever the code does.
CREATE TABLE "points_accounts" (
	"member_id" uuid PRIMARY KEY NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "points_accounts_balance_check" CHECK ("balance" >= 0)
);--> statement-breakpoint
-- Double entry: every entry moves `amount` (> 0) from one account to another. A member's account
-- is `member`; the others are the system's (issued, redeemed, expired), whose balances are the
-- sums of their entries. `key` makes each business event write once (an earn per record
-- version, a reversal per version, a redemption, an expiry run per member and cut-off).
CREATE TABLE "points_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
	"key" text NOT NULL,
	"member_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"debit_account" text NOT NULL,
	"credit_account" text NOT NULL,
	"amount" integer NOT NULL,
	"ref_type" text NOT NULL,
	"ref_id" text NOT NULL,
	"ref_version" integer,
	"note" text DEFAULT '' NOT NULL,
	"at" timestamp with time zone NOT NULL,
	CONSTRAINT "points_entries_key_unique" UNIQUE ("key"),
	CONSTRAINT "points_entries_amount_check" CHECK ("amount" > 0),
	CONSTRAINT "points_entries_accounts_check" CHECK ("debit_account" <> "credit_account"),
	CONSTRAINT "points_entries_kind_check" CHECK (
	  ("kind" = 'earn' and "debit_account" = 'issued' and "credit_account" = 'member')
	  or ("kind" = 'reverse' and "debit_account" = 'member' and "credit_account" = 'issued')
	  or ("kind" = 'redeem' and "debit_account" = 'member' and "credit_account" = 'redeemed')
	  or ("kind" = 'expire' and "debit_account" = 'member' and "credit_account" = 'expired'))
);--> statement-breakpoint
CREATE INDEX "points_entries_member_idx" ON "points_entries" ("member_id", "seq");--> statement-breakpoint
CREATE INDEX "points_entries_ref_idx" ON "points_entries" ("ref_type", "ref_id");--> statement-breakpoint
CREATE FUNCTION points_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'points_entries is append-only: post a reversal instead' USING ERRCODE = 'check_violation';
END
$$;--> statement-breakpoint
CREATE TRIGGER points_entries_no_change BEFORE UPDATE OR DELETE ON "points_entries"
  FOR EACH ROW EXECUTE FUNCTION points_entries_append_only();
