import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Db, DbOrTx } from '../../db/client';
import { SESSIONS_REVOKED_CHANNEL } from '../auth/sessions-channel';

/**
 * Reads and erasures for the member's rights (PIPL Art. 44–47): the copy of everything held
 * about a member, and 注销. Claim rows are only re-labelled here (the member id of past
 * participations); cancelling claims goes through the claims service.
 */
export function personalDataRepositoryFactory(db: Db) {
  return {
    async user(userId: string, tx: DbOrTx = db) {
      const { rows } = await tx.execute<{ id: string; created_at: Date; last_login_at: Date }>(
        sql`select id, created_at, last_login_at from users where id = ${userId}::uuid`,
      );
      return rows[0] ?? null;
    },

    async roles(userId: string, tx: DbOrTx = db) {
      const { rows } = await tx.execute<{ role: string; org_id: string | null }>(
        sql`select role, org_id from role_grants where user_id = ${userId}::uuid order by created_at`,
      );
      return rows;
    },

    async consents(memberId: string, tx: DbOrTx = db) {
      const { rows } = await tx.execute<{ version: string; action: 'given' | 'withdrawn'; at: Date }>(
        sql`select version, action, at from member_consents where member_id = ${memberId}::uuid order by at, id`,
      );
      return rows;
    },

    async recordConsent(memberId: string, version: string, action: 'given' | 'withdrawn', at: Date, tx: DbOrTx = db) {
      await tx.execute(
        sql`insert into member_consents (member_id, version, action, at) values (${memberId}::uuid, ${version}, ${action}, ${at}::timestamptz)`,
      );
    },

    /** Every claim of the member, cancelled ones too, with the post it was on. */
    async claims(memberId: string, tx: DbOrTx = db) {
      const { rows } = await tx.execute<{
        id: string;
        task_id: string;
        member_id: string;
        status: string;
        claimed_at: Date;
        cancelled_at: Date | null;
        checked_in_at: Date | null;
        checked_out_at: Date | null;
        minutes: number | null;
        title: string;
        community: string;
        starts_at: Date;
        ends_at: Date;
      }>(sql`
        select c.id, c.task_id, c.member_id, c.status, c.claimed_at, c.cancelled_at, c.checked_in_at, c.checked_out_at, c.minutes,
               t.title, po.name as community, t.starts_at, t.ends_at
          from claims c join tasks t on t.id = c.task_id join party_orgs po on po.id = t.community_org_id
         where c.member_id = ${memberId}::uuid
         order by c.claimed_at`);
      return rows;
    },

    /** The user's message box (every notification lands there). */
    async messages(userId: string, tx: DbOrTx = db) {
      const { rows } = await tx.execute<Record<string, unknown>>(sql`
        select id, kind, title, body, task_id as "taskId", whistle_id as "whistleId", created_at as "createdAt", read_at as "readAt"
          from messages where user_id = ${userId}::uuid order by created_at, id`);
      return rows;
    },

    /** The rest of what the database keeps about a member and its user, for the member's own export. */
    async otherData(memberId: string, userId: string, tx: DbOrTx = db) {
      // One after another: `tx` may be a transaction, which is one connection.
      const waitlist = await tx.execute<{
        task_id: string;
        title: string;
        status: string;
        offered_at: Date | null;
        offer_expires_at: Date | null;
        created_at: Date;
      }>(sql`
        select w.task_id, t.title, w.status, w.offered_at, w.offer_expires_at, w.created_at
          from waitlist_entries w join tasks t on t.id = w.task_id where w.member_id = ${memberId}::uuid order by w.created_at, w.id`);
      const draws = await tx.execute<{ task_id: string; title: string; status: string; rank: number | null; created_at: Date }>(sql`
        select d.task_id, t.title, d.status, d.rank, d.created_at
          from draw_entries d join tasks t on t.id = d.task_id where d.member_id = ${memberId}::uuid order by d.created_at, d.id`);
      const standing = await tx.execute<{ no_shows: number; suspended_until: Date | null }>(
        sql`select no_shows, suspended_until from member_standing where member_id = ${memberId}::uuid`,
      );
      const preferences = await tx.execute<{ follow_categories: string[]; remind_before_minutes: number[] }>(
        sql`select follow_categories, remind_before_minutes from member_preferences where member_id = ${memberId}::uuid`,
      );
      const feed = await tx.execute<{ generation: number; created_at: Date }>(
        sql`select generation, created_at from calendar_feeds where member_id = ${memberId}::uuid`,
      );
      const credits = await tx.execute<{ template_key: string; credits: number }>(
        sql`select template_key, credits from subscription_credits where user_id = ${userId}::uuid order by template_key`,
      );
      const demands = await tx.execute<{
        id: string;
        community: string;
        text: string;
        category: string | null;
        status: string;
        note: string | null;
        created_at: Date;
        triaged_at: Date | null;
      }>(sql`
        select d.id, po.name as community, d.text, d.category, d.status, d.note, d.created_at, d.triaged_at
          from demands d join party_orgs po on po.id = d.community_org_id where d.user_id = ${userId}::uuid order by d.created_at, d.id`);
      return {
        waitlist: waitlist.rows,
        draws: draws.rows,
        standing: standing.rows[0] ?? null,
        preferences: preferences.rows[0] ?? null,
        calendarFeed: feed.rows[0] ?? null,
        subscriptionCredits: credits.rows,
        demands: demands.rows,
      };
    },

    async auditAbout(memberId: string, tx: DbOrTx = db) {
      const { rows } = await tx.execute<{ at: Date; action: string; actor_user_id: string | null; data: Record<string, unknown> }>(
        sql`select at, action, actor_user_id, data from audit_log where entity = 'member' and entity_id = ${memberId}::uuid order by at, id`,
      );
      return rows;
    },

    async pendingEntries(memberId: string, tx: DbOrTx = db): Promise<{ waitlist: string[]; draws: string[] }> {
      const w = await tx.execute<{ task_id: string }>(
        sql`select task_id from waitlist_entries where member_id = ${memberId}::uuid and status in ('waiting', 'offered')`,
      );
      const d = await tx.execute<{ task_id: string }>(
        sql`select task_id from draw_entries where member_id = ${memberId}::uuid and status = 'entered'`,
      );
      return { waitlist: w.rows.map((r) => r.task_id), draws: d.rows.map((r) => r.task_id) };
    },

    async lockMember(userId: string, tx: DbOrTx) {
      const { rows } = await tx.execute<{ id: string; community_org_id: string }>(
        sql`select id, community_org_id from members where user_id = ${userId}::uuid for update`,
      );
      return rows[0] ?? null;
    },

    /**
     * 注销 in one transaction: past claims move to a fresh id that names nobody (so they stay
     * counted, together, but detached), the audit trail about the member loses its personal
     * data and points at that id, the member row and its consents go, the openid link is
     * broken and the token version bumped so every session ends.
     */
    async erase(userId: string, memberId: string, tx: DbOrTx): Promise<{ anonymous: string; tokenVersion: number }> {
      const anonymous = randomUUID();
      await tx.execute(sql`update claims set member_id = ${anonymous}::uuid where member_id = ${memberId}::uuid`);
      await tx.execute(sql`update waitlist_entries set member_id = ${anonymous}::uuid where member_id = ${memberId}::uuid`);
      await tx.execute(sql`update draw_entries set member_id = ${anonymous}::uuid where member_id = ${memberId}::uuid`);
      await tx.execute(sql`delete from member_standing where member_id = ${memberId}::uuid`);
      // Her own acts on her own record (registering, updating) lose their actor too; acts on anything else keep it.
      await tx.execute(sql`update audit_log set entity_id = ${anonymous}::uuid, data = '{}'::jsonb,
                                  actor_user_id = case when actor_user_id = ${userId}::uuid then null else actor_user_id end
                            where entity = 'member' and entity_id = ${memberId}::uuid`);
      await tx.execute(sql`delete from member_consents where member_id = ${memberId}::uuid`);
      await tx.execute(sql`delete from members where id = ${memberId}::uuid`);
      await tx.execute(sql`delete from idempotency_keys where user_id = ${userId}::uuid`);
      // The person's notifications (deliveries go with their messages) and WeChat send credits.
      await tx.execute(sql`delete from messages where user_id = ${userId}::uuid`);
      // 居民点单 stay the community's work (posted, whistled or still to triage) but name nobody:
      // the text is kept, the link to the person is not, nor the contact and address it left.
      await tx.execute(sql`update demands set user_id = null, contact_name = null, contact_phone_cipher = null,
                                  contact_phone_hash = null, contact_phone_masked = null, contact_consented_at = null, address = null
                            where user_id = ${userId}::uuid`);
      await tx.execute(sql`delete from subscription_credits where user_id = ${userId}::uuid`);
      // As logout does: the new token version is announced to every process, on commit.
      const { rows } = await tx.execute<{ token_version: number }>(sql`
        with u as (update users set openid = ${`erased:${randomUUID()}`}, token_version = token_version + 1
                    where id = ${userId}::uuid returning id, token_version)
        select token_version, pg_notify(${SESSIONS_REVOKED_CHANNEL}, json_build_object('userId', id, 'tokenVersion', token_version)::text) from u`);
      return { anonymous, tokenVersion: rows[0].token_version };
    },
  };
}

export type PersonalDataRepository = ReturnType<typeof personalDataRepositoryFactory>;
