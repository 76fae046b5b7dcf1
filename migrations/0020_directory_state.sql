CREATE TABLE "directory_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "directory_state_one_row" CHECK ("directory_state"."id" = 1)
);
--> statement-breakpoint
INSERT INTO "directory_state" ("id", "version") VALUES (1, 0);--> statement-breakpoint
CREATE FUNCTION bump_directory_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE directory_state SET version = version + 1 WHERE id = 1;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER party_orgs_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON party_orgs
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();--> statement-breakpoint
CREATE TRIGGER districts_directory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON districts
  FOR EACH STATEMENT EXECUTE FUNCTION bump_directory_version();--> statement-breakpoint
-- Also with session_replication_role = replica (seed:city's load as a superuser): the version must move whenever the list does.
ALTER TABLE party_orgs ENABLE ALWAYS TRIGGER party_orgs_directory_version;--> statement-breakpoint
ALTER TABLE districts ENABLE ALWAYS TRIGGER districts_directory_version;
