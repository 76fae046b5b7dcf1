import { OVERRUN_MINUTES } from '@pioneer/shared';

/**
 * The statements on the hot path, sent as written as named prepared statements through drizzle's
 * session (`executeNamed`, db/sql-text.ts; measured ~3x a drizzle transaction on one hot row; see
 * docs/architecture.md, "The claim path").
 *
 * Lock order, everywhere: the post's row first, then claim rows, then waitlist and draw
 * entries. Claiming, cancelling, releasing, the waitlist, the draw and cancelling a post all
 * follow it, so they never deadlock.
 *
 * Each statement also reads the post as its snapshot saw it, so a refusal is explained
 * without a second round trip. Counts go out with notifyCount (the one place the payload is
 * built) inside the statement: they are delivered on commit, in
 * commit order, and never for a statement that aborted.
 */

import { ADD_SERVICE_MINUTES_CTE, TAKE_BATCH_SLOTS_CTE, takeOneSlotCte } from '../tasks/post-slots';

/** A claim that holds its slot (contract v2: `cancelled` and `released` do not). */
export const LIVE = `status not in ('cancelled', 'released')`;

/**
 * The count notification of the post row `t` (an alias with id, claimed, capacity, status,
 * version): the one place its payload (LiveCount's shape, forwarded as is to live sockets and
 * read by every process's claim gate) is built. Inline SQL, not a function: a volatile
 * function call in the batch statement let its snapshot move past a concurrent commit.
 */
export const notifyCount = (t: string) =>
  `pg_notify('task_counts', json_build_object('taskId', ${t}.id, 'claimed', ${t}.claimed, 'remaining', ${t}.capacity - ${t}.claimed, 'status', ${t}.status, 'version', ${t}.version)::text)`;

/** Notifies the count of post $1 as a transaction left it (sent on commit). */
export const NOTIFY_TASK_SQL = `select ${notifyCount('t')} from tasks t where t.id = $1::uuid`;

/**
 * A directed post (定向岗位) takes claims only from members of its unit: decided in the claim
 * statements themselves, under the post's row lock, never by a read before them. `$m` is the
 * member's id parameter.
 */
const IN_AUDIENCE = (post: string, m: string) =>
  `(${post}audience_unit_org_id is null or exists (select 1 from members am where am.id = ${m} and am.unit_org_id = ${post}audience_unit_org_id))`;

/** A draw post takes claims only once drawn (its leftover slots are then first-come). */
const GRAB_OPEN = `(allocation = 'first_come' or drawn_at is not null)`;

/**
 * The member `m`'s session token of version `tv` is still valid: the claim route trusts a
 * verified token without loading the principal, so the statement itself checks the database's
 * token version (a logout or 注销 heard by no process, or before a restart, still holds).
 */
const sessionValid = (m: string, tv: string) =>
  `exists (select 1 from members sm join users su on su.id = sm.user_id where sm.id = ${m} and su.token_version = ${tv})`;

/**
 * One step decides a claim. The counter moves only if the insert happens in the same
 * statement: a duplicate that raced past NOT EXISTS hits claims_live_unique and aborts the
 * whole statement, counter bump included (never ON CONFLICT DO NOTHING after bumping).
 * $1 task, $2 member, $3 now, $4 the session token's version.
 */
export const CLAIM_SQL = `
with t as (${takeOneSlotCte(`
     and status = 'open'
     and claimed < capacity
     and claim_opens_at <= $3::timestamptz
     and ${GRAB_OPEN}
     and ends_at > $3::timestamptz
     and not exists (select 1 from claims where task_id = $1::uuid and member_id = $2::uuid and ${LIVE})
     and not exists (select 1 from member_standing where member_id = $2::uuid and suspended_until > $3::timestamptz)
     and ${sessionValid('$2::uuid', '$4::int')}
     and ${IN_AUDIENCE('', '$2::uuid')}`)}
), c as (
  insert into claims (task_id, member_id, status, claimed_at)
  select t.id, $2::uuid, 'claimed', $3::timestamptz from t
  returning id, claimed_at
), n as (
  select ${notifyCount('t')} from t, c
)
select c.id as claim_id, c.claimed_at, t.capacity - t.claimed as remaining,
       (select count(*) from n) as notified,
       not ${sessionValid('$2::uuid', '$4::int')} as s_revoked,
       s.status as s_status, s.claimed as s_claimed, s.capacity as s_capacity,
       s.claim_opens_at <= $3::timestamptz and (s.allocation = 'first_come' or s.drawn_at is not null) as s_opened,
       s.ends_at > $3::timestamptz as s_before_end,
       exists (select 1 from claims where task_id = $1::uuid and member_id = $2::uuid and ${LIVE}) as s_mine,
       ${IN_AUDIENCE('s.', '$2::uuid')} as s_in_audience,
       (select suspended_until from member_standing where member_id = $2::uuid and suspended_until > $3::timestamptz) as s_suspended_until
  from (select 1) one
  left join tasks s on s.id = $1::uuid
  left join (t cross join c) on true`;

/** $1 task, $2 member, $3 now. Only a claim still `claimed` on a post that has not ended. */
export const CHECK_IN_SQL = `
update claims c
   set status = 'checked_in', checked_in_at = $3::timestamptz
  from tasks t
 where c.task_id = $1::uuid and c.member_id = $2::uuid and c.status = 'claimed'
   and t.id = c.task_id and t.status = 'open' and t.ends_at > $3::timestamptz
returning c.*`;

/**
 * $1 task, $2 member, $3 now. Contract v3's minute rule (records/minute-rule.ts): whole minutes
 * from max(check-in, post start) to min(check-out, post end + OVERRUN_MINUTES), at least 0, added
 * to the post's service_minutes in the same statement (statistics read the posts, not every claim).
 */
export const CHECK_OUT_SQL = `
with c as (
  update claims cl
     set status = 'completed', checked_out_at = $3::timestamptz,
         minutes = greatest(0, floor(extract(epoch from (
           least($3::timestamptz, t.ends_at + interval '${OVERRUN_MINUTES} minutes') - greatest(cl.checked_in_at, t.starts_at))) / 60))::int
    from tasks t
   where cl.task_id = $1::uuid and cl.member_id = $2::uuid and cl.status = 'checked_in' and t.id = cl.task_id
  returning cl.*
), t as (${ADD_SERVICE_MINUTES_CTE}
)
select * from c`;

/** The member's live claim on a task, for explaining a refused check-in or check-out. */
export const LIVE_CLAIM_SQL = `
select * from claims where task_id = $1::uuid and member_id = $2::uuid and ${LIVE}`;

/**
 * Every member the no-show policy suspends at $n, as `{ memberId: suspendedUntil }`: the claim
 * gate answers them GRAB_SUSPENDED, not TASK_FULL, from memory (few members, a small table).
 */
const suspendedAt = (n: string) =>
  `(select coalesce(json_object_agg(member_id, suspended_until), '{}') from member_standing where suspended_until > ${n}::timestamptz)`;

/**
 * A post and the members holding a live claim on it (at most its capacity, 1000), for the
 * claim gate once the post is full. $1 task, $2 now.
 */
export const FULL_POST_SQL = `
select t.status, t.claimed, t.capacity, t.claim_opens_at, t.ends_at, t.version,
       coalesce((select array_agg(c.member_id::text) from claims c where c.task_id = t.id and c.${LIVE}), '{}') as holders,
       ${suspendedAt('$2')} as suspended_now
  from tasks t
 where t.id = $1::uuid`;

/**
 * One step decides a batch of claims on one post, first come first served: the members are
 * distinct, in arrival order; the first `capacity - claimed` of them without a live claim
 * (and not suspended) get one. The post's row is locked first (its latest version, so
 * `claimed` is exact), the counter moves by exactly the rows inserted, and one notification
 * carries the final count. A member whose claim committed elsewhere after this statement's
 * snapshot hits claims_live_unique and aborts the whole batch (the caller then claims one by one).
 *
 * `holders` (the post's live claimants, this batch's included) only when the post takes no
 * more claims afterwards, and then when it is full `suspended_now` (see suspendedAt); otherwise
 * every member not granted already held a claim or is suspended (`suspended`, with `suspended_until` in the same order).
 * `fresh`: nothing changed the post between the snapshot and the lock, so `holders` is
 * complete (every claim or cancel moves the post's row). `stale`: members whose session
 * token (version $4, in the same order as $2) was revoked; they get nothing.
 * $1 task, $2 distinct members in arrival order, $3 now, $4 their session tokens' versions.
 */
export const CLAIM_BATCH_SQL = `
with s as (
  select xmin::text as xmin from tasks where id = $1::uuid
), stale as (
  select v.m from unnest($2::uuid[], $4::int[]) v(m, tv) where not ${sessionValid('v.m', 'v.tv')}
), p as (
  select id, status, claimed, held, capacity, claim_opens_at, ends_at, version, xmin::text as xmin, audience_unit_org_id,
         status = 'open' and claim_opens_at <= $3::timestamptz and ends_at > $3::timestamptz and ${GRAB_OPEN} as claimable
    from tasks where id = $1::uuid
     for no key update
), sus as (
  select ms.member_id, ms.suspended_until
    from member_standing ms
   where ms.member_id = any($2::uuid[]) and ms.suspended_until > $3::timestamptz
), cand as (
  select u.m, u.ord
    from unnest($2::uuid[]) with ordinality u(m, ord), p
   where p.claimable and p.claimed < p.capacity
     and not exists (select 1 from claims c where c.task_id = $1::uuid and c.member_id = u.m and c.${LIVE})
     and not exists (select 1 from sus where sus.member_id = u.m)
     and not exists (select 1 from stale where stale.m = u.m)
     and ${IN_AUDIENCE('p.', 'u.m')}
   order by u.ord
   limit (select capacity - claimed from p)
), c as (
  insert into claims (task_id, member_id, status, claimed_at)
  select $1::uuid, cand.m, 'claimed', $3::timestamptz from cand
  returning id, member_id
), t as (${TAKE_BATCH_SLOTS_CTE}
), n as (
  select ${notifyCount('t')} from t
), g as (
  select count(*)::int as n,
         coalesce(array_agg(c.member_id::text order by cand.ord), '{}') as members,
         coalesce(array_agg(c.id::text order by cand.ord), '{}') as ids
    from c join cand on cand.m = c.member_id
)
select p.status, p.claimed as claimed_before, p.capacity, p.claim_opens_at, p.ends_at,
       p.claim_opens_at <= $3::timestamptz and p.status = 'open' and not p.claimable and p.ends_at > $3::timestamptz as draw_pending,
       coalesce(s.xmin = p.xmin, false) as fresh,
       coalesce((select version from t), p.version) as version,
       g.members, g.ids,
       (select count(*) from n) as notified,
       coalesce((select array_agg(member_id::text order by member_id) from sus), '{}') as suspended,
       coalesce((select array_agg(m::text) from stale), '{}') as stale,
       coalesce((select array_agg(u.m::text) from unnest($2::uuid[]) u(m), p where not ${IN_AUDIENCE('p.', 'u.m')}), '{}') as outsiders,
       coalesce((select array_agg(suspended_until order by member_id) from sus), '{}') as suspended_until,
       case when not p.claimable or p.claimed + g.n >= p.capacity then
         array(select member_id::text from claims where task_id = $1::uuid and ${LIVE}
               union all select member_id::text from c)
       end as holders,
       case when p.claimable and p.claimed + g.n >= p.capacity then ${suspendedAt('$3')} end as suspended_now
  from g
  left join p on true
  left join s on true`;
