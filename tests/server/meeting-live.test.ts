import WebSocket from 'ws';
import { LiveServerMessageSchema, type Meeting } from '@pioneer/shared';
import { makeCommunity, makeDistrict, makeUnitOrg } from '../helpers/fixtures';
import { listen } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

/**
 * The convener's check-in screen hears each attendance over the live socket (`watch-meeting`):
 * a check-in publishes it once, to those who may read the meeting only.
 */

const HOUR = 3600_000;
type Who = { token: string; auth: { authorization: string } };

let ctx: TestContext;
let baseUrl: string;
let unit: { id: string; name?: string };
let as: Record<'convener' | 'liaison' | 'outsider', Who>;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  const db = ctx.database.db;
  const district = await makeDistrict(db);
  const community = await makeCommunity(db, district.id);
  unit = await makeUnitOrg(db, district.id);
  const other = await makeUnitOrg(db, district.id);
  const user = async (name: string, role: 'secretary' | 'unit_liaison', orgId: string) => {
    const s = await ctx.signIn(name);
    await ctx.grant(s.userId, role, orgId);
    return { token: s.token, auth: s.auth };
  };
  as = {
    convener: await user('ml_sec', 'secretary', community.id),
    liaison: await user('ml_lia', 'unit_liaison', unit.id),
    outsider: await user('ml_out', 'unit_liaison', other.id),
  };
  baseUrl = await listen(ctx);
});
afterAll(async () => {
  for (const s of sockets) s.terminate();
  await ctx?.close();
});

/** A live socket that keeps what it hears; `until` waits for a message (no fixed sleeps). */
async function watcher(token: string) {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/v1/live?token=${encodeURIComponent(token)}`);
  sockets.push(ws);
  const messages: any[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()));
    waiters.splice(0).forEach((w) => w());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  // Wakes on every frame; the timer only turns a frame that never comes into a readable failure.
  const until = async (test: (m: any) => boolean, what: string) => {
    let gaveUp = false;
    const guard = setTimeout(() => {
      gaveUp = true;
      waiters.splice(0).forEach((w) => w());
    }, 20_000);
    try {
      for (;;) {
        const found = messages.find(test);
        if (found) return found;
        if (gaveUp) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(messages)}`);
        await new Promise<void>((r) => waiters.push(r));
      }
    } finally {
      clearTimeout(guard);
    }
  };
  return { messages, send: (body: unknown) => ws.send(JSON.stringify(body)), until };
}

const NO_MEETING = '00000000-0000-4000-8000-000000000000';

/**
 * Watches a meeting and waits until the server handled it: messages are handled in order, so the
 * refusal of an unknown meeting sent right after it comes back only once the watch is in place.
 */
async function watch(w: Awaited<ReturnType<typeof watcher>>, meetingId: string) {
  const refusals = () => w.messages.filter((x) => x.type === 'error' && x.code === 'NOT_FOUND').length;
  const before = refusals();
  w.send({ type: 'watch-meeting', meetingId });
  w.send({ type: 'watch-meeting', meetingId: NO_MEETING });
  await w.until(() => refusals() >= before + 1 + (meetingId === NO_MEETING ? 1 : 0), 'the watch handled');
}

const api = (method: 'GET' | 'POST', url: string, who: Who, payload?: unknown) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: who.auth, ...(payload === undefined ? {} : { payload: payload as object }) });

test('a check-in is pushed once to the watchers of the meeting, and to nobody who may not read it', async () => {
  const created = await api('POST', '/meetings', as.convener, {
    kind: 'coordination',
    title: '世茂商圈停车协调会',
    startsAt: new Date(ctx.clock.now().getTime() + 24 * HOUR).toISOString(),
    location: '街道党群服务中心三楼',
    agenda: [{ title: '明确责任分工' }],
    invitedOrgIds: [unit.id],
  });
  expect(created.statusCode).toBe(201);
  const m: Meeting = created.json().meeting;
  const { token } = (await api('GET', `/meetings/${m.id}/checkin`, as.convener)).json();

  const screen = await watcher(as.convener.token);
  await watch(screen, m.id);
  expect(screen.messages.filter((x) => x.type === 'error')).toHaveLength(1);
  const stranger = await watcher(as.outsider.token);
  stranger.send({ type: 'watch-meeting', meetingId: m.id });
  expect(await stranger.until((x) => x.type === 'error', 'the refusal')).toMatchObject({ code: 'NOT_FOUND' });

  ctx.clock.set(Date.parse(m.startsAt) - 10 * 60_000);
  const first = await api('POST', `/meetings/${m.id}/attendance`, as.liaison, { token });
  expect(first.statusCode).toBe(201);
  const pushed = await screen.until((x) => x.type === 'attendance', 'the attendance');
  expect(LiveServerMessageSchema.safeParse(pushed).success).toBe(true);
  expect(pushed).toEqual({
    type: 'attendance',
    meetingId: m.id,
    attendance: { org: { id: unit.id, name: expect.any(String) }, role: 'unit_liaison', at: first.json().attendance.at },
    count: 1,
  });
  // No name or user id of the person travels.
  expect(JSON.stringify(pushed)).not.toContain('ml_lia');

  // Scanning again records nothing new and publishes nothing; a later event on the same socket proves
  // that nothing was queued in between.
  expect((await api('POST', `/meetings/${m.id}/attendance`, as.liaison, { token })).statusCode).toBe(200);
  const second = await api('POST', '/meetings', as.convener, {
    kind: 'coordination',
    title: '第二场协调会',
    startsAt: new Date(ctx.clock.now().getTime() + 30 * 60_000).toISOString(),
    location: '社区议事厅',
    agenda: [{ title: '通报情况' }],
    invitedOrgIds: [unit.id],
  });
  expect(second.statusCode).toBe(201);
  const m2: Meeting = second.json().meeting;
  await watch(screen, m2.id);
  const token2 = (await api('GET', `/meetings/${m2.id}/checkin`, as.convener)).json().token;
  expect((await api('POST', `/meetings/${m2.id}/attendance`, as.liaison, { token: token2 })).statusCode).toBe(201);
  await screen.until((x) => x.type === 'attendance' && x.meetingId === m2.id, 'the second meeting');
  expect(screen.messages.filter((x) => x.type === 'attendance').map((x) => [x.meetingId, x.count])).toEqual([
    [m.id, 1],
    [m2.id, 1],
  ]);
  expect(stranger.messages.filter((x) => x.type === 'attendance')).toEqual([]);
});
