import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { makeSecretary, publishTask } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * Contract v2: `POST /pioneer-codes/verify` lists the member's live claims on the verifier's posts
 * of today (the city's calendar day, UTC+8), so the verify page offers only the valid action.
 */
let ctx: TestContext;
const H = 3600_000;
// 09:00 in Changshu on a Wednesday.
const MORNING = Date.parse('2027-03-10T01:00:00Z');

beforeAll(async () => {
  // The contract's default window: check-in opens 30 minutes before a post starts.
  ctx = await createTestContext({ env: { CHECK_IN_OPENS_MINUTES: '30' } });
  ctx.clock.set(MORNING);
});
afterAll(async () => ctx.close());

const at = (hoursFromMorning: number) => new Date(MORNING + hoursFromMorning * H).toISOString();

async function claim(taskId: string, auth: { authorization: string }) {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${taskId}/claims`, headers: auth });
  expect(res.statusCode).toBe(201);
}

async function codeOf(auth: { authorization: string }) {
  const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/members/me/pioneer-code', headers: auth });
  return res.json() as { token: string; url: string };
}

const verify = (token: string, auth: { authorization: string }) =>
  ctx.app.inject({ method: 'POST', url: '/api/v1/pioneer-codes/verify', headers: auth, payload: { token } });

it("lists today's live claims on the verifier's own posts, each with its state and check-in opening", async () => {
  const world = await makeWorld(ctx.database.db);
  const other = await makeWorld(ctx.database.db);
  const sec = await makeSecretary(ctx, world.community.id, 'vc-sec');
  const otherSec = await makeSecretary(ctx, other.community.id, 'vc-other-sec');
  const admin = await ctx.signIn('vc-admin');
  await ctx.grant(admin.userId, 'city_admin', null);
  const member = await registerMember(ctx, 'vc-member', world);

  const morning = await publishTask(ctx, sec.auth, world.community.id, { title: '上午岗', startsAt: at(1), endsAt: at(3) });
  const evening = await publishTask(ctx, sec.auth, world.community.id, { title: '晚间岗', startsAt: at(10), endsAt: at(12) });
  const tomorrow = await publishTask(ctx, sec.auth, world.community.id, { title: '明日岗', startsAt: at(25), endsAt: at(27) });
  const dropped = await publishTask(ctx, sec.auth, world.community.id, { title: '已取消报名', startsAt: at(2), endsAt: at(4) });
  const unclaimed = await publishTask(ctx, sec.auth, world.community.id, { title: '未报名', startsAt: at(2), endsAt: at(4) });
  const elsewhere = await publishTask(ctx, otherSec.auth, other.community.id, { title: '外社区岗', startsAt: at(5), endsAt: at(6) });
  for (const t of [evening, morning, tomorrow, dropped, elsewhere]) await claim(t.id, member.auth);
  const cancel = await ctx.app.inject({ method: 'DELETE', url: `/api/v1/tasks/${dropped.id}/claims/me`, headers: member.auth });
  expect(cancel.statusCode).toBe(200);
  expect(unclaimed.id).toBeTruthy();

  const { token } = await codeOf(member.auth);
  const res = await verify(token, sec.auth);
  expect(res.statusCode).toBe(200);
  expect(res.json().claims).toEqual([
    { taskId: morning.id, title: '上午岗', startsAt: at(1), endsAt: at(3), status: 'claimed', checkInOpensAt: at(0.5), checkedInAt: null },
    {
      taskId: evening.id,
      title: '晚间岗',
      startsAt: at(10),
      endsAt: at(12),
      status: 'claimed',
      checkInOpensAt: at(9.5),
      checkedInAt: null,
    },
  ]);

  // The other community's secretary sees only its own post; the city admin sees all of today's.
  expect((await verify(token, otherSec.auth)).json().claims.map((c: { title: string }) => c.title)).toEqual(['外社区岗']);
  expect((await verify(token, admin.auth)).json().claims.map((c: { title: string }) => c.title)).toEqual(['上午岗', '外社区岗', '晚间岗']);

  // Checked in with the scanned link: the next scan shows the new state.
  ctx.clock.set(MORNING + 0.75 * H);
  const { url } = await codeOf(member.auth);
  const checkIn = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/tasks/${morning.id}/check-ins`,
    headers: sec.auth,
    payload: { token: url },
  });
  expect(checkIn.statusCode).toBe(200);
  const after = await verify(url, sec.auth);
  expect(after.json().claims.map((c: { title: string; status: string }) => [c.title, c.status])).toEqual([
    ['上午岗', 'checked_in'],
    ['晚间岗', 'claimed'],
  ]);
  // The time of 签到 comes with it: the verify page asks before a 签退 that would record under 10 minutes.
  expect(after.json().claims[0].checkedInAt).toBe(new Date(MORNING + 0.75 * H).toISOString());
});

it('uses the calendar day of the city: just before its midnight, the posts of the next day are not listed', async () => {
  const world = await makeWorld(ctx.database.db);
  const sec = await makeSecretary(ctx, world.community.id, 'vc2-sec');
  const member = await registerMember(ctx, 'vc2-member', world);
  // 23:30 in Changshu (15:30 UTC); a post at 00:30 the next day.
  const lateNight = MORNING + 14.5 * H;
  ctx.clock.set(lateNight - 3 * H);
  const next = await publishTask(ctx, sec.auth, world.community.id, {
    title: '次日凌晨岗',
    startsAt: new Date(lateNight + H).toISOString(),
    endsAt: new Date(lateNight + 2 * H).toISOString(),
  });
  const tonight = await publishTask(ctx, sec.auth, world.community.id, {
    title: '今晚岗',
    startsAt: new Date(lateNight - H).toISOString(),
    endsAt: new Date(lateNight + 0.25 * H).toISOString(),
  });
  await claim(next.id, member.auth);
  await claim(tonight.id, member.auth);
  ctx.clock.set(lateNight);
  const res = await verify((await codeOf(member.auth)).token, sec.auth);
  expect(res.json().claims.map((c: { title: string }) => c.title)).toEqual(['今晚岗']);
});
