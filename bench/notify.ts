/**
 * Notifications in the bench: publishing a post that 2,000 members follow, against one nobody
 * follows (interleaved, so the host's drift weighs on both), then how fast the fan-out lands in
 * the message center and how fast WeChat subscribe messages go out (to a fake WeChat in this
 * process; the server is started pointing at it).
 */
import type pg from 'pg';
import { startFakeWechat, WECHAT_TEST_ENV } from '../tests/helpers/fake-wechat';
import { percentile, round, type LoadClient } from './load';

export const FOLLOWERS = 2000;
const FOLLOWED_CATEGORY = 'care';
const QUIET_CATEGORY = 'waste_sorting';

export async function startBenchWechat() {
  const fake = await startFakeWechat();
  return { fake, env: WECHAT_TEST_ENV(fake.base) };
}

/**
 * 2,000 members of one community following one category (created once, kept in the bench data),
 * each holding one `new_task` credit for this run. Nobody follows the quiet category.
 */
export async function prepareFollowers(pool: pg.Pool, communityOrgId: string): Promise<number> {
  const { rows: existing } = await pool.query<{ n: number }>(`select count(*)::int n from users where openid like 'bench\\_follower\\_%'`);
  if (existing[0].n < FOLLOWERS) {
    await pool.query(
      `with u as (
         insert into users (openid)
         select 'bench_follower_' || g from generate_series($1::int + 1, $2::int) g
         returning id, openid
       ), e as (select id from estates where community_org_id = $3::uuid limit 1),
       o as (select id from party_orgs where kind = 'unit' order by id limit 1)
       insert into members (user_id, name, phone_cipher, phone_hash, phone_masked, unit_org_id, work_unit,
                            community_org_id, estate_id, building, unit_no, room, intentions, consent_version, consented_at)
       select u.id, '关注' || right(u.openid, 4), 'bench', md5(u.openid), '138****0000', o.id, '压测单位',
              $3::uuid, e.id, '1', '1', '101', array['care'], 'v1', now()
         from u, e, o`,
      [existing[0].n, FOLLOWERS, communityOrgId],
    );
  }
  await pool.query(
    `update member_preferences set follow_categories = array_remove(follow_categories, $1) where follow_categories @> array[$1]`,
    [QUIET_CATEGORY],
  );
  await pool.query(
    `insert into member_preferences (member_id, follow_categories)
     select m.id, array[$1] from members m join users u on u.id = m.user_id where u.openid like 'bench\\_follower\\_%'
     on conflict (member_id) do update set follow_categories = excluded.follow_categories`,
    [FOLLOWED_CATEGORY],
  );
  await pool.query(
    `insert into subscription_credits (user_id, template_key, credits)
     select u.id, 'new_task', 1 from users u where u.openid like 'bench\\_follower\\_%'
     on conflict (user_id, template_key) do update set credits = 1`,
  );
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int n from member_preferences p join members m on m.id = p.member_id
      where m.community_org_id = $1::uuid and p.follow_categories @> array[$2]`,
    [communityOrgId, FOLLOWED_CATEGORY],
  );
  return rows[0].n;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

export async function notifyPhase(opts: {
  pool: pg.Pool;
  client: LoadClient;
  api: string;
  secretaryToken: string;
  communityOrgId: string;
  fake: Awaited<ReturnType<typeof startFakeWechat>>;
  posts: number;
  log: (msg: string) => void;
}) {
  const { pool, client, api, fake } = opts;
  const followers = await prepareFollowers(pool, opts.communityOrgId);
  opts.log(`notifications: ${followers} followers, ${opts.posts} followed posts against ${opts.posts} nobody follows ...`);
  const publish = async (category: string, label: string) => {
    const startsAt = Date.now() + 3 * 24 * 3600_000;
    const a = await client.send({
      method: 'POST',
      path: `${api}/tasks`,
      token: opts.secretaryToken,
      body: {
        communityOrgId: opts.communityOrgId,
        title: `压测通知岗位 ${label}`,
        category,
        location: '党群服务中心',
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 2 * 3600_000).toISOString(),
        capacity: 10,
      },
    });
    if (a.status !== 201) throw new Error(`publishing failed: ${a.status} ${a.body.slice(0, 200)}`);
    return { ms: a.ms, id: (JSON.parse(a.body) as { task: { id: string } }).task.id };
  };
  // Not measured: the first posts of a fresh process pay for the JIT and cold statements.
  for (let i = 0; i < 2; i++) await publish(QUIET_CATEGORY, `warm-up ${i}`);
  const sendsBefore = fake.delivered().length;
  const quiet: number[] = [];
  const followed: number[] = [];
  const followedIds: string[] = [];
  const t0 = Date.now();
  for (let i = 0; i < opts.posts; i++) {
    quiet.push((await publish(QUIET_CATEGORY, `quiet ${i}`)).ms);
    const f = await publish(FOLLOWED_CATEGORY, `followed ${i}`);
    followed.push(f.ms);
    followedIds.push(f.id);
  }
  const expected = followers * followedIds.length;
  const countMessages = async () =>
    (await pool.query<{ n: number }>(`select count(*)::int n from messages where task_id = any($1::uuid[])`, [followedIds])).rows[0].n;
  const messagesDone = await waitFor(async () => (await countMessages()) >= expected, 180_000);
  const messagesMs = Date.now() - t0;
  // One credit each: the first followed post goes out on WeChat to every follower.
  const sendsDone = await waitFor(async () => fake.delivered().length - sendsBefore >= followers, 180_000);
  const sends = fake.delivered().slice(sendsBefore);
  const sendSpanMs = sends.length > 1 ? sends[sends.length - 1].at - t0 : 0;
  const written = await countMessages();
  return {
    followers,
    posts: opts.posts,
    publishP50Ms: { followed: round(percentile(followed, 50)), quiet: round(percentile(quiet, 50)) },
    publishP95Ms: { followed: round(percentile(followed, 95)), quiet: round(percentile(quiet, 95)) },
    messagesWritten: written,
    messagesComplete: messagesDone,
    messagesPerSecond: Math.round(written / (messagesMs / 1000)),
    wechatSent: sends.length,
    wechatComplete: sendsDone,
    wechatPerSecond: sendSpanMs > 0 ? Math.round(sends.length / (sendSpanMs / 1000)) : 0,
    wechatRefused: fake.sends.length - fake.delivered().length,
  };
}
