import { and, asc, eq, gt, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { TemplateKey } from '@pioneer/shared';
import type { DbOrTx } from '../../db/client';
import { notificationOutbox, subscriptionCredits } from '../../db/schema';
import { arrayParam, sqlText } from '../../db/sql-text';

export interface PendingDelivery {
  messageId: string;
  userId: string;
  openid: string;
  templateKey: TemplateKey;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
}

export interface OutboxRow {
  id: string;
  key: string;
  kind: string;
  payload: Record<string, unknown>;
}

/**
 * Takes a delivery for sending (see `takeDelivery`). The statements below are sent as written
 * (`sqlText`): each `$n` is one parameter, however often the text uses it.
 */
const TAKE_DELIVERY_SQL = `with d as (
   update wechat_deliveries set status = 'sending', attempts = attempts + 1, updated_at = now()
    where message_id = $1::uuid
      and (status = 'queued' or (status = 'sending' and updated_at < now() - make_interval(secs => $2)))
   returning *
 )
 select d.*, u.openid, null as busy from d join users u on u.id = d.user_id
 union all
 select w.*, null, true from wechat_deliveries w
  where w.message_id = $1::uuid and w.status = 'sending' and not exists (select 1 from d)`;

const FINISH_DELIVERY_SQL = `with d as (
   update wechat_deliveries set status = $2, last_error = $3, updated_at = now()
    where message_id = $1::uuid
   returning user_id, template_key
 )
 update subscription_credits s
    set credits = case when $4 = 'refund' then s.credits + 1 else 0 end, updated_at = now()
   from d
  where $4 <> 'keep' and s.user_id = d.user_id and s.template_key = d.template_key`;

/** See `enqueueDueReminders`. */
const DUE_REMINDERS_SQL = `with due as (
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
 on conflict (key) do nothing`;

/** See `enqueueOverdueWhistles`. */
const OVERDUE_WHISTLES_SQL = `with due as (
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
 on conflict (key) do nothing`;

/**
 * What the notification pipeline writes: the outbox relay and sweeps, messages, WeChat
 * deliveries and the send credits they spend. Methods taking `tx` run in the pipeline's
 * transaction (exactly-once across these tables needs them side by side); the others on `db`.
 */
export function pipelineRepositoryFactory(db: DbOrTx) {
  return {
    /** New messages only (one per user and event), with their ids. */
    async insertMessages(
      tx: DbOrTx,
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
      const { rows } = await tx.execute<{ id: string; userId: string }>(
        sql`insert into messages (user_id, event_key, kind, title, body, task_id, whistle_id, meeting_id)
         select u, ${m.eventKey}, ${m.kind}, ${m.title}, ${m.body}, ${m.taskId ?? null}::uuid, ${m.whistleId ?? null}::uuid, ${m.meetingId ?? null}::uuid
           from unnest(${arrayParam(m.userIds)}::uuid[]) as u
         on conflict (user_id, event_key) do nothing
         returning id, user_id as "userId"`,
      );
      return rows.map((r) => ({ id: r.id, userId: r.userId }));
    },

    /** Spends one credit of the template for each user holding one; answers who paid. */
    async spendCredits(tx: DbOrTx, templateKey: TemplateKey, userIds: string[]): Promise<Set<string>> {
      if (userIds.length === 0) return new Set();
      const rows = await tx
        .update(subscriptionCredits)
        .set({ credits: sql`${subscriptionCredits.credits} - 1`, updatedAt: sql`now()` })
        .where(
          and(
            eq(subscriptionCredits.templateKey, templateKey),
            sql`${subscriptionCredits.userId} = any(${arrayParam(userIds)}::uuid[])`,
            gt(subscriptionCredits.credits, 0),
          ),
        )
        .returning({ userId: subscriptionCredits.userId });
      return new Set(rows.map((r) => r.userId));
    },

    async insertDeliveries(
      tx: DbOrTx,
      d: { templateKey: TemplateKey; templateId: string; page: string; data: unknown; messages: Array<{ id: string; userId: string }> },
    ): Promise<void> {
      if (d.messages.length === 0) return;
      const messageIds = arrayParam(d.messages.map((m) => m.id));
      const userIds = arrayParam(d.messages.map((m) => m.userId));
      await tx.execute(sql`insert into wechat_deliveries (message_id, user_id, template_key, template_id, page, data)
         select m, u, ${d.templateKey}, ${d.templateId}, ${d.page}, ${JSON.stringify(d.data)}::jsonb
           from unnest(${messageIds}::uuid[], ${userIds}::uuid[]) as x(m, u)
         on conflict (message_id) do nothing`);
    },

    /**
     * Takes a delivery for sending: `queued`, or `sending` for longer than `staleSeconds` (its
     * sender died mid-send). Null: nothing to send (done), or another sender holds it ('busy').
     */
    async takeDelivery(messageId: string, staleSeconds: number): Promise<PendingDelivery | 'busy' | null> {
      const { rows } = await db.execute(sqlText(TAKE_DELIVERY_SQL, [messageId, staleSeconds]));
      const r = rows[0];
      if (!r) return null;
      if (r.busy) return 'busy';
      return {
        messageId: r.message_id as string,
        userId: r.user_id as string,
        openid: r.openid as string,
        templateKey: r.template_key as TemplateKey,
        templateId: r.template_id as string,
        page: r.page as string,
        data: r.data as PendingDelivery['data'],
      };
    },

    async finishDelivery(
      messageId: string,
      status: 'queued' | 'sent' | 'refused' | 'failed',
      lastError: string | null,
      credit: 'keep' | 'refund' | 'zero',
    ): Promise<void> {
      await db.execute(sqlText(FINISH_DELIVERY_SQL, [messageId, status, lastError, credit]));
    },

    /**
     * Writes an outbox event for every reminder due at `now` that was not written before: a
     * claim still `claimed` on an open post that has not started, for each of its member's
     * reminder times whose moment has come, but not before the claim was made. When several are
     * due at once (the server was down) only the nearest one is written. Moving a post changes
     * the moments (and the key), cancelling it ends its claims: nothing to move or cancel here.
     */
    async enqueueDueReminders(now: Date, horizonMinutes: number): Promise<number> {
      const { rowCount } = await db.execute(sqlText(DUE_REMINDERS_SQL, [now, horizonMinutes]));
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
      const { rowCount } = await db.execute(sqlText(OVERDUE_WHISTLES_SQL, [now, lookbackMs]));
      return rowCount ?? 0;
    },

    /** Whether any outbox row waits for the relay (a cheap look before taking rows under lock). */
    async hasUnrelayed(): Promise<boolean> {
      const rows = await db
        .select({ one: sql`1` })
        .from(notificationOutbox)
        .where(isNull(notificationOutbox.relayedAt))
        .limit(1);
      return rows.length > 0;
    },

    /** Up to `limit` unrelayed outbox rows, oldest first, locked (skipping rows another relay holds). */
    async takeUnrelayed(tx: DbOrTx, limit: number): Promise<OutboxRow[]> {
      const rows = await tx
        .select({
          id: notificationOutbox.id,
          key: notificationOutbox.key,
          kind: notificationOutbox.kind,
          payload: notificationOutbox.payload,
        })
        .from(notificationOutbox)
        .where(isNull(notificationOutbox.relayedAt))
        .orderBy(asc(notificationOutbox.createdAt), asc(notificationOutbox.id))
        .limit(limit)
        .for('update', { skipLocked: true });
      return rows as OutboxRow[];
    },

    /** Marks outbox rows relayed, in the transaction that queued their jobs. */
    async markRelayed(tx: DbOrTx, ids: string[]): Promise<void> {
      await tx
        .update(notificationOutbox)
        .set({ relayedAt: sql`now()` })
        .where(sql`${notificationOutbox.id} = any(${arrayParam(ids)}::uuid[])`);
    },

    /** Relayed outbox rows are kept a while (they also remember which reminders went out), then dropped. */
    async purgeOutbox(before: Date): Promise<number> {
      const { rowCount } = await db
        .delete(notificationOutbox)
        .where(and(isNotNull(notificationOutbox.relayedAt), lt(notificationOutbox.createdAt, before)));
      return rowCount ?? 0;
    },
  };
}

export type PipelineRepository = ReturnType<typeof pipelineRepositoryFactory>;
