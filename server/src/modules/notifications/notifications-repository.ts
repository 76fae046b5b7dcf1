import { asc, eq } from 'drizzle-orm';
import type pg from 'pg';
import type { DbOrTx } from '../../db/client';
import { calendarFeeds, memberPreferences, messages, subscriptionCredits } from '../../db/schema';
import { inTransaction } from '../../db/transaction';
import type { TemplateKey } from '@pioneer/shared';
import type { TaskFacts } from './templates';

export type Queryable = pg.Pool | pg.PoolClient;

const TASK_FACTS = `t.id, t.title, t.category, t.location, t.starts_at, t.ends_at, t.capacity, t.status, o.name as community_name`;

function toFacts(r: Record<string, unknown>): TaskFacts & { status: string } {
  return {
    id: r.id as string,
    title: r.title as string,
    category: r.category as string,
    location: r.location as string,
    startsAt: r.starts_at as Date,
    endsAt: r.ends_at as Date,
    capacity: r.capacity as number,
    communityName: r.community_name as string,
    status: r.status as string,
  };
}

interface ClaimFacts {
  userId: string;
  memberId: string;
  status: string;
  claimedAt: Date;
  minutes: number | null;
  checkedOutAt: Date | null;
  task: TaskFacts & { status: string };
}

interface StoredMessage {
  id: string;
  kind: string;
  title: string;
  body: string;
  taskId: string | null;
  whistleId: string | null;
  meetingId: string | null;
  createdAt: Date;
  readAt: Date | null;
}

interface MessageCursor {
  c: string;
  i: string;
}

interface PendingDelivery {
  messageId: string;
  userId: string;
  openid: string;
  templateKey: TemplateKey;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
}

/**
 * The outbox, messages, deliveries, subscription credits and the inbox. Over 400 lines because
 * these tables are one family written by one pipeline (exactly-once across them needs their
 * statements side by side).
 */
export function notificationsRepositoryFactory(pool: pg.Pool) {
  return {
    async taskFacts(taskId: string, q: Queryable = pool): Promise<(TaskFacts & { status: string }) | null> {
      const { rows } = await q.query(
        `select ${TASK_FACTS} from tasks t join party_orgs o on o.id = t.community_org_id where t.id = $1::uuid`,
        [taskId],
      );
      return rows[0] ? toFacts(rows[0]) : null;
    },

    async claimFacts(claimId: string, q: Queryable = pool): Promise<ClaimFacts | null> {
      const { rows } = await q.query(
        `select ${TASK_FACTS}, m.user_id, c.member_id, c.status as claim_status, c.claimed_at, c.minutes, c.checked_out_at
           from claims c
           join members m on m.id = c.member_id
           join tasks t on t.id = c.task_id
           join party_orgs o on o.id = t.community_org_id
          where c.id = $1::uuid`,
        [claimId],
      );
      const r = rows[0];
      if (!r) return null;
      return {
        userId: r.user_id,
        memberId: r.member_id,
        status: r.claim_status,
        claimedAt: r.claimed_at,
        minutes: r.minutes,
        checkedOutAt: r.checked_out_at,
        task: toFacts(r),
      };
    },

    async usersOfMembers(memberIds: string[], q: Queryable = pool): Promise<string[]> {
      if (memberIds.length === 0) return [];
      const { rows } = await q.query<{ user_id: string }>('select user_id from members where id = any($1::uuid[])', [memberIds]);
      return rows.map((r) => r.user_id);
    },

    /** The member's user while its offer on the post with this deadline is still open (not yet accepted, declined or expired). */
    async openOfferUsers(taskId: string, memberId: string, offerExpiresAt: Date, q: Queryable = pool): Promise<string[]> {
      const { rows } = await q.query<{ user_id: string }>(
        `select m.user_id from waitlist_entries w join members m on m.id = w.member_id
          where w.task_id = $1::uuid and w.member_id = $2::uuid and w.status = 'offered' and w.offer_expires_at = $3::timestamptz`,
        [taskId, memberId, offerExpiresAt],
      );
      return rows.map((r) => r.user_id);
    },

    /** Members holding a claim that is still ahead of them (claimed or checked in). */
    async liveClaimantUsers(taskId: string, q: Queryable = pool): Promise<string[]> {
      const { rows } = await q.query<{ user_id: string }>(
        `select m.user_id from claims c join members m on m.id = c.member_id
          where c.task_id = $1::uuid and c.status in ('claimed', 'checked_in')`,
        [taskId],
      );
      return rows.map((r) => r.user_id);
    },

    /** Members of the post's community who follow its category (GIN index on the categories). */
    async followerUsers(taskId: string, q: Queryable = pool): Promise<string[]> {
      const { rows } = await q.query<{ user_id: string }>(
        `select m.user_id
           from tasks t
           join member_preferences p on p.follow_categories @> array[t.category]
           join members m on m.id = p.member_id and m.community_org_id = t.community_org_id
          where t.id = $1::uuid`,
        [taskId],
      );
      return rows.map((r) => r.user_id);
    },

    /** Who answers for a unit org's whistles: its liaisons (红色代办员) and unit admins. */
    /** The secretaries of the communities. */
    async secretaryUsers(communityOrgIds: string[], q: Queryable = pool): Promise<string[]> {
      if (communityOrgIds.length === 0) return [];
      const { rows } = await q.query<{ user_id: string }>(
        `select distinct user_id from role_grants where org_id = any($1::uuid[]) and role = 'secretary'`,
        [communityOrgIds],
      );
      return rows.map((r) => r.user_id);
    },

    async orgStaffUsers(orgIds: string[], q: Queryable = pool): Promise<string[]> {
      if (orgIds.length === 0) return [];
      const { rows } = await q.query<{ user_id: string }>(
        `select distinct user_id from role_grants where org_id = any($1::uuid[]) and role in ('unit_liaison', 'unit_admin')`,
        [orgIds],
      );
      return rows.map((r) => r.user_id);
    },

    /**
     * Who raised a whistle and waits for its answers: the raising community's secretaries, or,
     * for a whistle of a 板块, its district admins (not the district above every community whistle).
     */
    async raiserStaffUsers(whistleId: string, q: Queryable = pool): Promise<string[]> {
      const { rows } = await q.query<{ user_id: string }>(
        `select distinct g.user_id
           from whistles w
           join role_grants g on (w.raised_by_org_id is not null and g.role = 'secretary' and g.org_id = w.raised_by_org_id)
                              or (w.raised_by_org_id is null and g.role = 'district_admin' and g.org_id = w.raised_by_district_id)
          where w.id = $1::uuid`,
        [whistleId],
      );
      return rows.map((r) => r.user_id);
    },

    /** Staff of these orgs holding one of `roles`, and the admins of these 板块 (共商共办 notices). */
    async staffUsers(orgIds: string[], roles: string[], districtIds: string[], q: Queryable = pool): Promise<string[]> {
      const { rows } = await q.query<{ user_id: string }>(
        `select distinct user_id from role_grants
          where (org_id = any($1::uuid[]) and role = any($2::text[]))
             or (org_id = any($3::uuid[]) and role = 'district_admin')`,
        [orgIds, roles, districtIds],
      );
      return rows.map((r) => r.user_id);
    },

    async meetingFacts(
      meetingId: string,
      q: Queryable = pool,
    ): Promise<{ title: string; startsAt: Date; location: string; status: string } | null> {
      const { rows } = await q.query('select title, starts_at, location, status from meetings where id = $1::uuid', [meetingId]);
      return rows[0] ? { title: rows[0].title, startsAt: rows[0].starts_at, location: rows[0].location, status: rows[0].status } : null;
    },

    async whistleFacts(whistleId: string, q: Queryable = pool): Promise<{ title: string; dueAt: Date; orgIds: string[] } | null> {
      const { rows } = await q.query(
        `select w.title, w.due_at,
                coalesce((select array_agg(a.org_id) from whistle_assignments a where a.whistle_id = w.id and a.status <> 'returned'), '{}') as org_ids
           from whistles w where w.id = $1::uuid`,
        [whistleId],
      );
      return rows[0] ? { title: rows[0].title, dueAt: rows[0].due_at, orgIds: rows[0].org_ids } : null;
    },

    /** New messages only (one per user and event), with their ids. */
    async insertMessages(
      client: pg.PoolClient,
      m: {
        eventKey: string;
        kind: string;
        title: string;
        body: string;
        taskId: string | null;
        whistleId: string | null;
        meetingId?: string | null;
        userIds: string[];
      },
    ): Promise<Array<{ id: string; userId: string }>> {
      const { rows } = await client.query<{ id: string; user_id: string }>(
        `insert into messages (user_id, event_key, kind, title, body, task_id, whistle_id, meeting_id)
         select u, $2, $3, $4, $5, $6::uuid, $7::uuid, $8::uuid from unnest($1::uuid[]) as u
         on conflict (user_id, event_key) do nothing
         returning id, user_id`,
        [m.userIds, m.eventKey, m.kind, m.title, m.body, m.taskId, m.whistleId, m.meetingId ?? null],
      );
      return rows.map((r) => ({ id: r.id, userId: r.user_id }));
    },

    /** Spends one credit of the template for each user holding one; answers who paid. */
    async spendCredits(client: pg.PoolClient, templateKey: TemplateKey, userIds: string[]): Promise<Set<string>> {
      if (userIds.length === 0) return new Set();
      const { rows } = await client.query<{ user_id: string }>(
        `update subscription_credits set credits = credits - 1, updated_at = now()
          where template_key = $1 and user_id = any($2::uuid[]) and credits > 0
          returning user_id`,
        [templateKey, userIds],
      );
      return new Set(rows.map((r) => r.user_id));
    },

    async insertDeliveries(
      client: pg.PoolClient,
      d: { templateKey: TemplateKey; templateId: string; page: string; data: unknown; messages: Array<{ id: string; userId: string }> },
    ): Promise<void> {
      if (d.messages.length === 0) return;
      await client.query(
        `insert into wechat_deliveries (message_id, user_id, template_key, template_id, page, data)
         select m, u, $3, $4, $5, $6::jsonb from unnest($1::uuid[], $2::uuid[]) as x(m, u)
         on conflict (message_id) do nothing`,
        [d.messages.map((m) => m.id), d.messages.map((m) => m.userId), d.templateKey, d.templateId, d.page, JSON.stringify(d.data)],
      );
    },

    /**
     * Takes a delivery for sending: `queued`, or `sending` for longer than `staleSeconds` (its
     * sender died mid-send). Null: nothing to send (done), or another sender holds it ('busy').
     */
    async takeDelivery(messageId: string, staleSeconds: number): Promise<PendingDelivery | 'busy' | null> {
      const { rows } = await pool.query(
        `with d as (
           update wechat_deliveries set status = 'sending', attempts = attempts + 1, updated_at = now()
            where message_id = $1::uuid
              and (status = 'queued' or (status = 'sending' and updated_at < now() - make_interval(secs => $2)))
           returning *
         )
         select d.*, u.openid, null as busy from d join users u on u.id = d.user_id
         union all
         select w.*, null, true from wechat_deliveries w
          where w.message_id = $1::uuid and w.status = 'sending' and not exists (select 1 from d)`,
        [messageId, staleSeconds],
      );
      const r = rows[0];
      if (!r) return null;
      if (r.busy) return 'busy';
      return {
        messageId: r.message_id,
        userId: r.user_id,
        openid: r.openid,
        templateKey: r.template_key,
        templateId: r.template_id,
        page: r.page,
        data: r.data,
      };
    },

    async finishDelivery(
      messageId: string,
      status: 'queued' | 'sent' | 'refused' | 'failed',
      lastError: string | null,
      credit: 'keep' | 'refund' | 'zero',
    ): Promise<void> {
      await pool.query(
        `with d as (
           update wechat_deliveries set status = $2, last_error = $3, updated_at = now()
            where message_id = $1::uuid
           returning user_id, template_key
         )
         update subscription_credits s
            set credits = case when $4 = 'refund' then s.credits + 1 else 0 end, updated_at = now()
           from d
          where $4 <> 'keep' and s.user_id = d.user_id and s.template_key = d.template_key`,
        [messageId, status, lastError, credit],
      );
    },

    async listMessages(userId: string, limit: number, after?: MessageCursor): Promise<StoredMessage[]> {
      const { rows } = await pool.query(
        `select id, kind, title, body, task_id, whistle_id, meeting_id, created_at, read_at
           from messages
          where user_id = $1::uuid
            and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::uuid))
          order by created_at desc, id desc
          limit $4`,
        [userId, after?.c ?? null, after?.i ?? null, limit],
      );
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        taskId: r.task_id,
        whistleId: r.whistle_id,
        meetingId: r.meeting_id,
        createdAt: r.created_at,
        readAt: r.read_at,
      }));
    },

    async unread(userId: string): Promise<number> {
      const { rows } = await pool.query<{ n: number }>(
        'select count(*)::int as n from messages where user_id = $1::uuid and read_at is null',
        [userId],
      );
      return rows[0].n;
    },

    async markRead(userId: string, ids: string[], now: Date): Promise<void> {
      await pool.query('update messages set read_at = $3 where user_id = $1::uuid and id = any($2::uuid[]) and read_at is null', [
        userId,
        ids,
        now,
      ]);
    },

    async credits(userId: string): Promise<Array<{ templateKey: TemplateKey; credits: number }>> {
      const { rows } = await pool.query('select template_key, credits from subscription_credits where user_id = $1::uuid', [userId]);
      return rows.map((r) => ({ templateKey: r.template_key, credits: r.credits }));
    },

    /** `add`: one more credit each; `reset`: none left (WeChat will refuse these templates). */
    async changeCredits(userId: string, add: TemplateKey[], reset: TemplateKey[]): Promise<void> {
      if (add.length) {
        await pool.query(
          `insert into subscription_credits (user_id, template_key, credits)
           select $1::uuid, k, 1 from unnest($2::text[]) as k
           on conflict (user_id, template_key) do update set credits = subscription_credits.credits + 1, updated_at = now()`,
          [userId, add],
        );
      }
      if (reset.length) {
        await pool.query(
          'update subscription_credits set credits = 0, updated_at = now() where user_id = $1::uuid and template_key = any($2::text[])',
          [userId, reset],
        );
      }
    },

    async preferences(memberId: string): Promise<{ followCategories: string[]; remindBeforeMinutes: number[] } | null> {
      const { rows } = await pool.query(
        'select follow_categories, remind_before_minutes from member_preferences where member_id = $1::uuid',
        [memberId],
      );
      return rows[0] ? { followCategories: rows[0].follow_categories, remindBeforeMinutes: rows[0].remind_before_minutes } : null;
    },

    async savePreferences(memberId: string, p: { followCategories: string[]; remindBeforeMinutes: number[] }): Promise<void> {
      await pool.query(
        `insert into member_preferences (member_id, follow_categories, remind_before_minutes, updated_at)
         values ($1::uuid, $2::text[], $3::int[], now())
         on conflict (member_id) do update
           set follow_categories = excluded.follow_categories, remind_before_minutes = excluded.remind_before_minutes, updated_at = now()`,
        [memberId, p.followCategories, p.remindBeforeMinutes],
      );
    },

    async calendarGeneration(memberId: string): Promise<number | null> {
      const { rows } = await pool.query<{ generation: number }>('select generation from calendar_feeds where member_id = $1::uuid', [
        memberId,
      ]);
      return rows[0]?.generation ?? null;
    },

    /** Keeps an existing feed; answers the generation in force. */
    async createCalendarFeed(memberId: string, tokenHash: string): Promise<number> {
      await pool.query(
        `insert into calendar_feeds (member_id, generation, token_hash) values ($1::uuid, 1, $2) on conflict (member_id) do nothing`,
        [memberId, tokenHash],
      );
      return (await this.calendarGeneration(memberId)) ?? 1;
    },

    resetCalendarFeed(memberId: string, hashOf: (generation: number) => string): Promise<number> {
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<{ generation: number }>(
          'select generation from calendar_feeds where member_id = $1::uuid for update',
          [memberId],
        );
        const next = (rows[0]?.generation ?? 0) + 1;
        await client.query(
          `insert into calendar_feeds (member_id, generation, token_hash) values ($1::uuid, $2, $3)
           on conflict (member_id) do update set generation = excluded.generation, token_hash = excluded.token_hash`,
          [memberId, next, hashOf(next)],
        );
        return next;
      });
    },

    async calendarMember(tokenHash: string): Promise<string | null> {
      const { rows } = await pool.query<{ member_id: string }>('select member_id from calendar_feeds where token_hash = $1', [tokenHash]);
      return rows[0]?.member_id ?? null;
    },

    /** Live claims on posts that end after `since`, for the calendar feed. */
    async calendarClaims(memberId: string, since: Date) {
      const { rows } = await pool.query(
        `select t.id as task_id, t.title, t.description, t.location, t.starts_at, t.ends_at, t.version, t.created_at,
                o.name as community_name, c.status, c.claimed_at
           from claims c
           join tasks t on t.id = c.task_id
           join party_orgs o on o.id = t.community_org_id
          where c.member_id = $1::uuid
            and c.status in ('claimed', 'checked_in', 'completed', 'no_show')
            and t.ends_at > $2
          order by t.starts_at
          limit 500`,
        [memberId, since],
      );
      return rows as Array<{
        task_id: string;
        title: string;
        description: string;
        location: string;
        starts_at: Date;
        ends_at: Date;
        version: number;
        created_at: Date;
        community_name: string;
        status: string;
        claimed_at: Date;
      }>;
    },

    /**
     * Writes an outbox event for every reminder due at `now` that was not written before: a
     * claim still `claimed` on an open post that has not started, for each of its member's
     * reminder times whose moment has come, but not before the claim was made. When several are
     * due at once (the server was down) only the nearest one is written. Moving a post changes
     * the moments (and the key), cancelling it ends its claims: nothing to move or cancel here.
     */
    async enqueueDueReminders(now: Date, horizonMinutes: number): Promise<number> {
      const { rowCount } = await pool.query(
        `with due as (
           select c.id as claim_id, t.starts_at, o.off
             from tasks t
             join claims c on c.task_id = t.id and c.status = 'claimed'
             left join member_preferences p on p.member_id = c.member_id
             cross join lateral unnest(coalesce(p.remind_before_minutes, '{1440,120}'::int[])) as o(off)
            where t.status = 'open'
              and t.starts_at > $1::timestamptz
              and t.starts_at <= $1::timestamptz + make_interval(mins => $2)
              and t.starts_at - make_interval(mins => o.off) <= $1::timestamptz
              and t.starts_at - make_interval(mins => o.off) > c.claimed_at
              and not exists (
                select 1 from unnest(coalesce(p.remind_before_minutes, '{1440,120}'::int[])) as o2(off)
                 where o2.off < o.off and t.starts_at - make_interval(mins => o2.off) <= $1::timestamptz)
         )
         insert into notification_outbox (key, kind, payload)
         select 'task_reminder:' || claim_id || ':' || off || ':' || floor(extract(epoch from starts_at) * 1000)::bigint,
                'task_reminder',
                jsonb_build_object('claimId', claim_id, 'offsetMinutes', off, 'startsAt', to_jsonb(starts_at))
           from due
         on conflict (key) do nothing`,
        [now, horizonMinutes],
      );
      return rowCount ?? 0;
    },

    /**
     * Writes a whistle_update event for every assignment that went past its due time within
     * `lookbackMs` before `now` and is still pending or signed (what the lists show as 超期): the
     * unit and the raising side hear once per due time (an approved extension that runs out too is
     * told again). Older ones are not written: the outbox forgets relayed rows after 30 days, and a
     * server down longer than the look-back should not wake people for long-known delays.
     */
    async enqueueOverdueWhistles(now: Date, lookbackMs: number): Promise<number> {
      const { rowCount } = await pool.query(
        `with due as (
           select a.id, a.whistle_id, a.org_id, po.name as org_name, a.due_at,
                  'overdue:' || a.id || ':' || floor(extract(epoch from a.due_at) * 1000)::bigint as ref
             from whistle_assignments a
             join party_orgs po on po.id = a.org_id
            where a.status in ('pending', 'signed')
              and a.due_at <= $1::timestamptz
              and a.due_at > $1::timestamptz - make_interval(secs => $2::double precision / 1000)
         )
         insert into notification_outbox (key, kind, payload)
         select 'whistle_update:' || whistle_id || ':' || ref, 'whistle_update',
                jsonb_build_object('whistleId', whistle_id, 'orgIds', jsonb_build_array(org_id), 'ref', ref, 'action', 'overdue',
                                   'raiser', true, 'orgName', org_name, 'dueAt', to_jsonb(due_at))
           from due
         on conflict (key) do nothing`,
        [now, lookbackMs],
      );
      return rowCount ?? 0;
    },

    /** Relayed outbox rows are kept a while (they also remember which reminders went out), then dropped. */
    /** Whether any outbox row waits for the relay (a cheap look before taking rows under lock). */
    async hasUnrelayed(): Promise<boolean> {
      const { rowCount } = await pool.query('select 1 from notification_outbox where relayed_at is null limit 1');
      return (rowCount ?? 0) > 0;
    },

    /** Up to `limit` unrelayed outbox rows, oldest first, locked (skipping rows another relay holds). */
    async takeUnrelayed(
      client: pg.PoolClient,
      limit: number,
    ): Promise<Array<{ id: string; key: string; kind: string; payload: Record<string, unknown> }>> {
      const { rows } = await client.query<{ id: string; key: string; kind: string; payload: Record<string, unknown> }>(
        `select id, key, kind, payload from notification_outbox
          where relayed_at is null order by created_at, id limit $1::int for update skip locked`,
        [limit],
      );
      return rows;
    },

    /** Marks outbox rows relayed, in the transaction that queued their jobs. */
    async markRelayed(client: pg.PoolClient, ids: string[]): Promise<void> {
      await client.query('update notification_outbox set relayed_at = now() where id = any($1::uuid[])', [ids]);
    },

    async purgeOutbox(before: Date): Promise<number> {
      const { rowCount } = await pool.query('delete from notification_outbox where relayed_at is not null and created_at < $1', [before]);
      return rowCount ?? 0;
    },
    /** The user's message box (every notification lands there), oldest first, for the user's export. */
    async messagesOf(userId: string, tx: DbOrTx): Promise<Array<Omit<StoredMessage, 'meetingId'>>> {
      return tx
        .select({
          id: messages.id,
          kind: messages.kind,
          title: messages.title,
          body: messages.body,
          taskId: messages.taskId,
          whistleId: messages.whistleId,
          createdAt: messages.createdAt,
          readAt: messages.readAt,
        })
        .from(messages)
        .where(eq(messages.userId, userId))
        .orderBy(asc(messages.createdAt), asc(messages.id));
    },

    /** What else notifications keep about a member and its user, for the member's export. */
    async personalData(memberId: string, userId: string, tx: DbOrTx) {
      // One after another: `tx` may be a transaction, which is one connection.
      const [preferences] = await tx
        .select({ followCategories: memberPreferences.followCategories, remindBeforeMinutes: memberPreferences.remindBeforeMinutes })
        .from(memberPreferences)
        .where(eq(memberPreferences.memberId, memberId));
      const [calendarFeed] = await tx
        .select({ generation: calendarFeeds.generation, createdAt: calendarFeeds.createdAt })
        .from(calendarFeeds)
        .where(eq(calendarFeeds.memberId, memberId));
      const credits = await tx
        .select({ templateKey: subscriptionCredits.templateKey, credits: subscriptionCredits.credits })
        .from(subscriptionCredits)
        .where(eq(subscriptionCredits.userId, userId))
        .orderBy(asc(subscriptionCredits.templateKey));
      return { preferences: preferences ?? null, calendarFeed: calendarFeed ?? null, subscriptionCredits: credits };
    },

    /** 注销's part here: the person's messages (deliveries go with them) and WeChat send credits. */
    async eraseUser(userId: string, tx: DbOrTx): Promise<void> {
      await tx.delete(messages).where(eq(messages.userId, userId));
      await tx.delete(subscriptionCredits).where(eq(subscriptionCredits.userId, userId));
    },
  };
}

export type NotificationsRepository = ReturnType<typeof notificationsRepositoryFactory>;
