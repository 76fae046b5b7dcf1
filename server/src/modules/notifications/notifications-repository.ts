import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { TemplateKey } from '@pioneer/shared';
import type { DbOrTx } from '../../db/client';
import { calendarFeeds, claims, memberPreferences, messages, partyOrgs, subscriptionCredits, tasks } from '../../db/schema';
import { arrayParam } from '../../db/sql-text';
import { transaction } from '../../db/transaction';

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

/** A message as the member's export lists it (the export's columns predate meetings). */
const EXPORTED_MESSAGE_COLUMNS = {
  id: messages.id,
  kind: messages.kind,
  title: messages.title,
  body: messages.body,
  taskId: messages.taskId,
  whistleId: messages.whistleId,
  createdAt: messages.createdAt,
  readAt: messages.readAt,
};
const MESSAGE_COLUMNS = { ...EXPORTED_MESSAGE_COLUMNS, meetingId: messages.meetingId };

interface MessageCursor {
  c: string;
  i: string;
}

/** A live claim on a post, as the member's calendar feed shows it. */
export interface CalendarClaim {
  taskId: string;
  title: string;
  description: string;
  location: string;
  startsAt: Date;
  endsAt: Date;
  version: number;
  createdAt: Date;
  communityName: string;
  status: string;
  claimedAt: Date;
}

/**
 * A member's side of notifications: the message box, WeChat send credits, preferences and the
 * calendar feed, and their parts of the member's export and 注销. What the pipeline reads and
 * writes is in recipients-repository.ts and pipeline-repository.ts.
 */
export function notificationsRepositoryFactory(db: DbOrTx) {
  return {
    async listMessages(userId: string, limit: number, after?: MessageCursor): Promise<StoredMessage[]> {
      return db
        .select(MESSAGE_COLUMNS)
        .from(messages)
        .where(
          and(
            eq(messages.userId, userId),
            after ? sql`(${messages.createdAt}, ${messages.id}) < (${after.c}::timestamptz, ${after.i}::uuid)` : undefined,
          ),
        )
        .orderBy(desc(messages.createdAt), desc(messages.id))
        .limit(limit);
    },

    async unread(userId: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(messages)
        .where(and(eq(messages.userId, userId), isNull(messages.readAt)));
      return row.n;
    },

    async markRead(userId: string, ids: string[], now: Date): Promise<void> {
      await db
        .update(messages)
        .set({ readAt: now })
        .where(and(eq(messages.userId, userId), sql`${messages.id} = any(${arrayParam(ids)}::uuid[])`, isNull(messages.readAt)));
    },

    async credits(userId: string): Promise<Array<{ templateKey: TemplateKey; credits: number }>> {
      const rows = await db
        .select({ templateKey: subscriptionCredits.templateKey, credits: subscriptionCredits.credits })
        .from(subscriptionCredits)
        .where(eq(subscriptionCredits.userId, userId));
      return rows as Array<{ templateKey: TemplateKey; credits: number }>;
    },

    /** `add`: one more credit each; `reset`: none left (WeChat will refuse these templates). */
    async changeCredits(userId: string, add: TemplateKey[], reset: TemplateKey[]): Promise<void> {
      if (add.length) {
        await db.execute(sql`insert into subscription_credits (user_id, template_key, credits)
           select ${userId}::uuid, k, 1 from unnest(${arrayParam(add)}::text[]) as k
           on conflict (user_id, template_key) do update set credits = subscription_credits.credits + 1, updated_at = now()`);
      }
      if (reset.length) {
        await db
          .update(subscriptionCredits)
          .set({ credits: 0, updatedAt: sql`now()` })
          .where(and(eq(subscriptionCredits.userId, userId), sql`${subscriptionCredits.templateKey} = any(${arrayParam(reset)}::text[])`));
      }
    },

    async preferences(memberId: string): Promise<{ followCategories: string[]; remindBeforeMinutes: number[] } | null> {
      const [row] = await db
        .select({ followCategories: memberPreferences.followCategories, remindBeforeMinutes: memberPreferences.remindBeforeMinutes })
        .from(memberPreferences)
        .where(eq(memberPreferences.memberId, memberId));
      return row ?? null;
    },

    async savePreferences(memberId: string, p: { followCategories: string[]; remindBeforeMinutes: number[] }): Promise<void> {
      await db
        .insert(memberPreferences)
        .values({ memberId, followCategories: p.followCategories, remindBeforeMinutes: p.remindBeforeMinutes, updatedAt: sql`now()` })
        .onConflictDoUpdate({
          target: memberPreferences.memberId,
          set: {
            followCategories: sql`excluded.follow_categories`,
            remindBeforeMinutes: sql`excluded.remind_before_minutes`,
            updatedAt: sql`now()`,
          },
        });
    },

    async calendarGeneration(memberId: string): Promise<number | null> {
      const [row] = await db
        .select({ generation: calendarFeeds.generation })
        .from(calendarFeeds)
        .where(eq(calendarFeeds.memberId, memberId));
      return row?.generation ?? null;
    },

    /** Keeps an existing feed; answers the generation in force. */
    async createCalendarFeed(memberId: string, tokenHash: string): Promise<number> {
      await db.insert(calendarFeeds).values({ memberId, generation: 1, tokenHash }).onConflictDoNothing({ target: calendarFeeds.memberId });
      return (await this.calendarGeneration(memberId)) ?? 1;
    },

    resetCalendarFeed(memberId: string, hashOf: (generation: number) => string): Promise<number> {
      return transaction(db, async (tx) => {
        const [row] = await tx
          .select({ generation: calendarFeeds.generation })
          .from(calendarFeeds)
          .where(eq(calendarFeeds.memberId, memberId))
          .for('update');
        const next = (row?.generation ?? 0) + 1;
        await tx
          .insert(calendarFeeds)
          .values({ memberId, generation: next, tokenHash: hashOf(next) })
          .onConflictDoUpdate({
            target: calendarFeeds.memberId,
            set: { generation: sql`excluded.generation`, tokenHash: sql`excluded.token_hash` },
          });
        return next;
      });
    },

    async calendarMember(tokenHash: string): Promise<string | null> {
      const [row] = await db.select({ memberId: calendarFeeds.memberId }).from(calendarFeeds).where(eq(calendarFeeds.tokenHash, tokenHash));
      return row?.memberId ?? null;
    },

    /** Live claims on posts that end after `since`, for the calendar feed. */
    async calendarClaims(memberId: string, since: Date): Promise<CalendarClaim[]> {
      return db
        .select({
          taskId: tasks.id,
          title: tasks.title,
          description: tasks.description,
          location: tasks.location,
          startsAt: tasks.startsAt,
          endsAt: tasks.endsAt,
          version: tasks.version,
          createdAt: tasks.createdAt,
          communityName: partyOrgs.name,
          status: claims.status,
          claimedAt: claims.claimedAt,
        })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .innerJoin(partyOrgs, eq(partyOrgs.id, tasks.communityOrgId))
        .where(
          and(
            eq(claims.memberId, memberId),
            sql`${claims.status} in ('claimed', 'checked_in', 'completed', 'no_show')`,
            gt(tasks.endsAt, since),
          ),
        )
        .orderBy(asc(tasks.startsAt))
        .limit(500);
    },

    /** The user's message box (every notification lands there), oldest first, for the user's export. */
    async messagesOf(userId: string, tx: DbOrTx): Promise<Array<Omit<StoredMessage, 'meetingId'>>> {
      return tx
        .select(EXPORTED_MESSAGE_COLUMNS)
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
