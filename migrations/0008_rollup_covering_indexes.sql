-- The ranking reads, for every community, its month row and the members registered up to that
-- month: both as index-only scans, never the wide rows (category arrays, fill seconds).
CREATE INDEX stats_rollups_ranking_idx ON stats_rollups (scope, grain, period)
  INCLUDE (scope_id, tasks_published, tasks_cancelled, tasks_filled, participations, completed, no_shows, fill_median);--> statement-breakpoint
CREATE INDEX stats_rollups_members_idx ON stats_rollups (scope, grain, scope_id, period) INCLUDE (members);
