-- 先锋指数+: two auto metrics of 组织报到 offered in the catalogue, not admitted (the city admin admits them).
INSERT INTO index_indicators (key, name, guidance, method, metric, weight, max_score, full_at, zero_at, admitted, sort_order)
SELECT v.key, v.name, v.guidance, 'auto', v.metric, 1, 10, v.full_at, v.zero_at, false, (SELECT coalesce(max(sort_order), 0) FROM index_indicators) + v.n
  FROM (VALUES
    ('needs_claimed_rate', '需求认领率', '评价要点：当月发布的社区需求中已被报到单位认领（未退回）的比例。计分方法：80%及以上得满分，0%不得分，其间按比例计分。', 'needs_claimed_rate', 0.8::float8, 0::float8, 1),
    ('project_rating', '项目评价', '评价要点：当月验收的共建项目的平均评分（1–5分）。计分方法：5分得满分，1分不得分，其间按比例计分。', 'project_rating', 5::float8, 1::float8, 2)
  ) AS v(key, name, guidance, metric, full_at, zero_at, n)
ON CONFLICT (key) DO NOTHING;--> statement-breakpoint
-- The month's needs and accepted projects, read city-wide by those metrics.
CREATE INDEX IF NOT EXISTS "needs_created_idx" ON "needs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "projects_accepted_idx" ON "projects" USING btree ("accepted_at") WHERE "projects"."accepted_at" is not null;
