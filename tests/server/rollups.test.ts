import { randomUUID } from 'node:crypto';
import { CATEGORY_KEYS } from '@pioneer/shared';
import { Random } from '../../server/scripts/seed-city/prng';
import { transaction } from '../../server/src/db/transaction';
import { cityFillDeltaSql, cityFillPruneSql, fillTimesSumSql } from '../../server/src/modules/rollups/rollups-sql';
import { makeCommunity, makeDistrict, makeEstate, makeUnitOrg } from '../helpers/fixtures';
import { makeSecretary, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * Property: whatever sequence of posts, claims, cancels, check-outs, no-shows (written down or
 * still pending), post moves, member moves (community or home), registrations and homeowner
 * registry changes, and amended records (补记 by the secretary, corrections approved with other
 * minutes or 补录 through the records module) happens, and whenever the roll-up job runs in between, the roll-ups the
 * statistics and the index read equal a full recomputation from the posts, claims, members and
 * households. (Whistle figures are not rolled up: the index reads them from the whistle tables.)
 */
let ctx: TestContext;
const DAY = 86_400_000;
const TZ = 'Asia/Shanghai';
type Auth = { authorization: string };

interface World {
  districts: { id: string }[];
  communities: { id: string; districtId: string; estateId: string; secretary: Auth }[];
  units: { id: string }[];
  members: { id: string; auth: Auth }[];
  openTasks: { id: string; communityId: string }[];
  cityAdmin: Auth;
}

const q = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  (await ctx.database.pool.query(text, params)).rows as T[];

/** A few homes, so that members and registry rows meet (the registry stores normalised parts, members what they typed). */
const home = (rng: Random, typed: boolean) => {
  const b = rng.int(1, 3);
  const r = rng.pick(['101', '102']);
  return typed ? [`${b}幢`, '1单元', rng.chance(0.5) ? r : `0${r}室`] : [String(b), '1', r];
};

async function addMember(w: World, rng: Random, ageDays: number) {
  const c = rng.pick(w.communities);
  const u = rng.pick(w.units);
  const [b, un, rm] = home(rng, true);
  const [row] = await q<{ id: string; user_id: string }>(
    `with u as (insert into users (openid) values ('prop_' || gen_random_uuid()) returning id)
     insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit, community_org_id, estate_id,
                          building, unit_no, room, intentions, consent_version, consented_at, registered_at)
     select u.id, '党员', 'x', md5(u.id::text), '138****0000', $1, '单位', $2, $3, $5, $6, $7, array['care'], 'v1', now(), now() - make_interval(days => $4)
       from u returning id, user_id`,
    [u.id, c.id, c.estateId, ageDays, b, un, rm],
  );
  const token = ctx.app.signSession(row.user_id, row.id);
  w.members.push({ id: row.id, auth: { authorization: `Bearer ${token}` } });
}

/** A post that already happened, with claims in every state, written as the database would hold it. */
async function addPastPost(w: World, rng: Random) {
  const c = rng.pick(w.communities);
  const starts = Date.now() - rng.int(1, 120) * DAY - rng.int(0, 23) * 3600_000;
  const opens = starts - rng.int(1, 4) * DAY;
  const capacity = rng.int(1, 5);
  const claimants = [...w.members].sort(() => rng.next() - 0.5).slice(0, rng.int(0, capacity + 2));
  // `claimed` on an ended post: a no-show the claims job has not written down yet.
  const statuses = claimants.map(() => rng.pick(['completed', 'completed', 'no_show', 'cancelled', 'checked_in', 'claimed']));
  let live = 0;
  const kept: string[] = [];
  statuses.forEach((s) => {
    if (s === 'cancelled' || live < capacity) {
      kept.push(s);
      if (s !== 'cancelled') live++;
    }
  });
  const filledAt = live === capacity ? new Date(opens + rng.int(0, 5000) * 1000 + rng.int(0, 999)).toISOString() : null;
  const [t] = await q<{ id: string }>(
    `insert into tasks (community_org_id, title, category, location, starts_at, ends_at, capacity, claimed, status, claim_opens_at, filled_at)
     values ($1, '岗位', $2, '社区', $3, $4, $5, $6, 'ended', $7, $8) returning id`,
    [
      c.id,
      rng.pick(CATEGORY_KEYS),
      new Date(starts).toISOString(),
      new Date(starts + 7200_000).toISOString(),
      capacity,
      live,
      new Date(opens).toISOString(),
      filledAt,
    ],
  );
  for (let i = 0; i < kept.length; i++) {
    await q(`insert into claims (task_id, member_id, status, claimed_at, minutes) values ($1, $2, $3, $4, $5)`, [
      t.id,
      claimants[i].id,
      kept[i],
      new Date(opens).toISOString(),
      kept[i] === 'completed' ? rng.int(10, 200) : null,
    ]);
  }
  await serviceMinutes(t.id);
}

/** The post's minutes counter as the app keeps it (amending a record moves it): the sum of its claims' minutes. */
async function serviceMinutes(taskId: string) {
  await q(`update tasks set service_minutes = (select coalesce(sum(minutes), 0) from claims where task_id = $1) where id = $1`, [taskId]);
}

/** A member moves home within its community (to a home of the registry, often). */
async function moveHome(w: World, rng: Random) {
  const [b, un, rm] = home(rng, true);
  await q(`update members set building = $2, unit_no = $3, room = $4 where id = $1`, [rng.pick(w.members).id, b, un, rm]);
}

async function step(w: World, rng: Random) {
  const r = rng.next();
  if (r < 0.12) {
    const c = rng.pick(w.communities);
    const startsAt = new Date(Date.now() + rng.int(1, 45) * DAY + rng.int(0, 23) * 3600_000);
    const task = await publishTask(ctx, c.secretary, c.id, {
      capacity: rng.int(1, 4),
      category: rng.pick(CATEGORY_KEYS),
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3600_000).toISOString(),
    });
    w.openTasks.push({ id: task.id, communityId: c.id });
  } else if (r < 0.25) {
    await addPastPost(w, rng);
  } else if (r < 0.5 && w.openTasks.length) {
    // A small burst of claims on one post, all at once.
    const t = rng.pick(w.openTasks);
    const who = Array.from({ length: rng.int(1, 5) }, () => rng.pick(w.members));
    await Promise.all(who.map((m) => ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${t.id}/claims`, headers: m.auth })));
  } else if (r < 0.6 && w.openTasks.length) {
    const [live] = await q<{ task_id: string; member_id: string }>(
      `select c.task_id, c.member_id from claims c join tasks t on t.id = c.task_id where t.status = 'open' and c.status = 'claimed' order by random() limit 1`,
    );
    const m = live && w.members.find((x) => x.id === live.member_id);
    if (m)
      expect((await ctx.app.inject({ method: 'DELETE', url: `/api/v1/tasks/${live.task_id}/claims/me`, headers: m.auth })).statusCode).toBe(
        200,
      );
  } else if (r < 0.68) {
    // Check-outs and no-shows recorded late on past posts.
    const [late] = await q<{ task_id: string }>(
      `update claims set status = $1, minutes = case when $1 = 'completed' then $2::int else null end
        where id = (select c.id from claims c join tasks t on t.id = c.task_id
                     where t.status = 'ended' and c.status in ('claimed', 'checked_in', 'no_show') order by random() limit 1)
        returning task_id`,
      [rng.pick(['completed', 'no_show']), rng.int(5, 300)],
    );
    if (late) await serviceMinutes(late.task_id);
  } else if (r < 0.72 && w.openTasks.length) {
    const i = rng.int(0, w.openTasks.length - 1);
    const t = w.openTasks[i];
    const c = w.communities.find((x) => x.id === t.communityId)!;
    expect((await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${t.id}/cancel`, headers: c.secretary })).statusCode).toBe(200);
    w.openTasks.splice(i, 1);
  } else if (r < 0.78) {
    // A post moves to another day (often another week or month), or to another community.
    const shift = rng.int(-40, 40);
    const other = rng.pick(w.communities);
    await q(
      `update tasks set starts_at = starts_at + make_interval(days => $1), ends_at = ends_at + make_interval(days => $1),
              community_org_id = case when $2 then $3::uuid else community_org_id end
        where id = (select id from tasks where status = 'ended' order by random() limit 1)`,
      [shift, rng.chance(0.3), other.id],
    );
  } else if (r < 0.84 && w.members.length) {
    const m = rng.pick(w.members);
    const c = rng.pick(w.communities);
    await q(`update members set community_org_id = $2, estate_id = $3, unit_org_id = $4 where id = $1`, [
      m.id,
      c.id,
      c.estateId,
      rng.pick(w.units).id,
    ]);
  } else if (r < 0.87) {
    await addMember(w, rng, rng.int(0, 100));
  } else if (r < 0.9 && w.members.length) {
    await moveHome(w, rng);
  } else if (r < 0.95) {
    // Homes registered (an import, possibly dated in the past) or, now and then, removed.
    const c = rng.pick(w.communities);
    if (rng.chance(0.2))
      await q(`delete from households where id = (select id from households where community_org_id = $1 order by random() limit 1)`, [
        c.id,
      ]);
    else {
      const n = rng.int(1, 3);
      const rows = Array.from({ length: n }, () => home(rng, false));
      await q(
        `insert into households (community_org_id, estate_id, building, unit_no, room, owner_name_cipher, owner_name_hash, phone_cipher, phone_hash,
                                 phone_masked, created_at, updated_at)
         select $1, $2, b, u, r, 'x', md5(random()::text), 'x', md5(random()::text), '139****0000', now() - make_interval(days => $6), now()
           from unnest($3::text[], $4::text[], $5::text[]) x(b, u, r)
         on conflict do nothing`,
        [c.id, c.estateId, rows.map((x) => x[0]), rows.map((x) => x[1]), rows.map((x) => x[2]), rng.int(0, 90)],
      );
    }
  } else if (r < 0.98) {
    await amendRecord(w, rng);
  } else {
    await ctx.app.rollups.refresh();
  }
}

/** A post that ended within the correction window, with its community's secretary. */
async function recentPost(w: World, rng: Random) {
  const posts = await q<{ id: string; community_org_id: string; starts_at: Date }>(
    `select id, community_org_id, starts_at from tasks where status = 'ended' and ends_at > now() - interval '25 days' and ends_at < now() - interval '3 hours' order by id`,
  );
  if (posts.length === 0) return null;
  const t = rng.pick(posts);
  const c = w.communities.find((x) => x.id === t.community_org_id);
  return c ? { ...t, secretary: c.secretary } : null;
}

/** Records amended through the records module: 补记, a correction approved (often with other minutes), or a 补录. */
async function amendRecord(w: World, rng: Random) {
  const t = await recentPost(w, rng);
  if (!t) return;
  const send = (url: string, headers: Auth, payload: object) => ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
  const kind = rng.pick(['secretary', 'correct', 'correct', 'supplement'] as const);
  if (kind === 'secretary') {
    const m = rng.pick(w.members);
    const res = await send(`/tasks/${t.id}/records`, t.secretary, { memberIds: [m.id] });
    expect(res.statusCode).toBe(200);
    return;
  }
  const start = t.starts_at.getTime();
  const body = {
    taskId: t.id,
    checkedInAt: new Date(start + rng.int(0, 30) * 60_000).toISOString(),
    checkedOutAt: new Date(start + rng.int(40, 180) * 60_000).toISOString(),
    reason: '漏扫',
  };
  let m: World['members'][number] | undefined;
  if (kind === 'correct') {
    const [live] = await q<{ member_id: string }>(
      `select member_id from claims where task_id = $1 and status not in ('cancelled', 'released') order by random() limit 1`,
      [t.id],
    );
    m = live && w.members.find((x) => x.id === live.member_id);
  } else {
    const [free] = await q<{ id: string }>(
      `select m.id from members m where m.community_org_id = $1
          and not exists (select 1 from claims c where c.task_id = $2 and c.member_id = m.id and c.status not in ('cancelled', 'released'))
        order by random() limit 1`,
      [t.community_org_id, t.id],
    );
    m = free && w.members.find((x) => x.id === free.id);
  }
  if (!m) return;
  const asked = await send('/members/me/corrections', m.auth, { kind, ...body });
  // One pending request per member and post: an earlier one may still wait.
  if (asked.statusCode === 409) return;
  expect(asked.statusCode).toBe(201);
  const decision = rng.chance(0.5) ? { minutes: rng.int(1, 240) } : {};
  const approved = await send(`/corrections/${asked.json().correction.id}/approve`, t.secretary, decision);
  expect(approved.statusCode).toBe(200);
}

const FIG = `tasks_published, tasks_cancelled, tasks_filled, participations, service_minutes, completed, no_shows, members,
             category_tasks, category_participations, category_minutes, fill_seconds, households, households_with_member`;

/** Every roll-up row that says something, and every distribution entry, in a stable order. */
async function snapshot(client: { query: (t: string) => Promise<{ rows: unknown[] }> }) {
  const rows = await client.query(
    `select scope, scope_id, grain, period::text, district_id, ${FIG} from stats_rollups
      where tasks_published + participations + members + completed + no_shows + households + households_with_member <> 0 or service_minutes <> 0
      order by scope, scope_id, grain, period`,
  );
  const fills = await client.query(`select scope, scope_id, seconds, tasks from stats_fill_times where tasks <> 0 order by 1, 2, 3`);
  return { rows: rows.rows, fills: fills.rows };
}

/** The contract's overview figures, computed straight from the posts, claims and members. */
async function reference(scope: 'city' | 'district' | 'community' | 'unit', id: string | null) {
  if (scope === 'unit') {
    const [r] = await q(
      `with work as (select c.* from claims c join members m on m.id = c.member_id where m.unit_org_id = $1 and c.status not in ('cancelled', 'released')),
            tk as (select * from tasks where id in (select task_id from work))
       select (select count(*)::int from tk) as "tasksPublished", (select count(filled_at)::int from tk) as "tasksFilled",
              (select count(*)::int from work) as "participations",
              (select coalesce(sum(minutes) filter (where status = 'completed'), 0)::int from work) as "serviceMinutes",
              (select count(*)::int from members where unit_org_id = $1) as "members",
              (select count(*)::int from households h where h.community_org_id in (select community_org_id from members where unit_org_id = $1)) as "households",
              (select count(*)::int from households h where h.community_org_id in (select community_org_id from members where unit_org_id = $1)
                  and ${LIVES_THERE('now()')}) as "householdsWithMember",
              (select percentile_cont(0.5) within group (order by round(extract(epoch from filled_at - claim_opens_at))) / 60 from tk where filled_at is not null) as "median"`,
      [id],
    );
    return r;
  }
  const where = scope === 'city' ? 'true' : scope === 'district' ? `po.district_id = '${id}'` : `po.id = '${id}'`;
  const [r] = await q(
    `with comm as (select po.id from party_orgs po where po.kind = 'community' and ${where}),
          tk as (select * from tasks where community_org_id in (select id from comm))
     select (select count(*)::int from tk) as "tasksPublished", (select count(filled_at)::int from tk) as "tasksFilled",
            (select count(*)::int from claims where task_id in (select id from tk) and status not in ('cancelled', 'released')) as "participations",
            (select coalesce(sum(minutes), 0)::int from claims where task_id in (select id from tk) and status = 'completed') as "serviceMinutes",
            (select count(*)::int from members where community_org_id in (select id from comm)) as "members",
            (select count(*)::int from comm where exists (select 1 from members m where m.community_org_id = comm.id)) as "communityOrgsOnboarded",
            (select count(*)::int from households where community_org_id in (select id from comm)) as "households",
            (select count(*)::int from households h where community_org_id in (select id from comm) and ${LIVES_THERE('now()')}) as "householdsWithMember",
            (select percentile_cont(0.5) within group (order by round(extract(epoch from filled_at - claim_opens_at))) / 60 from tk where filled_at is not null) as "median"`,
  );
  return r;
}

/** A member of the home's community lives at home `h` (and registered before `at`): the registry's own comparison. */
const LIVES_THERE = (
  at: string,
) => `exists (select 1 from members m where m.community_org_id = h.community_org_id and m.estate_id = h.estate_id
  and home_part(m.building) = h.building and home_part(m.unit_no) = h.unit_no and home_part(m.room) = h.room and m.registered_at < ${at})`;

/** Per community and local month, straight from the base tables. */
async function referenceMonths() {
  return q(
    `with t as (select t.*, date_trunc('month', t.starts_at at time zone '${TZ}')::date::text as period from tasks t),
          m as (select community_org_id, date_trunc('month', registered_at at time zone '${TZ}')::date::text as period, count(*)::int as n from members group by 1, 2),
          w as (select t.community_org_id, t.period, count(*)::int as published, count(*) filter (where t.status = 'cancelled')::int as cancelled,
                       count(t.filled_at)::int as filled,
                       coalesce(sum((select count(*) from claims c where c.task_id = t.id and c.status not in ('cancelled', 'released'))), 0)::int as participations,
                       coalesce(sum((select coalesce(sum(minutes), 0) from claims c where c.task_id = t.id and c.status = 'completed')), 0)::int as minutes,
                       coalesce(sum((select count(*) from claims c where c.task_id = t.id
                                      and (c.status = 'no_show' or (c.status = 'claimed' and t.ends_at <= now())))), 0)::int as no_shows
                  from t group by 1, 2)
     select coalesce(w.community_org_id, m.community_org_id) as id, coalesce(w.period, m.period) as period,
            coalesce(w.published, 0) as published, coalesce(w.cancelled, 0) as cancelled, coalesce(w.filled, 0) as filled,
            coalesce(w.participations, 0) as participations, coalesce(w.minutes, 0) as minutes, coalesce(w.no_shows, 0) as no_shows,
            coalesce(m.n, 0) as members
       from w full join m on m.community_org_id = w.community_org_id and m.period = w.period
      order by 1, 2`,
  );
}

const round2 = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

async function checkEqualsRecomputation(w: World) {
  await ctx.app.rollups.refresh();
  expect((await q<{ n: number }>('select count(*)::int as n from rollup_queue'))[0].n).toBe(0);

  // 1. The incremental roll-ups equal a rebuild from scratch (rolled back afterwards).
  const incremental = await snapshot(ctx.database.pool);
  const rolledBack = new Error('rolled back');
  await expect(
    transaction(ctx.database.db, async (tx) => {
      await ctx.app.rollups.rebuildAll(tx);
      const rebuilt = await snapshot(tx.$client);
      expect(incremental.rows).toEqual(rebuilt.rows);
      expect(incremental.fills).toEqual(rebuilt.fills);
      throw rolledBack;
    }),
  ).rejects.toBe(rolledBack);

  // 2. Month rows equal per-community, per-month figures computed straight from the base tables.
  const months = await q<{
    id: string;
    period: string;
    published: number;
    cancelled: number;
    filled: number;
    participations: number;
    minutes: number;
    no_shows: number;
    members: number;
  }>(
    `select scope_id as id, period::text as period, tasks_published as published, tasks_cancelled as cancelled, tasks_filled as filled,
            participations, service_minutes::int as minutes, no_shows, members
       from stats_rollups where scope = 'community' and grain = 'month'
        and (tasks_published + participations + members + no_shows <> 0 or service_minutes <> 0) order by 1, 2`,
  );
  const expected = (await referenceMonths()).filter((r) => Object.values(r).some((v, i) => i > 1 && v !== 0));
  expect(months).toEqual(expected);

  // 2b. The registry summed up to each month equals the registry as it stood at that month's end
  // (homes registered by then, and of those, homes where a member registered by then lives).
  const upTo = await q<{ id: string; period: string; households: number; with_member: number }>(
    `select po.id, p.period::text as period,
            coalesce((select sum(households) from stats_rollups r where r.scope = 'community' and r.grain = 'month' and r.scope_id = po.id and r.period <= p.period), 0)::int as households,
            coalesce((select sum(households_with_member) from stats_rollups r where r.scope = 'community' and r.grain = 'month' and r.scope_id = po.id and r.period <= p.period), 0)::int as with_member
       from party_orgs po
      cross join (select distinct period from stats_rollups where grain = 'month'
                  union select date_trunc('month', now() at time zone '${TZ}')::date) p
      where po.kind = 'community' order by 1, 2`,
  );
  const asAt = await q<{ id: string; period: string; households: number; with_member: number }>(
    `select po.id, p.period::text as period,
            (select count(*)::int from households h where h.community_org_id = po.id and h.created_at < p.ends) as households,
            (select count(*)::int from households h where h.community_org_id = po.id and h.created_at < p.ends and ${LIVES_THERE('p.ends')}) as with_member
       from party_orgs po
      cross join (select period, ((period + interval '1 month')::timestamp at time zone '${TZ}') as ends
                    from (select distinct period from stats_rollups where grain = 'month'
                          union select date_trunc('month', now() at time zone '${TZ}')::date) x) p
      where po.kind = 'community' order by 1, 2`,
  );
  expect(upTo).toEqual(asAt);
  // The random walk reached the interesting cases: homes covered and homes not.
  expect(asAt.some((r) => r.with_member > 0)).toBe(true);
  expect(asAt.some((r) => r.with_member < r.households)).toBe(true);

  // 3. Every overview the API answers equals the straight computation.
  const scopes: ['city' | 'district' | 'community' | 'unit', string | null][] = [
    ['city', null],
    ...w.districts.map((d) => ['district', d.id] as ['district', string]),
    ...w.communities.map((c) => ['community', c.id] as ['community', string]),
    ...w.units.map((u) => ['unit', u.id] as ['unit', string]),
  ];
  for (const [scope, id] of scopes) {
    const res = await ctx.app.inject({
      method: 'GET',
      url: `/api/v1/stats/overview?scope=${scope}${id ? `&id=${id}` : ''}`,
      headers: w.cityAdmin,
    });
    expect(res.statusCode).toBe(200);
    const got = res.json();
    const ref = await reference(scope, id);
    const { median, ...figures } = ref;
    expect({ scope, ...got, medianMinutesToFull: got.medianMinutesToFull }).toMatchObject({
      scope,
      ...figures,
      medianMinutesToFull: round2(median),
    });
  }

  // 4. The city's category and time-to-full charts equal the straight computation.
  const dash = (await ctx.app.inject({ method: 'GET', url: '/api/v1/stats/dashboard?scope=city', headers: w.cityAdmin })).json();
  const cats = await q<{ category: string; tasks: number; participations: number }>(
    `select t.category, count(distinct t.id)::int as tasks, count(c.id) filter (where c.status not in ('cancelled', 'released'))::int as participations
       from tasks t left join claims c on c.task_id = t.id group by 1`,
  );
  for (const c of dash.categories) {
    const ref = cats.find((x) => x.category === c.category) ?? { tasks: 0, participations: 0 };
    expect([c.category, c.tasks, c.participations]).toEqual([c.category, ref.tasks, ref.participations]);
  }
  const [fills] = await q<{ n: number }>(`select count(*)::int as n from tasks where filled_at is not null`);
  expect(dash.timeToFull.reduce((s: number, b: { tasks: number }) => s + b.tasks, 0)).toBe(fills.n);
}

async function makeWorld(): Promise<World> {
  const db = ctx.database.db;
  const w: World = { districts: [], communities: [], units: [], members: [], openTasks: [], cityAdmin: { authorization: '' } };
  const admin = await ctx.signIn('prop_admin');
  await ctx.grant(admin.userId, 'city_admin', null);
  w.cityAdmin = admin.auth;
  for (let d = 0; d < 2; d++) {
    const district = await makeDistrict(db);
    w.districts.push(district);
    for (let i = 0; i < 2; i++) {
      const c = await makeCommunity(db, district.id);
      const e = await makeEstate(db, c.id);
      const s = await makeSecretary(ctx, c.id, `prop_sec_${d}_${i}`);
      w.communities.push({ id: c.id, districtId: district.id, estateId: e.id, secretary: s.auth });
    }
    w.units.push(await makeUnitOrg(db, district.id));
  }
  w.units.push(await makeUnitOrg(db, w.districts[0].id));
  return w;
}

beforeAll(async () => {
  ctx = await createTestContext({ env: { ROLLUP_INTERVAL_MS: '0' } });
});
afterAll(async () => ctx.close());

describe('roll-ups', () => {
  it.each([1, 2, 3])(
    'equal a full recomputation after random posts, claims, cancels, check-outs, moves and registry changes (seed %i)',
    async (seed) => {
      await q(
        'truncate households, claims, tasks, members, role_grants, estates, party_orgs, districts, users, stats_rollups, stats_fill_times, rollup_queue, index_scores cascade',
      );
      // The points rules' row names its last editor: truncating users cascades to it; the defaults come back.
      await q('insert into points_rules (id) values (1) on conflict do nothing');
      const rng = new Random(seed);
      const w = await makeWorld();
      for (let i = 0; i < 25; i++) await addMember(w, rng, rng.int(0, 130));
      // A registry from the start: two homes where members may live, one (building 9) where none can.
      for (const c of w.communities)
        await q(
          `insert into households (community_org_id, estate_id, building, unit_no, room, owner_name_cipher, owner_name_hash, phone_cipher, phone_hash,
                                 phone_masked, created_at, updated_at)
         select $1, $2, b, '1', r, 'x', md5(random()::text), 'x', md5(random()::text), '139****0000', now() - interval '150 days', now()
           from (values ('1', '101'), ('3', '102'), ('9', '101')) x(b, r)`,
          [c.id, c.estateId],
        );
      for (let i = 0; i < 140; i++) await step(w, rng);
      await checkEqualsRecomputation(w);
      // And again after more changes on top of the incremental state, the last ones home moves
      // with nothing else queued after them.
      for (let i = 0; i < 60; i++) await step(w, rng);
      for (let i = 0; i < 5; i++) await moveHome(w, rng);
      await checkEqualsRecomputation(w);
      // The walk amended records (and 先锋指数+ reads the same roll-ups).
      const [{ n }] = await q<{ n: number }>(`select count(*)::int as n from claims where record_version > 1 or source <> 'scan'`);
      expect(n).toBeGreaterThan(0);
    },
    120_000,
  );

  it('send an id list as one array parameter, whatever its length (drizzle expands a bare JS array into a list)', async () => {
    // Expanded, `any(($1, $2)::uuid[])` and `unnest(($1)::int[])` fail or answer wrong counts.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    const seconds = [2_000_000_001, 2_000_000_002, 2_000_000_003];
    const rolledBack = new Error('rolled back');
    await expect(
      transaction(ctx.database.db, async (tx) => {
        await tx.$client.query(
          `insert into stats_fill_times (scope, scope_id, seconds, tasks) select 'community', unnest($1::uuid[]), 60, 1`,
          [ids],
        );
        for (const n of [0, 1, 3]) {
          const { rows } = await tx.execute<{ seconds: number; tasks: number }>(fillTimesSumSql('community', ids.slice(0, n)));
          expect(rows).toEqual(n ? [{ seconds: 60, tasks: n }] : []);
        }
        await tx.execute(cityFillDeltaSql(seconds, [2, 1, 0]));
        await tx.execute(cityFillPruneSql(seconds));
        const { rows } = await tx.$client.query(
          `select seconds, tasks from stats_fill_times where scope = 'city' and seconds = any($1::int[]) order by seconds`,
          [seconds],
        );
        expect(rows).toEqual([
          { seconds: seconds[0], tasks: 2 },
          { seconds: seconds[1], tasks: 1 },
        ]);
        throw rolledBack;
      }),
    ).rejects.toBe(rolledBack);
  });

  it('drain nothing twice and lose nothing when two processes run the job at once', async () => {
    const rng = new Random(99);
    const w = await makeWorld();
    for (let i = 0; i < 10; i++) await addMember(w, rng, rng.int(0, 60));
    for (let i = 0; i < 30; i++) await addPastPost(w, rng);
    // Two jobs race (the second process stands in for another server on the same database).
    const other = (await import('../../server/src/modules/rollups/rollups-service')).rollupsServiceFactory({
      db: ctx.database.db,
      intervalMs: 0,
    });
    const [a, b] = await Promise.all([ctx.app.rollups.refresh({ wait: false }), other.refresh({ wait: false })]);
    expect([a.ran, b.ran].filter(Boolean).length).toBeGreaterThanOrEqual(1);
    await checkEqualsRecomputation(w);
  }, 60_000);
});
