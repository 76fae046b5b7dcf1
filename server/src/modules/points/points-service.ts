import { hoursOf, pointsFor, type MyPoints, type PointsRules, type Star } from '@pioneer/shared';
import type { Db, DbOrTx } from '../../db/client';
import { transaction } from '../../db/transaction';
import type { Clock } from '../../lib/clock';
import { decodeCursor, encodeCursor } from '../../lib/cursor';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import { Overdraft, signOf, type PointsEntryRow, type PointsRepository, type RulesRow } from './points-repository';

/** What the ledger needs to know of a record (a completed claim) to earn for it. */
interface RecordForPoints {
  claimId: string;
  memberId: string;
  version: number;
  status: string;
  minutes: number | null;
  category: string;
}

const PAGE = 20;
const SeqCursorSchema = z.object({ s: z.number().int().positive() });

const toRules = (r: RulesRow): PointsRules => ({
  pointsPerHour: r.pointsPerHour,
  categoryMultipliers: r.categoryMultipliers,
  expiryMonths: r.expiryMonths,
  starThresholdsHours: r.starThresholdsHours,
});

/** The instant `months` calendar months before `at` (China's calendar and UTC agree to the month here). */
function monthsBefore(at: Date, months: number): Date {
  const d = new Date(at.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}
const monthsAfter = (at: Date, months: number) => monthsBefore(at, -months);

function starOf(minutes: number, thresholds: number[]): Star {
  const hours = hoursOf(minutes);
  const level = thresholds.filter((h) => minutes >= h * 60).length;
  return { level, hours, nextLevelHours: thresholds[level] ?? null };
}

/**
 * Points per oldest lot still held: earns (less their reversals) in time order, with what was
 * spent or expired taken from the oldest first. Returns the lots with what remains of each.
 */
function remainingLots(entries: PointsEntryRow[]): Array<{ at: Date; left: number }> {
  const reversed = new Map<string, number>();
  let outflow = 0;
  for (const e of entries) {
    if (e.kind === 'reverse') reversed.set(`${e.refId}:${e.refVersion}`, (reversed.get(`${e.refId}:${e.refVersion}`) ?? 0) + e.amount);
    if (e.kind === 'redeem' || e.kind === 'expire') outflow += e.amount;
  }
  const lots = entries
    .filter((e) => e.kind === 'earn')
    .map((e) => ({ at: e.at, net: Math.max(0, e.amount - (reversed.get(`${e.refId}:${e.refVersion}`) ?? 0)) }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  return lots.map((l) => {
    const used = Math.min(l.net, outflow);
    outflow -= used;
    return { at: l.at, left: l.net - used };
  });
}

export function pointsServiceFactory(deps: { db: Db; pointsRepository: PointsRepository; clock: Clock }) {
  const repo = deps.pointsRepository;

  async function rules(tx?: DbOrTx): Promise<PointsRules> {
    return toRules(await repo.rules(tx));
  }

  /**
   * Brings the ledger in line with a record's current version, in the caller's transaction:
   * earlier versions' earns are reversed (as far as the balance still holds them: spent points
   * are not clawed back) and the current version earns once. Running it twice writes nothing new.
   */
  async function settleRecord(tx: DbOrTx, r: RecordForPoints, at: Date): Promise<void> {
    const entries = await repo.entriesOfRef(tx, 'record', r.claimId);
    const reversedVersions = new Set(entries.filter((e) => e.kind === 'reverse').map((e) => e.refVersion));
    const stale = entries.filter((e) => e.kind === 'earn' && (e.refVersion ?? 0) < r.version && !reversedVersions.has(e.refVersion));
    if (stale.length > 0) {
      let balance = await repo.lockBalance(tx, r.memberId);
      for (const e of stale) {
        const amount = Math.min(e.amount, balance);
        if (amount <= 0) continue;
        await repo.post(tx, {
          key: `reverse:${r.claimId}:${e.refVersion}`,
          memberId: r.memberId,
          kind: 'reverse',
          amount,
          refType: 'record',
          refId: r.claimId,
          refVersion: e.refVersion,
          note: amount < e.amount ? '记录更正，冲回（已使用部分不追回）' : '记录更正，冲回',
          at,
        });
        balance -= amount;
      }
    }
    if (r.status !== 'completed' || !r.minutes) return;
    const amount = pointsFor(r.minutes, await rules(tx), r.category);
    if (amount <= 0) return;
    await repo.post(tx, {
      key: `earn:${r.claimId}:${r.version}`,
      memberId: r.memberId,
      kind: 'earn',
      amount,
      refType: 'record',
      refId: r.claimId,
      refVersion: r.version,
      note: '志愿服务积分',
      at,
    });
  }

  /** Expires what the member still holds of points earned more than `expiryMonths` ago, oldest first. */
  async function expireMember(memberId: string, now: Date): Promise<number> {
    const r = await rules();
    if (r.expiryMonths === null) return 0;
    const cutoff = monthsBefore(now, r.expiryMonths);
    return transaction(deps.db, async (tx) => {
      const balance = await repo.lockBalance(tx, memberId);
      const lots = remainingLots(await repo.entriesOf(tx, memberId));
      const due = Math.min(
        balance,
        lots.filter((l) => l.at <= cutoff).reduce((s, l) => s + l.left, 0),
      );
      if (due <= 0) return 0;
      const posted = await repo.post(tx, {
        key: `expire:${memberId}:${cutoff.toISOString()}`,
        memberId,
        kind: 'expire',
        amount: due,
        refType: 'expiry',
        refId: cutoff.toISOString().slice(0, 10),
        note: `${r.expiryMonths}个月前获得的积分到期`,
        at: now,
      });
      return posted ? due : 0;
    });
  }

  /**
   * Spends points in the caller's transaction (a redemption): a conditional update of the
   * member's account, so concurrent spends serialize on its row and none overdraws. Written
   * once per key; a spend the balance does not cover is INSUFFICIENT_POINTS.
   */
  async function spend(
    tx: DbOrTx,
    e: { key: string; memberId: string; amount: number; refType: string; refId: string; note: string; at: Date },
  ) {
    try {
      return await repo.post(tx, { ...e, kind: 'redeem' });
    } catch (err) {
      if (err instanceof Overdraft) throw new AppError('INSUFFICIENT_POINTS');
      throw err;
    }
  }

  return {
    rules,
    settleRecord,
    spend,
    expireMember,

    async putRules(userId: string, body: PointsRules): Promise<PointsRules> {
      return toRules(
        await repo.putRules({
          pointsPerHour: body.pointsPerHour,
          categoryMultipliers: body.categoryMultipliers as Record<string, number>,
          expiryMonths: body.expiryMonths,
          starThresholdsHours: body.starThresholdsHours,
          updatedBy: userId,
          updatedAt: deps.clock.now(),
        }),
      );
    },

    async star(allTimeMinutes: number): Promise<Star> {
      return starOf(allTimeMinutes, (await rules()).starThresholdsHours);
    },

    /** Earns for records of the last `days` that have none for their version (each writes once, whoever runs it). */
    async catchUp(days = 3, now = deps.clock.now()): Promise<number> {
      const due = await repo.unearnedRecords(new Date(now.getTime() - days * 86_400_000), 1000);
      for (const r of due) await transaction(deps.db, (tx) => settleRecord(tx, r, now));
      return due.length;
    },

    /** The daily job: every member holding points older than the expiry age. */
    async expireAll(now = deps.clock.now()): Promise<number> {
      const r = await rules();
      if (r.expiryMonths === null) return 0;
      let total = 0;
      for (const m of await repo.membersWithEarnsBefore(monthsBefore(now, r.expiryMonths))) total += await expireMember(m, now);
      return total;
    },

    async mine(memberId: string, cursor: string | undefined): Promise<MyPoints> {
      const before = cursor ? decodeCursor(cursor, SeqCursorSchema).s : null;
      const [page, sums, balance, r] = await Promise.all([
        repo.page(memberId, before, PAGE + 1),
        repo.sums(memberId),
        repo.balance(memberId),
        rules(),
      ]);
      let expiring: MyPoints['expiring'] = null;
      if (r.expiryMonths !== null && balance > 0) {
        const lots = remainingLots(await repo.entriesOf(deps.db, memberId)).filter((l) => l.left > 0);
        if (lots.length > 0) {
          const at = monthsAfter(lots[0].at, r.expiryMonths);
          const points = lots.filter((l) => monthsAfter(l.at, r.expiryMonths!).getTime() === at.getTime()).reduce((s, l) => s + l.left, 0);
          expiring = { points: Math.min(points, balance), at: at.toISOString() };
        }
      }
      const more = page.length > PAGE;
      const items = page.slice(0, PAGE);
      return {
        balance,
        earned: sums.earn - sums.reverse,
        spent: sums.redeem,
        expired: sums.expire,
        expiring,
        entries: items.map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          amount: signOf(e.kind) * e.amount,
          kind: e.kind,
          ref: { type: e.refType, id: e.refId },
          note: e.note,
        })),
        nextCursor: more ? encodeCursor({ s: items[items.length - 1].seq }) : null,
      };
    },
  };
}

export type PointsService = ReturnType<typeof pointsServiceFactory>;
