-- The roll-ups' registry figures (homes, homes with a member living there) move when homes are
-- registered or removed and when a member moves home: queue the community for the roll-up job,
-- as the other roll-up triggers do (statement level, append only). An import's update of a home
-- changes only its owner's name and phone, which no figure reads.
CREATE FUNCTION rollup_queue_households() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (community_org_id, day)
  SELECT DISTINCT community_org_id, (created_at AT TIME ZONE 'Asia/Shanghai')::date FROM changed_rows;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER households_rollup_insert AFTER INSERT ON households REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_households();--> statement-breakpoint
CREATE TRIGGER households_rollup_delete AFTER DELETE ON households REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_households();--> statement-breakpoint
-- A member's home (estate, building, unit, room) now counts too: it decides which home is covered.
CREATE OR REPLACE FUNCTION rollup_queue_moved_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (member_id, community_org_id, unit_org_id, day)
  SELECT x.id, x.community_org_id, x.unit_org_id, (x.registered_at AT TIME ZONE 'Asia/Shanghai')::date
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.id, o.community_org_id, o.unit_org_id, o.registered_at),
                               (n.id, n.community_org_id, n.unit_org_id, n.registered_at)) x(id, community_org_id, unit_org_id, registered_at)
   WHERE (o.community_org_id, o.unit_org_id, o.registered_at, o.estate_id, o.building, o.unit_no, o.room)
         IS DISTINCT FROM (n.community_org_id, n.unit_org_id, n.registered_at, n.estate_id, n.building, n.unit_no, n.room);
  RETURN NULL;
END
$$;--> statement-breakpoint
-- The ranking reads members and the registry summed up to a month, index only.
DROP INDEX stats_rollups_members_idx;--> statement-breakpoint
CREATE INDEX stats_rollups_members_idx ON stats_rollups (scope, grain, scope_id, period) INCLUDE (members, households, households_with_member);
