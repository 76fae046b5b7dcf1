import { and, asc, desc, eq, gt, inArray, lte, not, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { claims, drawEntries, members, memberStanding, tasks, waitlistEntries } from '../../db/schema';
import { arrayParam, dateOf, sqlText } from '../../db/sql-text';
import type { Notifier } from '../notifications';
import type { ClaimRow } from '../claims/claim-mappers';
import { noShowCondition } from '../claims/no-show-rule';
import { NOTIFY_TASK_SQL } from '../claims/claims-sql';
import { claimStatements } from '../claims/claim-statements';
import { COUNT_DRAW_ENTRY_CTE, postSlots } from '../tasks/post-slots';

/** A post's row as the waitlist and draw statements read it, under its lock. */
export interface LockedPost {
  id: string;
  communityOrgId: string;
  status: 'open' | 'cancelled' | 'ended';
  capacity: number;
  claimed: number;
  held: number;
  startsAt: Date;
  endsAt: Date;
  claimOpensAt: Date;
  cancelCutoffMinutes: number;
  allocation: 'first_come' | 'draw';
  drawAt: Date | null;
  drawnAt: Date | null;
  drawSeed: string | null;
}

export type EntryRow = Pick<typeof waitlistEntries.$inferSelect, 'id' | 'taskId' | 'memberId' | 'status' | 'offerExpiresAt' | 'claimId'>;

const lockedPostColumns = {
  id: tasks.id,
  communityOrgId: tasks.communityOrgId,
  status: tasks.status,
  capacity: tasks.capacity,
  claimed: tasks.claimed,
  held: tasks.held,
  startsAt: tasks.startsAt,
  endsAt: tasks.endsAt,
  claimOpensAt: tasks.claimOpensAt,
  cancelCutoffMinutes: tasks.cancelCutoffMinutes,
  allocation: tasks.allocation,
  drawAt: tasks.drawAt,
  drawnAt: tasks.drawnAt,
  drawSeed: tasks.drawSeed,
};

const entryColumns = {
  id: waitlistEntries.id,
  taskId: waitlistEntries.taskId,
  memberId: waitlistEntries.memberId,
  status: waitlistEntries.status,
  offerExpiresAt: waitlistEntries.offerExpiresAt,
  claimId: waitlistEntries.claimId,
};

const drawEntryColumns = {
  memberId: drawEntries.memberId,
  ticket: drawEntries.ticket,
  status: drawEntries.status,
  rank: drawEntries.rank,
};

const LIVE_ENTRY = ['waiting', 'offered'] as const;

/** The draw entry statement's one row: the post as it saw it (camelCase in the text), what it did and why not. */
interface EnterRow {
  id: string | null;
  communityOrgId: string;
  status: LockedPost['status'];
  capacity: number;
  claimed: number;
  held: number;
  startsAt: string;
  endsAt: string;
  claimOpensAt: string;
  cancelCutoffMinutes: number;
  allocation: LockedPost['allocation'];
  drawAt: string | null;
  drawnAt: string | null;
  entered: number;
  suspendedUntil: string | null;
  mine: boolean;
  [column: string]: unknown;
}

/**
 * Statements of the waitlist, the offers and the draw. Every method takes a client holding a
 * transaction that locked the post's row first (`lockPost`): the same lock order as the claim
 * statements, so nothing deadlocks, and the waitlist of a post changes one transaction at a time.
 * Over 400 lines because every statement under that lock is here: split, the lock order would
 * have to be read from several files.
 *
 * `notifier` (the outbox writer app.ts hands the notifying modules) writes what a freed slot or
 * an accepted offer tells the member, in the transaction that moved the slot.
 */
export function waitlistRepositoryFactory(deps: { notifier: Notifier }) {
  const { notifier } = deps;
  return {
    /**
     * Times of a member's counting no-shows (unexcused, not promoted; written down or computed on
     * read: still `claimed` after the end) within `days` before `now`, oldest first.
     */
    async noShowTimes(tx: DbOrTx, memberId: string, now: Date, days: number): Promise<Date[]> {
      const rows = await tx
        .select({ endsAt: tasks.endsAt })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .where(
          and(
            eq(claims.memberId, memberId),
            not(claims.excused),
            not(claims.promoted),
            noShowCondition(now),
            gt(tasks.endsAt, sql`${now}::timestamptz - make_interval(days => ${days}::int)`),
          ),
        )
        .orderBy(asc(tasks.endsAt));
      return rows.map((r) => r.endsAt);
    },

    /** Writes the member's standing where the claim statements read it. */
    async storeStanding(tx: DbOrTx, memberId: string, s: { noShows: number; suspendedUntil: Date | null }, now: Date): Promise<void> {
      await tx
        .insert(memberStanding)
        .values({ memberId, noShows: s.noShows, suspendedUntil: s.suspendedUntil, updatedAt: now })
        .onConflictDoUpdate({
          target: memberStanding.memberId,
          set: {
            noShows: sql`excluded.no_shows`,
            suspendedUntil: sql`excluded.suspended_until`,
            updatedAt: sql`excluded.updated_at`,
          },
        });
    },

    /** The posts where the member holds an upcoming claim (`claimed`, starting after `now`), a waitlist place or a draw entry: what 注销 gives back. */
    async heldBy(tx: DbOrTx, memberId: string, now: Date): Promise<{ claims: string[]; waitlist: string[]; draws: string[] }> {
      const c = await tx
        .select({ taskId: claims.taskId })
        .from(claims)
        .innerJoin(tasks, eq(tasks.id, claims.taskId))
        .where(and(eq(claims.memberId, memberId), eq(claims.status, 'claimed'), gt(tasks.startsAt, now)))
        .orderBy(asc(claims.taskId));
      const w = await tx
        .select({ taskId: waitlistEntries.taskId })
        .from(waitlistEntries)
        .where(and(eq(waitlistEntries.memberId, memberId), inArray(waitlistEntries.status, ['waiting', 'offered'])))
        .orderBy(asc(waitlistEntries.taskId));
      const d = await tx
        .select({ taskId: drawEntries.taskId })
        .from(drawEntries)
        .where(and(eq(drawEntries.memberId, memberId), eq(drawEntries.status, 'entered')))
        .orderBy(asc(drawEntries.taskId));
      return { claims: c.map((r) => r.taskId), waitlist: w.map((r) => r.taskId), draws: d.map((r) => r.taskId) };
    },

    /** The member's waitlist places, draw entries and no-show standing: its part of the member's export. */
    async personalData(tx: DbOrTx, memberId: string) {
      // One after another: `tx` may be a transaction, which is one connection.
      const waitlist = await tx
        .select({
          taskId: waitlistEntries.taskId,
          title: tasks.title,
          status: waitlistEntries.status,
          offeredAt: waitlistEntries.offeredAt,
          offerExpiresAt: waitlistEntries.offerExpiresAt,
          createdAt: waitlistEntries.createdAt,
        })
        .from(waitlistEntries)
        .innerJoin(tasks, eq(tasks.id, waitlistEntries.taskId))
        .where(eq(waitlistEntries.memberId, memberId))
        .orderBy(asc(waitlistEntries.createdAt), asc(waitlistEntries.id));
      const draws = await tx
        .select({
          taskId: drawEntries.taskId,
          title: tasks.title,
          status: drawEntries.status,
          rank: drawEntries.rank,
          createdAt: drawEntries.createdAt,
        })
        .from(drawEntries)
        .innerJoin(tasks, eq(tasks.id, drawEntries.taskId))
        .where(eq(drawEntries.memberId, memberId))
        .orderBy(asc(drawEntries.createdAt), asc(drawEntries.id));
      const [standing] = await tx
        .select({ noShows: memberStanding.noShows, suspendedUntil: memberStanding.suspendedUntil })
        .from(memberStanding)
        .where(eq(memberStanding.memberId, memberId));
      return { waitlist, draws, standing: standing ?? null };
    },

    /**
     * 注销's part here: waitlist places and draw entries move to `anonymous` with the member's
     * claims; a draw entry's nonce goes (with the member id it would link a published ticket back
     * to the person); the standing goes.
     */
    async eraseMember(tx: DbOrTx, memberId: string, anonymous: string): Promise<void> {
      await tx.update(waitlistEntries).set({ memberId: anonymous }).where(eq(waitlistEntries.memberId, memberId));
      await tx.update(drawEntries).set({ memberId: anonymous, nonce: '' }).where(eq(drawEntries.memberId, memberId));
      await tx.delete(memberStanding).where(eq(memberStanding.memberId, memberId));
    },
    async lockPost(tx: DbOrTx, taskId: string, opts: { skipLocked?: boolean } = {}): Promise<LockedPost | null> {
      const [row] = await tx
        .select(lockedPostColumns)
        .from(tasks)
        .where(eq(tasks.id, taskId))
        .for('no key update', opts.skipLocked ? { skipLocked: true } : {});
      return row ?? null;
    },

    /** Whether the member may take a slot of the post: any post but a directed one (定向岗位) of another unit. */
    async inAudience(tx: DbOrTx, taskId: string, memberId: string): Promise<boolean> {
      const [row] = await tx
        .select({
          ok: sql<boolean>`${tasks.audienceUnitOrgId} is null or exists (select 1 from ${members} m where m.id = ${memberId}::uuid and m.unit_org_id = ${tasks.audienceUnitOrgId})`,
        })
        .from(tasks)
        .where(eq(tasks.id, taskId));
      return row?.ok === true;
    },

    async suspendedUntil(tx: DbOrTx, memberId: string, now: Date): Promise<Date | null> {
      const [row] = await tx
        .select({ until: memberStanding.suspendedUntil })
        .from(memberStanding)
        .where(and(eq(memberStanding.memberId, memberId), gt(memberStanding.suspendedUntil, now)));
      return row?.until ?? null;
    },

    async liveClaimOf(tx: DbOrTx, taskId: string, memberId: string): Promise<ClaimRow | null> {
      const [row] = await tx
        .select()
        .from(claims)
        .where(and(eq(claims.taskId, taskId), eq(claims.memberId, memberId), sql`${claims.status} not in ('cancelled', 'released')`));
      return row ?? null;
    },

    async claimById(tx: DbOrTx, taskId: string, claimId: string): Promise<ClaimRow | null> {
      const [row] = await tx
        .select()
        .from(claims)
        .where(and(eq(claims.id, claimId), eq(claims.taskId, taskId)));
      return row ?? null;
    },

    /** Marks a no-show (written down or pending, by the one rule) as excused; null when the claim is no no-show. */
    excuseNoShow(tx: DbOrTx, taskId: string, claimId: string, reason: string, now: Date): Promise<ClaimRow | null> {
      return claimStatements.excuseNoShow(tx, taskId, claimId, reason, now);
    },

    /** The member's waiting or offered entry on the post. */
    async activeEntry(tx: DbOrTx, taskId: string, memberId: string): Promise<EntryRow | null> {
      const [row] = await tx
        .select(entryColumns)
        .from(waitlistEntries)
        .where(
          and(eq(waitlistEntries.taskId, taskId), eq(waitlistEntries.memberId, memberId), inArray(waitlistEntries.status, [...LIVE_ENTRY])),
        );
      return row ?? null;
    },

    /** The status of the member's latest entry on the post, whatever it is. */
    async latestStatus(tx: DbOrTx, taskId: string, memberId: string): Promise<EntryRow['status'] | null> {
      const [row] = await tx
        .select({ status: waitlistEntries.status })
        .from(waitlistEntries)
        .where(and(eq(waitlistEntries.taskId, taskId), eq(waitlistEntries.memberId, memberId)))
        .orderBy(desc(waitlistEntries.updatedAt), desc(waitlistEntries.ord))
        .limit(1);
      return row?.status ?? null;
    },

    /**
     * A draw entry in one statement: the post's row locked, every rule checked, the entry and
     * the post's count written together. Without an entry, what the statement saw explains why.
     */
    async enter(tx: DbOrTx, taskId: string, memberId: string, nonce: string, ticket: string, now: Date) {
      const { rows } = await tx.execute<EnterRow>(
        sqlText(
          `with p as (
           select id, community_org_id as "communityOrgId", status, capacity, claimed, held, starts_at as "startsAt",
                  ends_at as "endsAt", claim_opens_at as "claimOpensAt", cancel_cutoff_minutes as "cancelCutoffMinutes",
                  allocation, draw_at as "drawAt", drawn_at as "drawnAt"
             from tasks where id = $1::uuid for no key update
         ), s as (
           select suspended_until from member_standing where member_id = $2::uuid and suspended_until > $5::timestamptz
         ), mine as (
           select 1 from draw_entries where task_id = $1::uuid and member_id = $2::uuid and status <> 'withdrawn'
         ), e as (
           insert into draw_entries (task_id, member_id, nonce, ticket, status, created_at, updated_at)
           select $1::uuid, $2::uuid, $3, $4, 'entered', $5::timestamptz, $5::timestamptz from p
            where p.allocation = 'draw' and p.status = 'open' and p."drawnAt" is null and p."drawAt" > $5::timestamptz
              and p."claimOpensAt" <= $5::timestamptz
              and not exists (select 1 from s) and not exists (select 1 from mine)
              and not exists (select 1 from draw_entries where task_id = $1::uuid and ticket = $4 and status <> 'withdrawn')
           returning 1
         ), t as (${COUNT_DRAW_ENTRY_CTE}
         )
         select p.*, (select count(*)::int from e) as entered,
                (select suspended_until from s) as "suspendedUntil", exists (select 1 from mine) as mine
           from (select 1) one left join p on true`,
          [taskId, memberId, nonce, ticket, now],
        ),
      );
      const r = rows[0];
      // The statement's own columns: timestamps come back as text from a raw statement.
      const post: LockedPost | null = r.id
        ? {
            id: r.id,
            communityOrgId: r.communityOrgId,
            status: r.status,
            capacity: r.capacity,
            claimed: r.claimed,
            held: r.held,
            startsAt: dateOf(r.startsAt)!,
            endsAt: dateOf(r.endsAt)!,
            claimOpensAt: dateOf(r.claimOpensAt)!,
            cancelCutoffMinutes: r.cancelCutoffMinutes,
            allocation: r.allocation,
            drawAt: dateOf(r.drawAt),
            drawnAt: dateOf(r.drawnAt),
            drawSeed: null,
          }
        : null;
      return { entered: r.entered === 1, post, suspendedUntil: dateOf(r.suspendedUntil), mine: r.mine };
    },

    async join(tx: DbOrTx, taskId: string, memberId: string, now: Date): Promise<EntryRow> {
      const [row] = await tx
        .insert(waitlistEntries)
        .values({ taskId, memberId, status: 'waiting', createdAt: now, updatedAt: now })
        .returning(entryColumns);
      await postSlots.addWaitlisted(tx, taskId, 1);
      return row;
    },

    /**
     * Ends an entry. A waiting entry leaves the queue; an offered one gives its held slot back,
     * which goes on to the next in line in the same transaction. Returns what the slot did.
     */
    async close(tx: DbOrTx, e: EntryRow, status: EntryRow['status'], now: Date): Promise<EntryRow> {
      const [row] = await tx
        .update(waitlistEntries)
        .set({ status, updatedAt: now })
        .where(eq(waitlistEntries.id, e.id))
        .returning(entryColumns);
      if (e.status === 'waiting') {
        await postSlots.addWaitlisted(tx, e.taskId, -1);
      } else {
        await postSlots.unhold(tx, e.taskId);
        await this.freeSlot(tx, e.taskId, now);
      }
      return row;
    },

    /** An offer turns into a claim: the held slot becomes a live one, `claimed` does not move. */
    async accept(tx: DbOrTx, e: EntryRow, now: Date): Promise<{ claim: ClaimRow; remaining: number }> {
      const claim = await claimStatements.insert(tx, e.taskId, e.memberId, now);
      // The claims trigger wrote "claimed" for this claim: the member hears "候补成功" instead.
      await notifier.enqueueMany(tx, [{ kind: 'claim_result', claimId: claim.id, outcome: 'accepted' }]);
      await tx.update(waitlistEntries).set({ status: 'accepted', claimId: claim.id, updatedAt: now }).where(eq(waitlistEntries.id, e.id));
      return { claim, remaining: await postSlots.offerAccepted(tx, e.taskId, now) };
    },

    /** A live claim ends (`cancelled` by its member or `released` by the secretary) and its slot moves on. */
    async endClaim(
      tx: DbOrTx,
      claim: ClaimRow,
      how: { status: 'cancelled' } | { status: 'released'; reason: string },
      now: Date,
    ): Promise<ClaimRow> {
      const ended = await claimStatements.end(tx, claim.id, how, now);
      await this.freeSlot(tx, claim.taskId, now);
      return ended;
    },

    /** The slot goes to the first waiting entry (offer, or claim inside the cutoff), else back to the pool. */
    async freeSlot(tx: DbOrTx, taskId: string, now: Date): Promise<'offered' | 'promoted' | 'freed'> {
      const { rows } = await tx.execute<{ did: 'offered' | 'promoted' | 'freed' }>(
        sql`select pioneer_free_slot(${taskId}::uuid, ${now}::timestamptz) as did`,
      );
      const did = rows[0].did;
      if (did !== 'freed') await this.announce(tx, taskId, did, now);
      return did;
    },

    /**
     * Tells the member what the freed slot became, in the transaction that gave it: an offer with
     * its deadline, or a promoted claim (which the claims trigger announced as a plain claim). The
     * entry is the one `pioneer_free_slot` touched at `now`; another one touched at the same `now` in
     * this transaction is enqueued again under the same key, which changes nothing.
     */
    async announce(tx: DbOrTx, taskId: string, did: 'offered' | 'promoted', now: Date): Promise<void> {
      const rows = await tx
        .select({ memberId: waitlistEntries.memberId, offerExpiresAt: waitlistEntries.offerExpiresAt, claimId: waitlistEntries.claimId })
        .from(waitlistEntries)
        .where(
          and(
            eq(waitlistEntries.taskId, taskId),
            eq(waitlistEntries.status, did),
            eq(did === 'offered' ? waitlistEntries.offeredAt : waitlistEntries.updatedAt, now),
          ),
        );
      await notifier.enqueueMany(
        tx,
        rows.map((r) =>
          did === 'offered'
            ? { kind: 'waitlist_offer' as const, taskId, memberId: r.memberId, offerExpiresAt: r.offerExpiresAt! }
            : { kind: 'claim_result' as const, claimId: r.claimId!, outcome: 'promoted' as const },
        ),
      );
    },

    async notify(tx: DbOrTx, taskId: string): Promise<void> {
      await tx.execute(sqlText(NOTIFY_TASK_SQL, [taskId]));
    },

    /** Offers past their deadline on the post, ended as `expired` (their slots are then passed on one by one). */
    async expireOffers(tx: DbOrTx, taskId: string, now: Date): Promise<EntryRow[]> {
      return tx
        .update(waitlistEntries)
        .set({ status: 'expired', updatedAt: now })
        .where(and(eq(waitlistEntries.taskId, taskId), eq(waitlistEntries.status, 'offered'), lte(waitlistEntries.offerExpiresAt, now)))
        .returning(entryColumns);
    },

    /** An expired offer's slot is no longer held for it (it is then passed on with `freeSlot`). */
    unhold(tx: DbOrTx, taskId: string): Promise<void> {
      return postSlots.unhold(tx, taskId);
    },

    /** Withdraws the member's entered draw entry and its count on the post: its ticket, or null without one. */
    async withdrawEntry(tx: DbOrTx, taskId: string, memberId: string, now: Date): Promise<string | null> {
      const [row] = await tx
        .update(drawEntries)
        .set({ status: 'withdrawn', updatedAt: now })
        .where(and(eq(drawEntries.taskId, taskId), eq(drawEntries.memberId, memberId), eq(drawEntries.status, 'entered')))
        .returning({ ticket: drawEntries.ticket });
      if (!row) return null;
      await postSlots.drawEntryWithdrawn(tx, taskId);
      return row.ticket;
    },

    /** The draw's public list: entered tickets by ticket while open, the results by rank once drawn. */
    async drawEntries(tx: DbOrTx, taskId: string, drawn: boolean) {
      return tx
        .select(drawEntryColumns)
        .from(drawEntries)
        .where(
          and(eq(drawEntries.taskId, taskId), drawn ? inArray(drawEntries.status, ['won', 'lost']) : eq(drawEntries.status, 'entered')),
        )
        .orderBy(drawn ? asc(drawEntries.rank) : asc(drawEntries.ticket));
    },

    /** The member's latest waitlist entry on a post, whatever its status. */
    async latestEntry(tx: DbOrTx, taskId: string, memberId: string): Promise<EntryRow | null> {
      const [row] = await tx
        .select(entryColumns)
        .from(waitlistEntries)
        .where(and(eq(waitlistEntries.taskId, taskId), eq(waitlistEntries.memberId, memberId)))
        .orderBy(desc(waitlistEntries.createdAt), desc(waitlistEntries.ord))
        .limit(1);
      return row ?? null;
    },

    /** The member's draw entry on a post: the live one, else the latest withdrawn. */
    async latestDrawEntry(tx: DbOrTx, taskId: string, memberId: string) {
      const [row] = await tx
        .select(drawEntryColumns)
        .from(drawEntries)
        .where(and(eq(drawEntries.taskId, taskId), eq(drawEntries.memberId, memberId)))
        .orderBy(sql`(${drawEntries.status} <> 'withdrawn') desc`, desc(drawEntries.createdAt))
        .limit(1);
      return row ?? null;
    },

    /** Posts holding offers past their deadline (no lock: each is locked and checked again before it changes). */
    async postsWithExpiredOffers(tx: DbOrTx, now: Date, limit: number): Promise<string[]> {
      const rows = await tx
        .selectDistinct({ taskId: waitlistEntries.taskId })
        .from(waitlistEntries)
        .where(and(eq(waitlistEntries.status, 'offered'), lte(waitlistEntries.offerExpiresAt, now)))
        .limit(limit);
      return rows.map((r) => r.taskId);
    },

    /** Draw posts whose time has come and that are not drawn yet, earliest first (each is locked and checked again). */
    async drawsDue(tx: DbOrTx, now: Date, limit: number): Promise<string[]> {
      const rows = await tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.allocation, 'draw'), sql`${tasks.drawnAt} is null`, eq(tasks.status, 'open'), lte(tasks.drawAt, now)))
        .orderBy(asc(tasks.drawAt))
        .limit(limit);
      return rows.map((r) => r.id);
    },

    /** The entered tickets of a locked post: ticket → member. */
    async enteredTickets(tx: DbOrTx, taskId: string): Promise<Map<string, string>> {
      const rows = await tx
        .select({ memberId: drawEntries.memberId, ticket: drawEntries.ticket })
        .from(drawEntries)
        .where(and(eq(drawEntries.taskId, taskId), eq(drawEntries.status, 'entered')));
      return new Map(rows.map((r) => [r.ticket, r.memberId]));
    },

    /**
     * Writes a draw's result on its locked post: entries ranked (`order`, best first) and the first
     * `slots` won; the winners' claims; the losers waiting in rank order (one queue position shared,
     * ordered by rank); the post's counters, draw time and entries root. The winners' claim ids.
     * The lists go as one array parameter each (`arrayParam`), not as lists of parameters.
     */
    async settleDraw(
      tx: DbOrTx,
      d: { taskId: string; order: string[]; slots: number; winners: string[]; losers: string[]; root: string; now: Date },
    ): Promise<string[]> {
      await tx.execute(sql`
      update ${drawEntries} e set status = case when u.r <= ${d.slots} then 'won' else 'lost' end, rank = u.r, updated_at = ${d.now}::timestamptz
        from unnest(${arrayParam(d.order)}::text[]) with ordinality u(ticket, r)
       where e.task_id = ${d.taskId}::uuid and e.status = 'entered' and e.ticket = u.ticket`);
      const won = await claimStatements.insertWinners(tx, d.taskId, d.winners, d.now);
      await tx.execute(sql`
      insert into ${waitlistEntries} (task_id, member_id, status, ord, draw_rank, created_at, updated_at)
      select ${d.taskId}::uuid, u.m, 'waiting', (select nextval(pg_get_serial_sequence('waitlist_entries', 'ord'))), u.r,
             ${d.now}::timestamptz, ${d.now}::timestamptz
        from unnest(${arrayParam(d.losers)}::uuid[]) with ordinality u(m, r)`);
      await postSlots.drawSettled(tx, { taskId: d.taskId, won: d.winners.length, waiting: d.losers.length, now: d.now, root: d.root });
      return won;
    },

    /** 1-based rank among waiting entries, now (queue order: `ord`, then a draw's rank, as in pioneer_free_slot). */
    async position(tx: DbOrTx, entryId: string): Promise<number | null> {
      const { rows } = await tx.execute<{ status: string; position: number }>(sql`
      select me.status,
             (select count(*)::int + 1 from ${waitlistEntries} w
               where w.task_id = me.task_id and w.status = 'waiting'
                 and (w.ord, coalesce(w.draw_rank, 0), w.id) < (me.ord, coalesce(me.draw_rank, 0), me.id)) as position
        from ${waitlistEntries} me where me.id = ${entryId}::uuid`);
      const row = rows[0];
      return row && row.status === 'waiting' ? row.position : null;
    },
  };
}

export type WaitlistRepository = ReturnType<typeof waitlistRepositoryFactory>;
