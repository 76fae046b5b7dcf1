CREATE TABLE "rollup_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "rollup_state_one_row" CHECK ("rollup_state"."id" = 1)
);
--> statement-breakpoint
INSERT INTO "rollup_state" ("id", "version") VALUES (1, 0);
