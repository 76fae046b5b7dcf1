import { randomUUID } from 'node:crypto';
import { makeWorld } from '../helpers/fixtures';
import { makeSecretary } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

// Tight limits for the writes a red team could repeat: whistles, demands, subscription credits.
const ENV = {
  WHISTLE_RATE_LIMIT: '2',
  DEMAND_RATE_LIMIT: '2',
  DEMAND_ADDRESS_RATE_LIMIT: '3',
  SUBSCRIPTION_CREDIT_RATE_LIMIT: '2',
};
const DAY = 86_400_000;

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;

beforeAll(async () => {
  ctx = await createTestContext({ env: ENV });
  world = await makeWorld(ctx.database.db);
});
afterAll(async () => ctx.close());

type Auth = { authorization: string };
const post = (url: string, auth: Auth, payload: object, remoteAddress = '127.0.0.1') =>
  ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth, payload, remoteAddress });
const unique = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;

function expectLimited(res: { statusCode: number; headers: Record<string, unknown>; json(): { code: string } }) {
  expect([res.statusCode, res.json().code]).toEqual([429, 'RATE_LIMITED']);
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
}

describe('limits on repeated writes', () => {
  it('whistles per raiser: the third in a minute is refused, another raiser goes on', async () => {
    const whistle = () => ({
      title: '商圈周边停车难',
      description: '周末道路违停严重，需联动治理。',
      category: 'traffic',
      location: '商圈',
      dueAt: new Date(ctx.clock.now().getTime() + 3 * DAY).toISOString(),
      addressedTo: [{ orgId: world.unitOrg.id, part: 'lead' }],
    });
    const raiser = (await makeSecretary(ctx, world.community.id, unique('wl_sec'))).auth;
    const first = await post('/whistles', raiser, whistle());
    expect(first.statusCode).toBe(201);
    expect((await post('/whistles', raiser, whistle())).statusCode).toBe(201);
    expectLimited(await post('/whistles', raiser, whistle()));
    const { rows } = await ctx.database.pool.query('select count(*)::int as n from whistles where raised_by_org_id = $1', [
      world.community.id,
    ]);
    expect(rows[0].n).toBe(2);
    const colleague = (await makeSecretary(ctx, world.community.id, unique('wl_sec2'))).auth;
    expect((await post('/whistles', colleague, whistle())).statusCode).toBe(201);
  });

  it('demands per user, and per address whoever signs them', async () => {
    const demand = (text: string) => ({ communityOrgId: world.community.id, text });
    const resident = (await ctx.signIn(unique('dl_resident'))).auth;
    expect((await post('/demands', resident, demand('楼道灯坏了一'), '198.51.100.1')).statusCode).toBe(201);
    expect((await post('/demands', resident, demand('楼道灯坏了二'), '198.51.100.2')).statusCode).toBe(201);
    // Per user: from a third address still the user's third.
    expectLimited(await post('/demands', resident, demand('楼道灯坏了三'), '198.51.100.3'));

    // Per address: fresh accounts from one address, one demand each; the fourth is refused.
    const from = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const fresh = (await ctx.signIn(unique('dl_fresh'))).auth;
      const res = await post('/demands', fresh, demand(`路灯不亮第${i}处`), from);
      statuses.push(res.statusCode);
      if (i === 3) expectLimited(res);
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    // Another address is not held back.
    expect((await post('/demands', (await ctx.signIn(unique('dl_other'))).auth, demand('井盖松动'), '203.0.113.51')).statusCode).toBe(201);
  });

  it('subscription credits per template: a template past its limit is refused whole, the others go on', async () => {
    const user = (await ctx.signIn(unique('cl_user'))).auth;
    const subscribe = (results: Record<string, string>) => post('/me/subscriptions', user, { results });
    expect((await subscribe({ claim_result: 'accept', task_reminder: 'accept' })).json().credits).toEqual(
      expect.objectContaining({ claim_result: 1, task_reminder: 1 }),
    );
    expect((await subscribe({ claim_result: 'accept' })).json().credits).toEqual(expect.objectContaining({ claim_result: 2 }));
    expectLimited(await subscribe({ claim_result: 'accept', new_task: 'accept' }));
    // Nothing of the refused request was recorded; rejections and other templates are not counted against it.
    const after = await subscribe({ task_reminder: 'accept', claim_result: 'reject' });
    expect(after.statusCode).toBe(200);
    expect(after.json().credits).toEqual(expect.objectContaining({ claim_result: 2, task_reminder: 2 }));
    expect(after.json().credits.new_task ?? 0).toBe(0);
    // Another user holds its own counts.
    const other = (await ctx.signIn(unique('cl_other'))).auth;
    expect((await post('/me/subscriptions', other, { results: { claim_result: 'accept' } })).statusCode).toBe(200);
  });
});
