import type pg from 'pg';
import { CATEGORY_KEYS } from '@pioneer/shared';
import { encryptPhone, maskPhone } from '../../src/lib/phone-crypto';
import { Random } from './prng';

const DAY = 86_400_000;
const NEEDS_PER_COMMUNITY = 4;
/** A project's state and how far along its times are, in the order a need's projects are dealt. */
const STATES = ['accepted', 'closed', 'in_progress', 'delivered', 'claimed', 'accepted', 'returned', 'accepted'] as const;
const NEED_TITLES = ['老年助餐志愿者', '小区停车秩序维护', '楼道环境整治', '青少年课后托管', '反诈宣传进社区', '独居老人探访'];

export interface UnitsCounts {
  agreements: number;
  needs: number;
  projects: number;
}

/**
 * 组织报到 at scale, inside seed:city's transaction (after the orgs and users are loaded): every
 * unit party org reports to up to three communities of its district (one of them still
 * proposed), every community publishes four needs over the last two months, and a reported unit
 * claims most of them, with projects in every state (accepted ones rated, many this month, so the
 * results board and its benchmark have figures). Deterministic from `seed`. Units and communities
 * that already take part in 组织报到 (the demo's hand-made ones, loaded first) are left as they are:
 * a generated 待确认 agreement could clash with theirs (one per unit and community).
 */
export async function seedUnits(client: pg.PoolClient, opts: { seed: number; now: number; phoneEncKey: Buffer }): Promise<UnitsCounts> {
  const rng = new Random(opts.seed ^ 0x5eed);
  const { rows: admin } = await client.query<{ id: string }>(`select id from users where openid = 'dev_city_admin'`);
  const by = admin[0].id;
  const { rows: units } = await client.query<{ id: string; district_id: string }>(
    `select id, district_id from party_orgs o where kind = 'unit'
        and not exists (select 1 from agreements a where a.unit_org_id = o.id) order by id`,
  );
  const { rows: communities } = await client.query<{ id: string; district_id: string }>(
    `select id, district_id from party_orgs o where kind = 'community'
        and not exists (select 1 from agreements a where a.community_org_id = o.id)
        and not exists (select 1 from needs n where n.community_org_id = o.id) order by id`,
  );
  const byDistrict = new Map<string, string[]>();
  for (const c of communities) byDistrict.set(c.district_id, [...(byDistrict.get(c.district_id) ?? []), c.id]);
  const day = (t: number) => new Date(t + 8 * 3600_000).toISOString().slice(0, 10);
  const phone = '13800138000';
  const cipher = encryptPhone(opts.phoneEncKey, phone);

  const a = { unit: [] as string[], community: [] as string[], status: [] as string[], at: [] as string[] };
  /** Units reported (active) to each community. */
  const reported = new Map<string, string[]>();
  for (const u of units) {
    // Its district's communities (a small city may have none there: then any).
    const near = byDistrict.get(u.district_id) ?? [];
    const pool = near.length ? near : communities.map((c) => c.id);
    const picked = new Set<string>();
    for (let i = 0; i < Math.min(3, pool.length); i++) picked.add(rng.pick(pool));
    let k = 0;
    for (const c of picked) {
      const status = k++ === 2 ? 'proposed' : 'active';
      a.unit.push(u.id);
      a.community.push(c);
      a.status.push(status);
      a.at.push(new Date(opts.now - (70 + rng.int(0, 20)) * DAY).toISOString());
      if (status === 'active') reported.set(c, [...(reported.get(c) ?? []), u.id]);
    }
  }
  await client.query(
    `insert into agreements (unit_org_id, community_org_id, starts_on, ends_on, commitments, contact_name, contact_phone_cipher,
                             contact_phone_masked, status, proposed_by, proposed_at, decided_by, decided_at)
     select u, c, $5::date, $6::date, '每月组织党员到社区开展志愿服务不少于2次', '联络员', $7, $8, s, $9, t::timestamptz,
            case when s = 'active' then $9::uuid end, case when s = 'active' then t::timestamptz + interval '1 day' end
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[]) as x(u, c, s, t)`,
    [a.unit, a.community, a.status, a.at, day(opts.now - 60 * DAY), day(opts.now + 300 * DAY), cipher, maskPhone(phone), by],
  );

  const n = { id: [] as string[], community: [] as string[], title: [] as string[], category: [] as string[], status: [] as string[] };
  const nAt: string[] = [];
  const p = {
    need: [] as string[],
    unit: [] as string[],
    community: [] as string[],
    status: [] as string[],
    rating: [] as (number | null)[],
    claimed: [] as string[],
    started: [] as (string | null)[],
    delivered: [] as (string | null)[],
    accepted: [] as (string | null)[],
    closed: [] as (string | null)[],
    returned: [] as (string | null)[],
  };
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  let dealt = 0;
  for (const c of communities) {
    const mine = reported.get(c.id) ?? [];
    for (let i = 0; i < NEEDS_PER_COMMUNITY; i++) {
      const id = rng.uuid();
      // Older needs first: the last one of a community is often still open.
      const created = opts.now - (50 - i * 12 + rng.int(0, 5)) * DAY;
      const state = mine.length && i < 3 ? STATES[dealt++ % STATES.length] : null;
      n.id.push(id);
      n.community.push(c.id);
      n.title.push(NEED_TITLES[rng.int(0, NEED_TITLES.length - 1)]);
      n.category.push(CATEGORY_KEYS[rng.int(0, CATEGORY_KEYS.length - 1)]);
      n.status.push(state === null || state === 'returned' ? 'open' : state === 'closed' ? 'closed' : 'claimed');
      nAt.push(new Date(created).toISOString());
      if (!state) continue;
      const claimed = created + rng.int(1, 3) * DAY;
      const step = Math.max(DAY, Math.floor((opts.now - claimed) / 5));
      const after = (k: number, from: readonly string[]) =>
        from.includes(state) ? Math.min(opts.now - 3600_000, claimed + k * step) : null;
      p.need.push(id);
      p.unit.push(rng.pick(mine));
      p.community.push(c.id);
      p.status.push(state);
      p.rating.push(state === 'accepted' || state === 'closed' ? rng.int(3, 5) : null);
      p.claimed.push(new Date(claimed).toISOString());
      p.started.push(iso(after(1, ['in_progress', 'delivered', 'accepted', 'closed'])));
      p.delivered.push(iso(after(2, ['delivered', 'accepted', 'closed'])));
      p.accepted.push(iso(after(3, ['accepted', 'closed'])));
      p.closed.push(iso(after(4, ['closed'])));
      p.returned.push(iso(after(1, ['returned'])));
    }
  }
  await client.query(
    `insert into needs (id, community_org_id, title, category, description, status, created_by, created_at, claimed_at)
     select i, c, t, g, '社区点题：需要共建单位协助', s, $7, at::timestamptz, case when s <> 'open' then at::timestamptz + interval '1 day' end
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[]) as x(i, c, t, g, s, at)`,
    [n.id, n.community, n.title, n.category, n.status, nAt, by],
  );
  await client.query(
    `insert into projects (need_id, unit_org_id, community_org_id, plan, starts_on, ends_on, status, summary, rating, claimed_by,
                           claimed_at, started_at, delivered_at, accepted_at, closed_at, returned_at, return_reason)
     select nd, u, c, '组织党员分批开展服务', (cl::timestamptz)::date, (cl::timestamptz)::date + 30, s,
            case when dl is not null then '已按计划完成' end, r, $12, cl::timestamptz, st::timestamptz, dl::timestamptz,
            ac::timestamptz, cs::timestamptz, rt::timestamptz, case when rt is not null then '人手不足' end
       from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[]) as x(nd, u, c, s, r, cl, st, dl, ac, cs, rt)`,
    [p.need, p.unit, p.community, p.status, p.rating, p.claimed, p.started, p.delivered, p.accepted, p.closed, p.returned, by],
  );
  return { agreements: a.unit.length, needs: n.id.length, projects: p.need.length };
}
