import { maskName, type WaitlistQueue } from '@pioneer/shared';
import type pg from 'pg';

/**
 * The secretary's view of a post's 候补 queue (`GET /tasks/:id/waitlist`): held offers with their
 * deadlines, the waiting members in queue order (`ord`, then a draw's rank, as pioneer_free_slot
 * takes them) and the latest closed entries. A read without the post's lock: a snapshot. Names
 * and phones leave masked.
 */
export async function waitlistQueue(q: pg.Pool, post: { id: string; capacity: number; claimed: number }): Promise<WaitlistQueue> {
  const { rows } = await q.query(
    `select w.status, w.created_at, w.updated_at, w.offer_expires_at, m.name, m.phone_masked,
            case when w.status = 'waiting'
                 then row_number() over (partition by (w.status = 'waiting') order by w.ord, coalesce(w.draw_rank, 0), w.id)
            end::int as position
       from waitlist_entries w
       left join members m on m.id = w.member_id
      where w.task_id = $1::uuid
      order by case w.status when 'offered' then 0 when 'waiting' then 1 else 2 end,
               case when w.status = 'waiting' then w.ord end, coalesce(w.draw_rank, 0),
               w.updated_at desc, w.id`,
    [post.id],
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
      member: { name: r.name ? maskName(r.name) : '已注销', phone: r.phone_masked ?? '' },
      joinedAt: r.created_at.toISOString(),
      offerExpiresAt: r.status === 'offered' && r.offer_expires_at ? r.offer_expires_at.toISOString() : null,
      updatedAt: r.updated_at.toISOString(),
    })),
  };
}
