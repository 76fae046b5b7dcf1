import { asc, sql } from 'drizzle-orm';
import type { Indicator } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { indexIndicators, indexScores } from '../../db/schema';

export interface CommunityRef {
  id: string;
  name: string;
  districtId: string;
  districtName: string;
}

/** One community's figures for a month, from the roll-ups. */
export interface MonthFigures {
  published: number;
  cancelled: number;
  filled: number;
  participations: number;
  completed: number;
  noShows: number;
  /** Members registered before the month ended. */
  members: number;
  /** Homes of the community's registry registered before the month ended, and of those, homes with a member living there then. */
  households: number;
  householdsWithMember: number;
  /** Median seconds from the claim window opening to full over the month's filled posts; null when none filled. */
  fillMedianSeconds: number | null;
}

export type CommunityMonth = CommunityRef & MonthFigures;

export const NO_FIGURES: MonthFigures = {
  published: 0,
  cancelled: 0,
  filled: 0,
  participations: 0,
  completed: 0,
  noShows: 0,
  members: 0,
  households: 0,
  householdsWithMember: 0,
  fillMedianSeconds: null,
};

export interface ManualScoreRow {
  period: string;
  orgId: string;
  key: string;
  score: number;
  evidence: string;
  scoredAt: Date;
}

/**
 * `reads` is where the ranking's figures are read (a replica in a cluster, chosen per call);
 * writes (the catalogue, manual scores) go to `db`, the primary.
 */
export function assessmentRepositoryFactory(db: Db, reads: Db = db) {
  return {
    async listIndicators(tx: DbOrTx = reads): Promise<Indicator[]> {
      const rows = await tx.select().from(indexIndicators).orderBy(asc(indexIndicators.sortOrder), asc(indexIndicators.key));
      return rows.map((r) => ({
        key: r.key,
        name: r.name,
        guidance: r.guidance,
        method: r.method,
        ...(r.metric ? { metric: r.metric as Indicator['metric'] } : {}),
        weight: r.weight,
        maxScore: r.maxScore,
        ...(r.fullAt !== null ? { fullAt: r.fullAt } : {}),
        ...(r.zeroAt !== null ? { zeroAt: r.zeroAt } : {}),
        admitted: r.admitted,
      }));
    },

    /** The catalogue is replaced as a whole (callers pass a transaction). */
    async replaceIndicators(items: Indicator[], tx: DbOrTx) {
      await tx.delete(indexIndicators);
      await tx.insert(indexIndicators).values(
        items.map((it, i) => ({
          key: it.key,
          name: it.name,
          guidance: it.guidance,
          method: it.method,
          metric: it.method === 'auto' ? (it.metric ?? null) : null,
          weight: it.weight,
          maxScore: it.maxScore,
          fullAt: it.method === 'auto' ? (it.fullAt ?? null) : null,
          zeroAt: it.method === 'auto' ? (it.zeroAt ?? null) : null,
          admitted: it.admitted,
          sortOrder: i + 1,
        })),
      );
    },

    async upsertScore(values: {
      period: string;
      orgId: string;
      key: string;
      score: number;
      evidence: string;
      scoredBy: string;
    }): Promise<ManualScoreRow> {
      const [row] = await db
        .insert(indexScores)
        .values(values)
        .onConflictDoUpdate({
          target: [indexScores.period, indexScores.orgId, indexScores.key],
          set: { score: values.score, evidence: values.evidence, scoredBy: values.scoredBy, scoredAt: sql`now()` },
        })
        .returning();
      return row;
    },

    async scoresFor(period: string): Promise<ManualScoreRow[]> {
      const { rows } = await reads.execute<{
        period: string;
        org_id: string;
        key: string;
        score: number;
        evidence: string;
        scored_at: Date;
      }>(sql`
        select period, org_id, key, score, evidence, scored_at from index_scores
         where period = ${period}`);
      return rows.map((r) => ({
        period: r.period,
        orgId: r.org_id,
        key: r.key,
        score: Number(r.score),
        evidence: r.evidence,
        scoredAt: new Date(r.scored_at),
      }));
    },

    /**
     * What the scores of a period are computed from, in one round trip: the roll-ups' version
     * (rollup_state), the period's manual scores (never deleted: their count and latest time),
     * and the org list's version (directory_state, bumped by triggers on party_orgs and districts).
     */
    async tokens(period: string): Promise<{ rollups: string; scores: string; orgs: string }> {
      const { rows } = await reads.execute<{ rollups: string | null; scores: string; orgs: string | null }>(sql`
        select (select version from rollup_state where id = 1)::text as rollups,
               (select count(*) || '|' || coalesce(max(scored_at)::text, '') from index_scores where period = ${period}) as scores,
               (select version from directory_state where id = 1)::text as orgs`);
      return { rollups: rows[0].rollups ?? '0', scores: rows[0].scores, orgs: rows[0].orgs ?? '0' };
    },

    /** Every community org with its district: read live, so a rename or a new community shows at once. */
    async communities(): Promise<CommunityRef[]> {
      const { rows } = await reads.execute<{ id: string; name: string; district_id: string; district_name: string }>(sql`
        select po.id, po.name, po.district_id, d.name as district_name
          from party_orgs po join districts d on d.id = po.district_id
         where po.kind = 'community'`);
      return rows.map((r) => ({ id: r.id, name: r.name, districtId: r.district_id, districtName: r.district_name }));
    },

    /**
     * The communities whose roll-up rows changed after `version`: `null` when that cannot be told
     * (a rebuild changed them all, or the entries of that version were pruned).
     */
    async changedSince(version: string): Promise<string[] | null> {
      const { rows } = await reads.execute<{ gone: boolean; everything: boolean | null; ids: string[] | null }>(sql`
        select (select changes_kept_after from rollup_state where id = 1) > ${version}::bigint as gone,
               bool_or(community_org_id is null) as everything,
               array_agg(distinct community_org_id) filter (where community_org_id is not null) as ids
          from rollup_changes where version > ${version}::bigint`);
      const r = rows[0];
      return r.gone || r.everything ? null : (r.ids ?? []);
    },

    /**
     * The month's roll-up figures of every community that has any up to that month (`month` is
     * YYYY-MM-01): the month's own row, and members and the registry summed over the months up
     * to it; `onlyIds`: just those communities. Index-only scans of the covering indexes
     * (migrations 0008, 0016).
     */
    async monthFigures(month: string, onlyIds?: string[]): Promise<Map<string, MonthFigures>> {
      const only = onlyIds ? sql`and scope_id = any(${sql.param(onlyIds)}::uuid[])` : sql``;
      const { rows } = await reads.execute<{
        id: string;
        published: number | null;
        cancelled: number | null;
        filled: number | null;
        participations: number | null;
        completed: number | null;
        no_shows: number | null;
        fill_median: number | null;
        members: number;
        households: number;
        with_member: number;
      }>(sql`
        with upto as (
          select scope_id as id, sum(members)::int as members, sum(households)::int as households, sum(households_with_member)::int as with_member
            from stats_rollups
           where scope = 'community' and grain = 'month' and period <= ${month}::date ${only}
           group by scope_id
        )
        select upto.*, r.tasks_published as published, r.tasks_cancelled as cancelled, r.tasks_filled as filled, r.participations,
               r.completed, r.no_shows, r.fill_median
          from upto
          left join stats_rollups r on r.scope = 'community' and r.scope_id = upto.id and r.grain = 'month' and r.period = ${month}::date`);
      return new Map(
        rows.map((r) => [
          r.id,
          {
            published: r.published ?? 0,
            cancelled: r.cancelled ?? 0,
            filled: r.filled ?? 0,
            participations: r.participations ?? 0,
            completed: r.completed ?? 0,
            noShows: r.no_shows ?? 0,
            members: r.members,
            households: r.households,
            householdsWithMember: r.with_member,
            fillMedianSeconds: r.fill_median === null ? null : Number(r.fill_median),
          },
        ]),
      );
    },
  };
}

export type AssessmentRepository = ReturnType<typeof assessmentRepositoryFactory>;
