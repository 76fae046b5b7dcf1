import type { Category, WhistleCategory } from '@pioneer/shared';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { arrayParam, executeNamed, type RawRow } from '../db/sql-text';
import { transaction } from '../db/transaction';
import { encryptPhone, hashPhone, maskPhone } from '../lib/phone-crypto';
import { Random } from '../../scripts/seed-city/prng';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Changshu local time (UTC+8). */
const LOCAL = 8 * HOUR;
const WEEKS = 26;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '朱', '马', '胡', '郭', '何', '高', '林', '钱'];
const GIVEN = [
  '建国',
  '丽华',
  '志强',
  '秀英',
  '海燕',
  '晓东',
  '文静',
  '国平',
  '雪梅',
  '振华',
  '红霞',
  '俊杰',
  '玉兰',
  '伟民',
  '桂芳',
  '春生',
];
const WORK_UNITS = ['市住建局', '市城管局', '市教育局', '市卫健委', '常熟农商银行', '市公安局'];
const POSTS: Array<{ title: string; category: Category; place: string }> = [
  { title: '垃圾分类桶边督导', category: 'waste_sorting', place: '清和苑垃圾分类亭' },
  { title: '独居老人上门探访', category: 'care', place: '书院新村' },
  { title: '小区环境清洁日', category: 'environment', place: '虞景文华中心花园' },
  { title: '便民理发义剪', category: 'convenience', place: '清和坊社区党群服务中心' },
  { title: '上下学路口护学岗', category: 'order', place: '书院街小学门口' },
  { title: '健康义诊与血压测量', category: 'medical', place: '清和坊社区卫生服务站' },
  { title: '楼道绿植养护', category: 'gardening', place: '清和苑 6 幢' },
  { title: '学雷锋作业辅导', category: 'lei_feng_tutor', place: '社区四点半课堂' },
];
const WHISTLES: Array<{ title: string; category: WhistleCategory; unit: string; answer: string }> = [
  { title: '清和苑东门早高峰违停', category: 'traffic', unit: '市公安局', answer: '交警早高峰定点疏导，增设临时停车泊位。' },
  { title: '书院新村楼道堆物', category: 'safety', unit: '市住建局', answer: '联合物业清理楼道堆物，张贴消防安全提示。' },
  { title: '虞景文华小区路灯损坏', category: 'facilities', unit: '市住建局', answer: '已更换损坏灯具 12 盏。' },
  { title: '沿街店铺占道经营', category: 'cityscape', unit: '市城管局', answer: '约谈商户并划定经营边界，每日巡查。' },
  { title: '物业服务费用公示不清', category: 'property', unit: '市住建局', answer: '督促物业按季度公示收支明细。' },
  { title: '邻里噪音纠纷调解', category: 'dispute', unit: '市公安局', answer: '社区民警与网格员上门调解，双方达成约定。' },
];

/**
 * Half a year of 清和坊社区's own life, so its secretary's dashboard, trend and ranking read real
 * figures rather than the generated communities': about 60 more members (with homes in the
 * 业主信息库), three posts a week with their claims, check-ins and check-outs (a few no-shows and
 * cancellations), and two whistles a month in the whistles' own categories, answered and closed.
 * One transaction, notifying nobody; the roll-ups are rebuilt by the city load that follows.
 * Does nothing when the community already has posts older than a week (a second run).
 * Set-based where it counts: a post's claims go in one `unnest` insert.
 */
export async function seedCommunityHistory(
  db: Db,
  opts: { phoneEncKey: Buffer; phoneHashKey: Buffer; now?: number; community?: string },
): Promise<{ members: number; posts: number; claims: number; whistles: number } | null> {
  const now = opts.now ?? Date.now();
  const rng = new Random(0x9e3779b1);
  return transaction(db, async (tx) => {
    const rowsOf = async <T extends RawRow>(statement: SQL) => (await tx.execute<T>(statement)).rows;
    await tx.execute(sql`set local pioneer.notifications = 'off'`);
    // As the city load does: no roll-up queue rows (the load rebuilds the roll-ups over everything,
    // and a roll-up job working a queue meanwhile would wait on the load's index rebuild while
    // holding the lock the load's rebuild needs). The rows written here reference rows that exist.
    const role = await rowsOf<{ su: boolean }>(sql`select rolsuper as su from pg_roles where rolname = current_user`);
    if (role[0]?.su) await tx.execute(sql`set local session_replication_role = replica`);
    const [community] = await rowsOf<{ id: string; name: string; district_id: string; secretary: string | null }>(
      sql`select o.id, o.name, o.district_id,
                 (select g.user_id from role_grants g where g.role = 'secretary' and g.org_id = o.id limit 1) as secretary
            from party_orgs o where o.kind = 'community' and o.name = ${opts.community ?? '清和坊社区'}`,
    );
    if (!community?.secretary) return null;
    // The demo's own unit projects have posts of their own in the past: they are not a second run.
    const old = await rowsOf(
      sql`select 1 from tasks where community_org_id = ${community.id} and starts_at < ${new Date(now - 7 * DAY)} and project_id is null limit 1`,
    );
    if (old.length) return null;
    const estates = (await rowsOf<{ id: string }>(sql`select id from estates where community_org_id = ${community.id} order by name`)).map(
      (r) => r.id,
    );
    const units = new Map(
      (
        await rowsOf<{ id: string; name: string }>(
          sql`select id, name from party_orgs where kind = 'unit' and name = any(${arrayParam(WORK_UNITS)})`,
        )
      ).map((r) => [r.name, r.id]),
    );

    // The loops below send seven statements some 360 times: each goes as a named prepared statement,
    // its text as written, parsed once on the connection. Built by drizzle's `sql` per row, the
    // load took twice as long (the query building, not PostgreSQL).
    const run = (name: string, text: string, values: unknown[]) => executeNamed(tx, `demo_history_${name}`, text, values);

    // Members, registered over the last eight months, each with a home in the registry.
    const memberIds: string[] = [];
    const registeredAt: number[] = [];
    for (let i = 0; i < 60; i++) {
      const name = `${SURNAMES[i % SURNAMES.length]}${GIVEN[(i * 7) % GIVEN.length]}`;
      const phone = `1370512${String(1000 + i).padStart(4, '0')}`;
      const unitName = WORK_UNITS[i % WORK_UNITS.length];
      const estate = estates[i % estates.length];
      // One home each: building by six, room by the rest.
      const [building, unitNo, room] = [String(1 + Math.floor(i / 6)), String(1 + (i % 2)), `${1 + (i % 6)}01`];
      const at = now - rng.int(30, 240) * DAY;
      const { rows } = await run(
        'member',
        `with u as (insert into users (openid, created_at) values ($1, $2) returning id)
         insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit, community_org_id,
                              estate_id, building, unit_no, room, intentions, consent_version, consented_at, registered_at, updated_at)
         select u.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '2026-01', $2, $2, $2 from u returning id`,
        [
          `dev_qhf_${i + 1}`,
          new Date(at),
          name,
          encryptPhone(opts.phoneEncKey, phone),
          hashPhone(opts.phoneHashKey, phone),
          maskPhone(phone),
          units.get(unitName) ?? [...units.values()][0],
          unitName,
          community.id,
          estate,
          building,
          unitNo,
          room,
          [POSTS[i % POSTS.length].category, POSTS[(i + 3) % POSTS.length].category],
        ],
      );
      memberIds.push(rows[0].id);
      registeredAt.push(at);
      await run(
        'household',
        `insert into households (community_org_id, estate_id, building, unit_no, room, owner_name_cipher, owner_name_hash,
                                 phone_cipher, phone_hash, phone_masked, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
        [
          community.id,
          estate,
          building,
          unitNo,
          room,
          encryptPhone(opts.phoneEncKey, name),
          hashPhone(opts.phoneHashKey, `name:${name}`),
          encryptPhone(opts.phoneEncKey, phone),
          hashPhone(opts.phoneHashKey, phone),
          maskPhone(phone),
          new Date(now - 250 * DAY),
        ],
      );
    }

    // Three posts a week (Tuesday, Thursday, Saturday mornings or afternoons), filled mostly.
    const localMidnight = Math.floor((now + LOCAL) / DAY) * DAY - LOCAL;
    let posts = 0;
    let claims = 0;
    for (let w = WEEKS; w >= 1; w--) {
      for (const [d, hour] of [
        [2, 9],
        [4, 14],
        [6, 9],
      ]) {
        const spec = POSTS[(w * 3 + d) % POSTS.length];
        const startsAt = localMidnight - w * 7 * DAY + d * DAY + hour * HOUR;
        if (startsAt >= now - DAY) continue;
        const endsAt = startsAt + 2 * HOUR;
        const capacity = rng.int(5, 12);
        const opens = startsAt - 3 * DAY;
        const pool_ = memberIds.filter((_, i) => registeredAt[i] < opens);
        const takers = Math.min(pool_.length, rng.chance(0.7) ? capacity : rng.int(2, capacity));
        const chosen = [...pool_].sort(() => rng.next() - 0.5).slice(0, takers);
        let live = 0;
        let minutesServed = 0;
        const rows: Array<[string, string, number, number | null, number | null, number | null, number | null]> = [];
        chosen.forEach((memberId, k) => {
          const claimedAt = opens + (k + 1) * rng.int(1, 40) * MINUTE;
          const roll = rng.next();
          if (roll < 0.05) return rows.push([memberId, 'cancelled', claimedAt, claimedAt + HOUR, null, null, null]);
          live++;
          if (roll < 0.12) return rows.push([memberId, 'no_show', claimedAt, null, null, null, null]);
          const inAt = startsAt - rng.int(0, 15) * MINUTE;
          const outAt = endsAt + rng.int(-10, 20) * MINUTE;
          const minutes = Math.max(0, Math.round((Math.min(outAt, endsAt + HOUR) - Math.max(inAt, startsAt)) / MINUTE));
          minutesServed += minutes;
          return rows.push([memberId, 'completed', claimedAt, null, inAt, outAt, minutes]);
        });
        const filledAt = live >= capacity ? Math.max(...rows.filter((r) => r[1] !== 'cancelled').map((r) => r[2])) : null;
        const { rows: t } = await run(
          'task',
          `insert into tasks (community_org_id, title, category, description, location, starts_at, ends_at, capacity, claimed,
                              service_minutes, status, claim_opens_at, cancel_cutoff_minutes, filled_at, created_by, created_at,
                              contact_name, contact_phone)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'ended', $11, 60, $12, $13, $14, '王书记', '0512-52345678') returning id`,
          [
            community.id,
            spec.title,
            spec.category,
            `${spec.title}，服务结束后由书记扫码签退记录时长。`,
            spec.place,
            new Date(startsAt),
            new Date(endsAt),
            capacity,
            Math.min(live, capacity),
            minutesServed,
            new Date(opens),
            filledAt ? new Date(filledAt) : null,
            community.secretary,
            new Date(opens - DAY),
          ],
        );
        // The post's claims in one statement: seven columns, each one array parameter.
        if (rows.length)
          await run(
            'claims',
            `insert into claims (task_id, member_id, status, claimed_at, cancelled_at, checked_in_at, checked_out_at, minutes)
             select $1, u.m, u.s, to_timestamp(u.c / 1000.0), to_timestamp(u.x / 1000.0), to_timestamp(u.i / 1000.0),
                    to_timestamp(u.o / 1000.0), u.n
               from unnest($2::uuid[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::int[]) u(m, s, c, x, i, o, n)`,
            [t[0].id, ...[0, 1, 2, 3, 4, 5, 6].map((k) => rows.map((r) => r[k]))],
          );
        posts++;
        claims += rows.length;
      }
    }

    // Two whistles a month in the whistles' own categories, answered by the lead unit and closed (most rated).
    let whistles = 0;
    for (let m = 6; m >= 1; m--) {
      for (let k = 0; k < 2; k++) {
        const spec = WHISTLES[(m * 2 + k) % WHISTLES.length];
        const unitId = units.get(spec.unit);
        if (!unitId) continue;
        const raised = now - m * 30 * DAY + k * 12 * DAY;
        const [signed, answered, verified, closed] = [raised + 4 * HOUR, raised + 3 * DAY, raised + 4 * DAY, raised + 5 * DAY];
        const rated = k === 0 ? raised + 6 * DAY : null;
        const { rows: w } = await run(
          'whistle',
          `insert into whistles (title, description, category, location, due_at, status, raised_by_org_id, raised_by_district_id,
                                 created_by, created_at, answered_at, verified_at, closed_at, rated_at, satisfaction)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id`,
          [
            spec.title,
            `${spec.title}，居民多次反映，需${spec.unit}牵头处理。`,
            spec.category,
            '清和坊社区',
            new Date(raised + 7 * DAY),
            rated ? 'rated' : 'closed',
            community.id,
            community.district_id,
            community.secretary,
            new Date(raised),
            new Date(answered),
            new Date(verified),
            new Date(closed),
            rated ? new Date(rated) : null,
            rated ? 5 - (m % 2) : null,
          ],
        );
        await run(
          'assignment',
          `insert into whistle_assignments (whistle_id, org_id, part, status, due_at, assigned_at, signed_at, answered_at, answer_text)
           values ($1, $2, 'lead', 'answered', $3, $4, $5, $6, $7)`,
          [w[0].id, unitId, new Date(raised + 7 * DAY), new Date(raised), new Date(signed), new Date(answered), spec.answer],
        );
        const secretary = [community.secretary, 'secretary', community.id, community.name, null];
        const unit = [null, 'unit_liaison', unitId, spec.unit, unitId];
        const events: Array<[number, string, unknown[], object]> = [
          [raised, 'raise', secretary, { addressedTo: [{ orgId: unitId, part: 'lead' }] }],
          [signed, 'sign', unit, {}],
          [answered, 'answer', unit, { text: spec.answer, taskIds: [] }],
          [verified, 'verify', secretary, {}],
          [closed, 'close', secretary, {}],
          ...(rated ? [[rated, 'rate', secretary, { satisfaction: 5 - (m % 2) }] as [number, string, unknown[], object]] : []),
        ];
        for (const [at, action, [actor, role, orgId, orgName, org], data] of events)
          await run(
            'event',
            `insert into whistle_events (whistle_id, at, action, actor_user_id, actor_role, actor_org_id, actor_org_name, org_id, data)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [w[0].id, new Date(at), action, actor, role, orgId, orgName, org, JSON.stringify(data)],
          );
        whistles++;
      }
    }
    return { members: memberIds.length, posts, claims, whistles };
  });
}
