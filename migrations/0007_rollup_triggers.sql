-- Roll-ups are kept off the request path: these triggers only append what changed to
-- rollup_queue (no key, no index: an append never waits for another transaction); the roll-up
-- job (server/src/modules/rollups) drains it and rewrites the figures. Claims are queued per
-- statement, so a batch of claims costs one small insert. Nothing here fires on the post-row
-- update every claim makes: the tasks trigger below only fires when a post moves (its start,
-- community or category) or is cancelled, none of which a claim's update names.
CREATE FUNCTION rollup_queue_claims() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (task_id) SELECT DISTINCT task_id FROM changed_rows;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER claims_rollup_insert AFTER INSERT ON claims REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_claims();--> statement-breakpoint
CREATE TRIGGER claims_rollup_update AFTER UPDATE ON claims REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_claims();--> statement-breakpoint
CREATE TRIGGER claims_rollup_delete AFTER DELETE ON claims REFERENCING OLD TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_claims();--> statement-breakpoint
CREATE FUNCTION rollup_queue_tasks() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (task_id) SELECT id FROM changed_rows;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER tasks_rollup_insert AFTER INSERT ON tasks REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_tasks();--> statement-breakpoint
CREATE FUNCTION rollup_queue_moved_task() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (task_id, community_org_id, day)
  VALUES (NEW.id, OLD.community_org_id, (OLD.starts_at AT TIME ZONE 'Asia/Shanghai')::date);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER tasks_rollup_moved AFTER UPDATE OF starts_at, community_org_id, category, status ON tasks FOR EACH ROW
  WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at OR OLD.community_org_id IS DISTINCT FROM NEW.community_org_id
        OR OLD.category IS DISTINCT FROM NEW.category OR (OLD.status = 'cancelled') IS DISTINCT FROM (NEW.status = 'cancelled'))
  EXECUTE FUNCTION rollup_queue_moved_task();--> statement-breakpoint
CREATE FUNCTION rollup_queue_new_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (member_id, community_org_id, unit_org_id, day)
  SELECT id, community_org_id, unit_org_id, (registered_at AT TIME ZONE 'Asia/Shanghai')::date FROM new_rows;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION rollup_queue_old_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (member_id, community_org_id, unit_org_id, day)
  SELECT id, community_org_id, unit_org_id, (registered_at AT TIME ZONE 'Asia/Shanghai')::date FROM old_rows;
  RETURN NULL;
END
$$;--> statement-breakpoint
-- A profile edit that keeps the member's community, unit and registration changes no figure.
CREATE FUNCTION rollup_queue_moved_members() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO rollup_queue (member_id, community_org_id, unit_org_id, day)
  SELECT x.id, x.community_org_id, x.unit_org_id, (x.registered_at AT TIME ZONE 'Asia/Shanghai')::date
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    CROSS JOIN LATERAL (VALUES (o.id, o.community_org_id, o.unit_org_id, o.registered_at),
                               (n.id, n.community_org_id, n.unit_org_id, n.registered_at)) x(id, community_org_id, unit_org_id, registered_at)
   WHERE (o.community_org_id, o.unit_org_id, o.registered_at) IS DISTINCT FROM (n.community_org_id, n.unit_org_id, n.registered_at);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER members_rollup_insert AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_new_members();--> statement-breakpoint
CREATE TRIGGER members_rollup_update AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_moved_members();--> statement-breakpoint
CREATE TRIGGER members_rollup_delete AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION rollup_queue_old_members();--> statement-breakpoint
-- Element-wise sum of per-category arrays (a missing element counts as 0).
CREATE FUNCTION int8_array_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
    FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)
$$;--> statement-breakpoint
CREATE AGGREGATE int8_array_sum(bigint[]) (SFUNC = int8_array_add, STYPE = bigint[], INITCOND = '{}');--> statement-breakpoint
-- The default 先锋指数+ catalogue: every auto metric of the contract, admitted, 100 points in all.
INSERT INTO index_indicators (key, name, guidance, method, metric, weight, max_score, full_at, zero_at, admitted, sort_order) VALUES
  ('coverage', '党员覆盖率', '评价要点：有在职党员报到的户数占业主信息库户数的比例。计分方法：覆盖率达30%得满分，0%不得分，其间按比例计分。', 'auto', 'coverage', 1, 15, 0.3, 0, true, 1),
  ('posts_per_month', '月发布岗位数', '评价要点：当月发布的志愿岗位（不含已取消）。计分方法：4个及以上得满分，按比例计分。', 'auto', 'posts_per_month', 1, 10, 4, 0, true, 2),
  ('fill_rate', '岗位满员率', '评价要点：当月岗位中名额全部认领的比例。计分方法：90%及以上得满分，0%不得分，按比例计分。', 'auto', 'fill_rate', 1, 10, 0.9, 0, true, 3),
  ('median_minutes_to_full', '满员中位用时', '评价要点：从开抢到满员用时的中位数，反映党员参与热情。计分方法：60分钟以内得满分，超过2天不得分，其间按比例计分。', 'auto', 'median_minutes_to_full', 1, 10, 60, 2880, true, 4),
  ('participations_per_member', '人均参与次数', '评价要点：当月参与人次除以本社区报到党员数。计分方法：人均1次及以上得满分，按比例计分。', 'auto', 'participations_per_member', 1, 15, 1, 0, true, 5),
  ('no_show_rate', '未到岗率', '评价要点：当月已结束岗位中未到岗人次的比例。计分方法：2%及以下得满分，20%及以上不得分，其间按比例计分。', 'auto', 'no_show_rate', 1, 10, 0.02, 0.2, true, 6),
  ('whistle_response_rate', '吹哨响应率', '评价要点：吹哨事项在期限内得到单位签收反馈的比例。计分方法：100%得满分，按比例计分。', 'auto', 'whistle_response_rate', 1, 10, 1, 0, true, 7),
  ('whistle_close_rate', '吹哨办结率', '评价要点：吹哨事项已办结的比例。计分方法：100%得满分，按比例计分。', 'auto', 'whistle_close_rate', 1, 10, 1, 0, true, 8),
  ('whistle_satisfaction', '吹哨满意度', '评价要点：办结回访的平均满意度（1–5分）。计分方法：5分得满分，1分不得分，其间按比例计分。', 'auto', 'whistle_satisfaction', 1, 10, 5, 1, true, 9);
