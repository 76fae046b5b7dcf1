ALTER TABLE "tasks" ADD COLUMN "version" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Every update of a post moves its version: the row lock orders the updates, so the version
-- orders what they did, and count notifications can be told apart from older ones.
CREATE OR REPLACE FUNCTION tasks_bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.version := OLD.version + 1;
  RETURN NEW;
END
$$;--> statement-breakpoint
CREATE TRIGGER tasks_bump_version BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION tasks_bump_version();
