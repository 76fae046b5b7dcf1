import { maskName, type WaitlistQueue } from '@pioneer/shared';
import { eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client';
import { members, waitlistEntries as w } from '../../db/schema';

/**
 * The secretary's view of a post's 候补 queue (`GET /tasks/:id/waitlist`): held offers with their
 * deadlines, the waiting members in queue order (`ord`, then a draw's rank, as pioneer_free_slot
 * takes them) and the latest closed entries. A read without the post's lock: a snapshot. Names
 * and phones leave masked.
 */
export async function waitlistQueue(tx: DbOrTx, post: { id: string; capacity: number; claimed: number }): Promise<WaitlistQueue> {
  const rows = await tx
    .select({
      status: w.status,
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
      offerExpiresAt: w.offerExpiresAt,
      name: members.name,
      phoneMasked: members.phoneMasked,
      position: sql<number | null>`case when ${w.status} = 'waiting'
        then row_number() over (partition by (${w.status} = 'waiting') order by ${w.ord}, coalesce(${w.drawRank}, 0), ${w.id})
        end::int`,
    })
    .from(w)
    .leftJoin(members, eq(members.id, w.memberId))
    .where(eq(w.taskId, post.id))
    .orderBy(
      sql`case ${w.status} when 'offered' then 0 when 'waiting' then 1 else 2 end`,
      sql`case when ${w.status} = 'waiting' then ${w.ord} end`,
      sql`coalesce(${w.drawRank}, 0)`,
      sql`${w.updatedAt} desc`,
      w.id,
    );
  const active = rows.filter((r) => r.status === 'offered' || r.status === 'waiting');
  const closed = rows.filter((r) => r.status !== 'offered' && r.status !== 'waiting').slice(0, 50);
  return {
    taskId: post.id,
    capacity: post.capacity,
    claimed: post.claimed,
    waiting: rows.filter((r) => r.status === 'waiting').length,
    offered: rows.filter((r) => r.status === 'offered').length,
    items: [...active, ...closed].map((r) => ({
      position: r.status === 'waiting' ? r.position : null,
      status: r.status,
      // 注销 re-labels a member's entries: no member row is left to name.
      member: { name: r.name ? maskName(r.name) : '已注销', phone: r.phoneMasked ?? '' },
      joinedAt: r.createdAt.toISOString(),
      offerExpiresAt: r.status === 'offered' && r.offerExpiresAt ? r.offerExpiresAt.toISOString() : null,
      updatedAt: r.updatedAt.toISOString(),
    })),
  };
}
