import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type pg from 'pg';
import type { DbOrTx } from '../../db/client';
import { claims, drawEntries, memberStanding, tasks, waitlistEntries } from '../../db/schema';
import { enqueueNotifications } from '../notifications';
import { claimFromRow, type ClaimRow } from '../claims/claim-mappers';
import { noShowSql } from '../claims/no-show-rule';
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

export interface EntryRow {
  id: string;
  taskId: string;
  memberId: string;
  status: 'waiting' | 'offered' | 'promoted' | 'accepted' | 'declined' | 'expired' | 'left';
  offerExpiresAt: Date | null;
  claimId: string | null;
}

interface DrawEntryRow {
  memberId: string;
  ticket: string;
  status: 'entered' | 'won' | 'lost' | 'withdrawn';
  rank: number | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg rows arrive untyped; this is where they get a type
const postFromRow = (r: Record<string, any>): LockedPost => ({
  id: r.id,
  communityOrgId: r.community_org_id,
  status: r.status,
  capacity: r.capacity,
  claimed: r.claimed,
  held: r.held,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  claimOpensAt: r.claim_opens_at,
  cancelCutoffMinutes: r.cancel_cutoff_minutes,
  allocation: r.allocation,
  drawAt: r.draw_at,
  drawnAt: r.drawn_at,
  drawSeed: r.draw_seed,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
const entryFromRow = (r: Record<string, any>): EntryRow => ({
  id: r.id,
  taskId: r.task_id,
  memberId: r.member_id,
  status: r.status,
  offerExpiresAt: r.offer_expires_at,
  claimId: r.claim_id,
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
const drawEntryFromRow = (r: Record<string, any>): DrawEntryRow => ({
  memberId: r.member_id,
  ticket: r.ticket,
  status: r.status,
  rank: r.rank,
});

/**
 * Statements of the waitlist, the offers and the draw. Every method takes a client holding a
 * transaction that locked the post's row first (`lockPost`): the same lock order as the claim
 * statements, so nothing deadlocks, and the waitlist of a post changes one transaction at a time.
 * Over 400 lines because every statement under that lock is here: split, the lock order would
 * have to be read from several files.
 */
export const waitlistRepository = {
  /**
   * Times of a member's counting no-shows (unexcused, not promoted; written down or computed on
   * read: still `claimed` after the end) within `days` before `now`, oldest first.
   */
  async noShowTimes(q: pg.Pool | pg.PoolClient, memberId: string, now: Date, days: number): Promise<Date[]> {
    const { rows } = await q.query<{ ends_at: Date }>(
      `select t.ends_at from claims c join tasks t on t.id = c.task_id
        where c.member_id = $1::uuid and not c.excused and not c.promoted
          and ${noShowSql('c', 't', '$2::timestamptz')}
          and t.ends_at > $2::timestamptz - make_interval(days => $3::int)
        order by t.ends_at`,
      [memberId, now, days],
    );
    return rows.map((r) => r.ends_at);
  },

  /** Writes the member's standing where the claim statements read it. */
  async storeStanding(
    q: pg.Pool | pg.PoolClient,
    memberId: string,
    s: { noShows: number; suspendedUntil: Date | null },
    now: Date,
  ): Promise<void> {
    await q.query(
      `insert into member_standing (member_id, no_shows, suspended_until, updated_at) values ($1::uuid, $2, $3::timestamptz, $4::timestamptz)
       on conflict (member_id) do update set no_shows = excluded.no_shows, suspended_until = excluded.suspended_until, updated_at = excluded.updated_at`,
      [memberId, s.noShows, s.suspendedUntil, now],
    );
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
  async lockPost(c: pg.PoolClient, taskId: string, opts: { skipLocked?: boolean } = {}): Promise<LockedPost | null> {
    const { rows } = await c.query(
      `select id, community_org_id, status, capacity, claimed, held, starts_at, ends_at, claim_opens_at, cancel_cutoff_minutes,
              allocation, draw_at, drawn_at, draw_seed
         from tasks where id = $1::uuid for no key update${opts.skipLocked ? ' skip locked' : ''}`,
      [taskId],
    );
    return rows[0] ? postFromRow(rows[0]) : null;
  },

  /** Whether the member may take a slot of the post: any post but a directed one (定向岗位) of another unit. */
  async inAudience(c: pg.PoolClient, taskId: string, memberId: string): Promise<boolean> {
    const { rows } = await c.query(
      `select t.audience_unit_org_id is null or exists (select 1 from members m where m.id = $2::uuid and m.unit_org_id = t.audience_unit_org_id) as ok
         from tasks t where t.id = $1::uuid`,
      [taskId, memberId],
    );
    return rows[0]?.ok === true;
  },

  async suspendedUntil(c: pg.PoolClient, memberId: string, now: Date): Promise<Date | null> {
    const { rows } = await c.query(
      'select suspended_until from member_standing where member_id = $1::uuid and suspended_until > $2::timestamptz',
      [memberId, now],
    );
    return rows[0]?.suspended_until ?? null;
  },

  async liveClaimOf(c: pg.PoolClient, taskId: string, memberId: string): Promise<ClaimRow | null> {
    const { rows } = await c.query(
      `select * from claims where task_id = $1::uuid and member_id = $2::uuid and status not in ('cancelled', 'released')`,
      [taskId, memberId],
    );
    return rows[0] ? claimFromRow(rows[0]) : null;
  },

  async claimById(c: pg.PoolClient, taskId: string, claimId: string): Promise<ClaimRow | null> {
    const { rows } = await c.query('select * from claims where id = $1::uuid and task_id = $2::uuid', [claimId, taskId]);
    return rows[0] ? claimFromRow(rows[0]) : null;
  },

  /** Marks a no-show (written down or pending, by the one rule) as excused; null when the claim is no no-show. */
  excuseNoShow(c: pg.PoolClient, taskId: string, claimId: string, reason: string, now: Date): Promise<ClaimRow | null> {
    return claimStatements.excuseNoShow(c, taskId, claimId, reason, now);
  },

  /** The member's waiting or offered entry on the post. */
  async activeEntry(c: pg.PoolClient, taskId: string, memberId: string): Promise<EntryRow | null> {
    const { rows } = await c.query(
      `select * from waitlist_entries where task_id = $1::uuid and member_id = $2::uuid and status in ('waiting', 'offered')`,
      [taskId, memberId],
    );
    return rows[0] ? entryFromRow(rows[0]) : null;
  },

  /** The status of the member's latest entry on the post, whatever it is. */
  async latestStatus(c: pg.PoolClient, taskId: string, memberId: string): Promise<EntryRow['status'] | null> {
    const { rows } = await c.query(
      'select status from waitlist_entries where task_id = $1::uuid and member_id = $2::uuid order by updated_at desc, ord desc limit 1',
      [taskId, memberId],
    );
    return rows[0]?.status ?? null;
  },

  /**
   * A draw entry in one statement: the post's row locked, every rule checked, the entry and
   * the post's count written together. Without an entry, what the statement saw explains why.
   */
  async enter(q: pg.Pool, taskId: string, memberId: string, nonce: string, ticket: string, now: Date) {
    const { rows } = await q.query({
      name: 'draw_enter',
      text: `with p as (
               select id, community_org_id, status, capacity, claimed, held, starts_at, ends_at, claim_opens_at, cancel_cutoff_minutes,
                      allocation, draw_at, drawn_at, null::text as draw_seed
                 from tasks where id = $1::uuid for no key update
             ), s as (
               select suspended_until from member_standing where member_id = $2::uuid and suspended_until > $5::timestamptz
             ), mine as (
               select 1 from draw_entries where task_id = $1::uuid and member_id = $2::uuid and status <> 'withdrawn'
             ), e as (
               insert into draw_entries (task_id, member_id, nonce, ticket, status, created_at, updated_at)
               select $1::uuid, $2::uuid, $3, $4, 'entered', $5::timestamptz, $5::timestamptz from p
                where p.allocation = 'draw' and p.status = 'open' and p.drawn_at is null and p.draw_at > $5::timestamptz
                  and p.claim_opens_at <= $5::timestamptz
                  and not exists (select 1 from s) and not exists (select 1 from mine)
                  and not exists (select 1 from draw_entries where task_id = $1::uuid and ticket = $4 and status <> 'withdrawn')
               returning 1
             ), t as (${COUNT_DRAW_ENTRY_CTE}
             )
             select p.*, (select count(*)::int from e) as entered,
                    (select suspended_until from s) as suspended_until, exists (select 1 from mine) as mine
               from (select 1) one left join p on true`,
      values: [taskId, memberId, nonce, ticket, now],
    });
    const r = rows[0];
    return {
      entered: r.entered === 1,
      post: r.id ? postFromRow(r) : null,
      suspendedUntil: (r.suspended_until as Date | null) ?? null,
      mine: r.mine as boolean,
    };
  },

  async join(c: pg.PoolClient, taskId: string, memberId: string, now: Date): Promise<EntryRow> {
    const { rows } = await c.query(
      `insert into waitlist_entries (task_id, member_id, status, created_at, updated_at)
       values ($1::uuid, $2::uuid, 'waiting', $3::timestamptz, $3::timestamptz) returning *`,
      [taskId, memberId, now],
    );
    await postSlots.addWaitlisted(c, taskId, 1);
    return entryFromRow(rows[0]);
  },

  /**
   * Ends an entry. A waiting entry leaves the queue; an offered one gives its held slot back,
   * which goes on to the next in line in the same transaction. Returns what the slot did.
   */
  async close(c: pg.PoolClient, e: EntryRow, status: EntryRow['status'], now: Date): Promise<EntryRow> {
    const { rows } = await c.query(
      'update waitlist_entries set status = $2, updated_at = $3::timestamptz where id = $1::uuid returning *',
      [e.id, status, now],
    );
    if (e.status === 'waiting') {
      await postSlots.addWaitlisted(c, e.taskId, -1);
    } else {
      await postSlots.unhold(c, e.taskId);
      await this.freeSlot(c, e.taskId, now);
    }
    return entryFromRow(rows[0]);
  },

  /** An offer turns into a claim: the held slot becomes a live one, `claimed` does not move. */
  async accept(c: pg.PoolClient, e: EntryRow, now: Date): Promise<{ claim: ClaimRow; remaining: number }> {
    const claim = await claimStatements.insert(c, e.taskId, e.memberId, now);
    // The claims trigger wrote "claimed" for this claim: the member hears "候补成功" instead.
    await enqueueNotifications(c, [{ kind: 'claim_result', claimId: claim.id, outcome: 'accepted' }]);
    await c.query(
      `update waitlist_entries set status = 'accepted', claim_id = $2::uuid, updated_at = $3::timestamptz where id = $1::uuid`,
      [e.id, claim.id, now],
    );
    return { claim, remaining: await postSlots.offerAccepted(c, e.taskId, now) };
  },

  /** A live claim ends (`cancelled` by its member or `released` by the secretary) and its slot moves on. */
  async endClaim(
    c: pg.PoolClient,
    claim: ClaimRow,
    how: { status: 'cancelled' } | { status: 'released'; reason: string },
    now: Date,
  ): Promise<ClaimRow> {
    const ended = await claimStatements.end(c, claim.id, how, now);
    await this.freeSlot(c, claim.taskId, now);
    return ended;
  },

  /** The slot goes to the first waiting entry (offer, or claim inside the cutoff), else back to the pool. */
  async freeSlot(c: pg.PoolClient, taskId: string, now: Date): Promise<'offered' | 'promoted' | 'freed'> {
    const { rows } = await c.query('select pioneer_free_slot($1::uuid, $2::timestamptz) as did', [taskId, now]);
    const did: 'offered' | 'promoted' | 'freed' = rows[0].did;
    if (did !== 'freed') await this.announce(c, taskId, did, now);
    return did;
  },

  /**
   * Tells the member what the freed slot became, in the transaction that gave it: an offer with
   * its deadline, or a promoted claim (which the claims trigger announced as a plain claim). The
   * entry is the one `pioneer_free_slot` touched at `now`; another one touched at the same `now` in
   * this transaction is enqueued again under the same key, which changes nothing.
   */
  async announce(c: pg.PoolClient, taskId: string, did: 'offered' | 'promoted', now: Date): Promise<void> {
    const { rows } = await c.query(
      `select member_id, offer_expires_at, claim_id from waitlist_entries
        where task_id = $1::uuid and status = $2 and ${did === 'offered' ? 'offered_at' : 'updated_at'} = $3::timestamptz`,
      [taskId, did, now],
    );
    await enqueueNotifications(
      c,
      rows.map((r) =>
        did === 'offered'
          ? { kind: 'waitlist_offer' as const, taskId, memberId: r.member_id as string, offerExpiresAt: r.offer_expires_at as Date }
          : { kind: 'claim_result' as const, claimId: r.claim_id as string, outcome: 'promoted' as const },
      ),
    );
  },

  async notify(c: pg.PoolClient, taskId: string): Promise<void> {
    await c.query(NOTIFY_TASK_SQL, [taskId]);
  },

  /** Offers past their deadline on the post, ended as `expired` (their slots are then passed on one by one). */
  async expireOffers(c: pg.PoolClient, taskId: string, now: Date): Promise<EntryRow[]> {
    const { rows } = await c.query(
      `update waitlist_entries set status = 'expired', updated_at = $2::timestamptz
        where task_id = $1::uuid and status = 'offered' and offer_expires_at <= $2::timestamptz
       returning *`,
      [taskId, now],
    );
    return rows.map(entryFromRow);
  },

  /** An expired offer's slot is no longer held for it (it is then passed on with `freeSlot`). */
  unhold(c: pg.PoolClient, taskId: string): Promise<void> {
    return postSlots.unhold(c, taskId);
  },

  /** Withdraws the member's entered draw entry and its count on the post: its ticket, or null without one. */
  async withdrawEntry(c: pg.PoolClient, taskId: string, memberId: string, now: Date): Promise<string | null> {
    const { rows } = await c.query(
      `update draw_entries set status = 'withdrawn', updated_at = $3::timestamptz
        where task_id = $1::uuid and member_id = $2::uuid and status = 'entered' returning ticket`,
      [taskId, memberId, now],
    );
    if (!rows[0]) return null;
    await postSlots.drawEntryWithdrawn(c, taskId);
    return rows[0].ticket;
  },

  /** The draw's public list: entered tickets by ticket while open, the results by rank once drawn. */
  async drawEntries(q: pg.Pool | pg.PoolClient, taskId: string, drawn: boolean): Promise<DrawEntryRow[]> {
    const { rows } = await q.query(
      `select member_id, ticket, status, rank from draw_entries
        where task_id = $1::uuid and status ${drawn ? `in ('won', 'lost')` : `= 'entered'`}
        order by ${drawn ? 'rank' : 'ticket'}`,
      [taskId],
    );
    return rows.map(drawEntryFromRow);
  },

  /** The member's latest waitlist entry on a post, whatever its status. */
  async latestEntry(q: pg.Pool | pg.PoolClient, taskId: string, memberId: string): Promise<EntryRow | null> {
    const { rows } = await q.query(
      `select * from waitlist_entries where task_id = $1::uuid and member_id = $2::uuid order by created_at desc, ord desc limit 1`,
      [taskId, memberId],
    );
    return rows[0] ? entryFromRow(rows[0]) : null;
  },

  /** The member's draw entry on a post: the live one, else the latest withdrawn. */
  async latestDrawEntry(q: pg.Pool | pg.PoolClient, taskId: string, memberId: string): Promise<DrawEntryRow | null> {
    const { rows } = await q.query(
      `select member_id, ticket, status, rank from draw_entries where task_id = $1::uuid and member_id = $2::uuid
        order by (status <> 'withdrawn') desc, created_at desc limit 1`,
      [taskId, memberId],
    );
    return rows[0] ? drawEntryFromRow(rows[0]) : null;
  },

  /** Posts holding offers past their deadline (no lock: each is locked and checked again before it changes). */
  async postsWithExpiredOffers(q: pg.Pool, now: Date, limit: number): Promise<string[]> {
    const { rows } = await q.query(
      `select distinct task_id from waitlist_entries where status = 'offered' and offer_expires_at <= $1::timestamptz limit $2`,
      [now, limit],
    );
    return rows.map((r) => r.task_id);
  },

  /** Draw posts whose time has come and that are not drawn yet, earliest first (each is locked and checked again). */
  async drawsDue(q: pg.Pool, now: Date, limit: number): Promise<string[]> {
    const { rows } = await q.query(
      `select id from tasks where allocation = 'draw' and drawn_at is null and status = 'open' and draw_at <= $1::timestamptz
        order by draw_at limit $2`,
      [now, limit],
    );
    return rows.map((r) => r.id);
  },

  /** The entered tickets of a locked post: ticket → member. */
  async enteredTickets(c: pg.PoolClient, taskId: string): Promise<Map<string, string>> {
    const { rows } = await c.query(`select member_id, ticket from draw_entries where task_id = $1::uuid and status = 'entered'`, [taskId]);
    return new Map(rows.map((r) => [r.ticket as string, r.member_id as string]));
  },

  /**
   * Writes a draw's result on its locked post: entries ranked (`order`, best first) and the first
   * `slots` won; the winners' claims; the losers waiting in rank order (one queue position shared,
   * ordered by rank); the post's counters, draw time and entries root. The winners' claim ids.
   */
  async settleDraw(
    c: pg.PoolClient,
    d: { taskId: string; order: string[]; slots: number; winners: string[]; losers: string[]; root: string; now: Date },
  ): Promise<string[]> {
    await c.query(
      `update draw_entries e set status = case when u.r <= $3 then 'won' else 'lost' end, rank = u.r, updated_at = $4::timestamptz
         from unnest($2::text[]) with ordinality u(ticket, r)
        where e.task_id = $1::uuid and e.status = 'entered' and e.ticket = u.ticket`,
      [d.taskId, d.order, d.slots, d.now],
    );
    const won = await claimStatements.insertWinners(c, d.taskId, d.winners, d.now);
    await c.query(
      `insert into waitlist_entries (task_id, member_id, status, ord, draw_rank, created_at, updated_at)
       select $1::uuid, u.m, 'waiting', (select nextval(pg_get_serial_sequence('waitlist_entries', 'ord'))), u.r, $3::timestamptz, $3::timestamptz
         from unnest($2::uuid[]) with ordinality u(m, r)`,
      [d.taskId, d.losers, d.now],
    );
    await postSlots.drawSettled(c, { taskId: d.taskId, won: d.winners.length, waiting: d.losers.length, now: d.now, root: d.root });
    return won;
  },

  /** 1-based rank among waiting entries, now (queue order: `ord`, then a draw's rank, as in pioneer_free_slot). */
  async position(c: pg.Pool | pg.PoolClient, entryId: string): Promise<number | null> {
    const r = await c.query(
      `select me.status,
              (select count(*)::int + 1 from waitlist_entries w
                where w.task_id = me.task_id and w.status = 'waiting'
                  and (w.ord, coalesce(w.draw_rank, 0), w.id) < (me.ord, coalesce(me.draw_rank, 0), me.id)) as position
         from waitlist_entries me where me.id = $1::uuid`,
      [entryId],
    );
    const row = r.rows[0];
    return row && row.status === 'waiting' ? row.position : null;
  },
};

export type WaitlistRepository = typeof waitlistRepository;
