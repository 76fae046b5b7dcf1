CREATE TABLE "rollup_queue" (
	"task_id" uuid,
	"member_id" uuid,
	"community_org_id" uuid,
	"unit_org_id" uuid,
	"day" date,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats_fill_times" (
	"scope" text NOT NULL,
	"scope_id" uuid NOT NULL,
	"seconds" integer NOT NULL,
	"tasks" integer NOT NULL,
	CONSTRAINT "stats_fill_times_scope_scope_id_seconds_pk" PRIMARY KEY("scope","scope_id","seconds")
);
--> statement-breakpoint
CREATE TABLE "stats_rollups" (
	"scope" text NOT NULL,
	"scope_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"period" date NOT NULL,
	"district_id" uuid,
	"tasks_published" integer DEFAULT 0 NOT NULL,
	"tasks_cancelled" integer DEFAULT 0 NOT NULL,
	"tasks_filled" integer DEFAULT 0 NOT NULL,
	"participations" integer DEFAULT 0 NOT NULL,
	"service_minutes" bigint DEFAULT 0 NOT NULL,
	"completed" integer DEFAULT 0 NOT NULL,
	"no_shows" integer DEFAULT 0 NOT NULL,
	"members" integer DEFAULT 0 NOT NULL,
	"category_tasks" bigint[] DEFAULT '{}' NOT NULL,
	"category_participations" bigint[] DEFAULT '{}' NOT NULL,
	"category_minutes" bigint[] DEFAULT '{}' NOT NULL,
	"fill_seconds" integer[],
	"fill_median" double precision,
	"fill_buckets" integer[],
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stats_rollups_scope_scope_id_grain_period_pk" PRIMARY KEY("scope","scope_id","grain","period"),
	CONSTRAINT "stats_rollups_scope_check" CHECK ("stats_rollups"."scope" in ('community', 'district', 'city', 'unit')),
	CONSTRAINT "stats_rollups_grain_check" CHECK ("stats_rollups"."grain" in ('month', 'week', 'all'))
);
--> statement-breakpoint
CREATE TABLE "index_indicators" (
	"key" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"guidance" text DEFAULT '' NOT NULL,
	"method" text NOT NULL,
	"metric" text,
	"weight" double precision NOT NULL,
	"max_score" double precision NOT NULL,
	"full_at" double precision,
	"zero_at" double precision,
	"admitted" boolean DEFAULT true NOT NULL,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "index_indicators_method_check" CHECK ("index_indicators"."method" in ('auto', 'manual')),
	CONSTRAINT "index_indicators_metric_check" CHECK (("index_indicators"."method" = 'auto') = ("index_indicators"."metric" is not null)),
	CONSTRAINT "index_indicators_numbers_check" CHECK ("index_indicators"."weight" >= 0 and "index_indicators"."max_score" > 0)
);
--> statement-breakpoint
CREATE TABLE "index_scores" (
	"period" text NOT NULL,
	"org_id" uuid NOT NULL,
	"key" text NOT NULL,
	"score" double precision NOT NULL,
	"evidence" text NOT NULL,
	"scored_by" uuid,
	"scored_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "index_scores_period_org_id_key_pk" PRIMARY KEY("period","org_id","key"),
	CONSTRAINT "index_scores_score_check" CHECK ("index_scores"."score" >= 0)
);
--> statement-breakpoint
ALTER TABLE "index_scores" ADD CONSTRAINT "index_scores_org_id_party_orgs_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."party_orgs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "index_scores" ADD CONSTRAINT "index_scores_scored_by_users_id_fk" FOREIGN KEY ("scored_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "stats_rollups_period_idx" ON "stats_rollups" USING btree ("scope","grain","period","district_id");