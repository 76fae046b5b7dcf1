import { eventually } from '../helpers/fake-wechat';
import { makeWorld } from '../helpers/fixtures';
import { registerMember } from '../helpers/member-fixtures';
import { insertMembers, makeSecretary, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';
import { HOLDS, invariants, waitlistState } from '../helpers/waitlist-fixtures';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let sec: { authorization: string };
let otherSec: { authorization: string };
let members: FixtureMember[];

const MINUTE = 60_000;
const T0 = new Date('2030-05-01T00:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MINUTE).toISOString();

beforeAll(async () => {
  ctx = await createTestContext();
  ctx.clock.set(T0);
  world = await makeWorld(ctx.database.db);
  const other = await makeWorld(ctx.database.db);
  sec = (await makeSecretary(ctx, world.community.id, 'wl-sec')).auth;
  otherSec = (await makeSecretary(ctx, other.community.id, 'wl-sec-other')).auth;
  members = await insertMembers(ctx, world, 40, 'wl');
});
afterAll(async () => ctx?.close());
afterEach(() => ctx.clock.set(T0));

let next = 0;
const take = (n: number) => members.slice(next, (next += n));

const req = (method: 'GET' | 'POST' | 'DELETE', url: string, m: { authorization: string }, payload?: object) =>
  ctx.app.inject({ method, url: `/api/v1${url}`, headers: m, payload });
const claim = (taskId: string, m: { auth: { authorization: string } }) => req('POST', `/tasks/${taskId}/claims`, m.auth);
const join = (taskId: string, m: FixtureMember) => req('POST', `/tasks/${taskId}/waitlist`, m.auth);
const detail = async (taskId: string, m: { auth: { authorization: string } }) => (await req('GET', `/tasks/${taskId}`, m.auth)).json();

async function fullPost(capacity: number, overrides: Record<string, unknown> = {}) {
  const task = await publishTask(ctx, sec, world.community.id, { capacity, startsAt: at(24 * 60), endsAt: at(26 * 60), ...overrides });
  const holders = take(capacity);
  for (const h of holders) expect((await claim(task.id, h)).statusCode).toBe(201);
  return { task, holders };
}

describe('waitlist (候补)', () => {
  it('queues members on a full post with their position, and refuses what the contract refuses', async () => {
    const { task, holders } = await fullPost(2);
    const [c, d] = take(2);
    const first = await join(task.id, c);
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ entry: { taskId: task.id, position: 1, status: 'waiting', offerExpiresAt: null } });
    expect((await join(task.id, d)).json().entry.position).toBe(2);
    expect((await join(task.id, c)).json().code).toBe('ALREADY_WAITLISTED');
    expect((await join(task.id, holders[0])).json().code).toBe('ALREADY_CLAIMED');
    const d1 = await detail(task.id, d);
    expect(d1.myWaitlist).toEqual({ position: 2, status: 'waiting', offerExpiresAt: null });
    expect(d1.task).toEqual(expect.objectContaining({ waitlisted: 2, claimed: 2, remaining: 0 }));

    const open = await publishTask(ctx, sec, world.community.id, { capacity: 3 });
    const free = await join(open.id, c);
    expect([free.statusCode, free.json().code]).toEqual([409, 'CONFLICT']);

    // Leaving moves the others up.
    expect((await req('DELETE', `/tasks/${task.id}/waitlist/me`, c.auth)).json().entry).toEqual(
      expect.objectContaining({ status: 'left' }),
    );
    expect((await detail(task.id, d)).myWaitlist.position).toBe(1);
    expect((await req('DELETE', `/tasks/${task.id}/waitlist/me`, c.auth)).json().code).toBe('NOT_WAITLISTED');
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);
  });

  it('offers a freed slot to the head of the queue, held for it, and accepting makes it a claim', async () => {
    const { task, holders } = await fullPost(2);
    const [c, d, e] = take(3);
    await join(task.id, c);
    await join(task.id, d);
    const cancel = await req('DELETE', `/tasks/${task.id}/claims/me`, holders[0].auth);
    expect(cancel.json().claim.status).toBe('cancelled');
    const offer = (await detail(task.id, c)).myWaitlist;
    expect(offer).toEqual({ position: null, status: 'offered', offerExpiresAt: new Date(T0.getTime() + 30 * MINUTE).toISOString() });
    expect((await detail(task.id, d)).myWaitlist.position).toBe(1);
    // The held slot counts: nobody else can take it.
    expect((await detail(task.id, e)).task).toEqual(expect.objectContaining({ claimed: 2, remaining: 0 }));
    expect((await claim(task.id, e)).json().code).toBe('TASK_FULL');
    expect((await req('POST', `/tasks/${task.id}/waitlist/me/accept`, d.auth)).json().code).toBe('NOT_WAITLISTED');

    const accepted = await req('POST', `/tasks/${task.id}/waitlist/me/accept`, c.auth);
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json()).toEqual({ claim: expect.objectContaining({ memberId: c.memberId, status: 'claimed' }), remaining: 0 });
    const after = await detail(task.id, c);
    expect(after.myClaim.status).toBe('claimed');
    expect(after.myWaitlist).toEqual(expect.objectContaining({ status: 'accepted' }));
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);

    // A decline passes the slot on at once.
    await req('DELETE', `/tasks/${task.id}/claims/me`, holders[1].auth);
    expect((await detail(task.id, d)).myWaitlist.status).toBe('offered');
    expect((await join(task.id, e)).statusCode).toBe(201);
    const declined = await req('POST', `/tasks/${task.id}/waitlist/me/decline`, d.auth);
    expect(declined.json().entry).toEqual(expect.objectContaining({ status: 'declined' }));
    expect((await detail(task.id, e)).myWaitlist.status).toBe('offered');
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);
  });

  it('expires an offer by itself under a manual clock and moves on; accepting after that is 410', async () => {
    const { task, holders } = await fullPost(1, { offerMinutes: 10 });
    const [c, d] = take(2);
    await join(task.id, c);
    await join(task.id, d);
    await req('DELETE', `/tasks/${task.id}/claims/me`, holders[0].auth);
    expect((await detail(task.id, c)).myWaitlist.status).toBe('offered');
    ctx.clock.set(T0.getTime() + 10 * MINUTE);
    // Nobody calls anything: the app's own job (a timer, on the manual clock) expires it.
    await eventually(async () => (await detail(task.id, d)).myWaitlist.status === 'offered');
    expect((await detail(task.id, c)).myWaitlist.status).toBe('expired');
    const late = await req('POST', `/tasks/${task.id}/waitlist/me/accept`, c.auth);
    expect([late.statusCode, late.json().code]).toEqual([410, 'OFFER_EXPIRED']);
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);

    // Accepting past the deadline before any job ran: 410, and the offer moves on in that same request.
    const [e] = take(1);
    await join(task.id, e);
    ctx.clock.set(T0.getTime() + 20 * MINUTE);
    const tooLate = await req('POST', `/tasks/${task.id}/waitlist/me/accept`, d.auth);
    expect([tooLate.statusCode, tooLate.json().code]).toEqual([410, 'OFFER_EXPIRED']);
    expect((await detail(task.id, e)).myWaitlist.status).toBe('offered');
    // With nobody waiting, an expired offer gives the slot back to the pool.
    ctx.clock.set(T0.getTime() + 40 * MINUTE);
    await ctx.app.claimJobs.tick();
    expect((await detail(task.id, e)).task).toEqual(expect.objectContaining({ claimed: 0, remaining: 1, waitlisted: 0 }));
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);
  });

  it('never holds an offer past the cancellation cutoff, and inside it gives the slot straight to the head', async () => {
    // Starts in 3 h, cutoff 60 min: an offer made 150 min before the start may last only 90 min.
    const { task, holders } = await fullPost(2, { startsAt: at(180), endsAt: at(240), cancelCutoffMinutes: 60, offerMinutes: 120 });
    const [c, d] = take(2);
    await join(task.id, c);
    await join(task.id, d);
    ctx.clock.set(T0.getTime() + 30 * MINUTE);
    await req('DELETE', `/tasks/${task.id}/claims/me`, holders[0].auth);
    expect((await detail(task.id, c)).myWaitlist.offerExpiresAt).toBe(at(120));
    // Inside the cutoff: the secretary releases a claim, the next in line gets it outright.
    ctx.clock.set(T0.getTime() + 130 * MINUTE);
    const list = (await req('GET', `/tasks/${task.id}/claims`, sec)).json().items as Array<{ claim: { id: string; memberId: string } }>;
    const target = list.find((i) => i.claim.memberId === holders[1].memberId)!;
    const released = await req('DELETE', `/tasks/${task.id}/claims/${target.claim.id}`, sec, { reason: '临时有事' });
    expect(released.json().claim.status).toBe('released');
    // c's offer expired at the cutoff (the job or the release's own pass), d was promoted.
    await ctx.app.claimJobs.tick();
    const promoted = await detail(task.id, d);
    expect(promoted.myClaim).toEqual(expect.objectContaining({ status: 'claimed', promoted: true }));
    expect(promoted.myWaitlist.status).toBe('promoted');
    // A promoted claim can be cancelled inside the cutoff.
    expect((await req('DELETE', `/tasks/${task.id}/claims/me`, d.auth)).json().claim.status).toBe('cancelled');
    expect(invariants(await waitlistState(ctx, task.id))).toEqual(HOLDS);
  });

  it("lets only the post's secretary release or excuse, checking the role before the body", async () => {
    const { task, holders } = await fullPost(1);
    const claimId = (await detail(task.id, holders[0])).myClaim.id;
    const asMember = await req('DELETE', `/tasks/${task.id}/claims/${claimId}`, holders[0].auth, {});
    expect([asMember.statusCode, asMember.json().code]).toEqual([403, 'FORBIDDEN']);
    const noToken = await ctx.app.inject({ method: 'POST', url: `/api/v1/tasks/${task.id}/claims/${claimId}/excuse`, payload: {} });
    expect(noToken.statusCode).toBe(401);
    const foreign = await req('DELETE', `/tasks/${task.id}/claims/${claimId}`, otherSec, { reason: '外社区' });
    expect(foreign.statusCode).toBe(403);
    const noReason = await req('DELETE', `/tasks/${task.id}/claims/${claimId}`, sec, { reason: '' });
    expect([noReason.statusCode, noReason.json().code]).toEqual([400, 'VALIDATION_FAILED']);
    const nul = await req('DELETE', `/tasks/${task.id}/claims/${claimId}`, sec, { reason: 'a\u0000b' });
    expect(nul.statusCode).toBe(400);
    const notNoShow = await req('POST', `/tasks/${task.id}/claims/${claimId}/excuse`, sec, { reason: '生病' });
    expect([notNoShow.statusCode, notNoShow.json().code]).toEqual([409, 'CONFLICT']);
    const ok = await req('DELETE', `/tasks/${task.id}/claims/${claimId}`, sec, { reason: '岗位调整' });
    expect(ok.json().claim.status).toBe('released');
    expect((await detail(task.id, holders[0])).task.remaining).toBe(1);
  });
});

describe('no-show policy', () => {
  /** Posts of the member that end in the past, each a no-show. */
  async function noShows(m: { auth: { authorization: string } }, count: number, startMinutes: number) {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const s = startMinutes + i * 120;
      ctx.clock.set(T0.getTime() + (s - 60) * MINUTE);
      const task = await publishTask(ctx, sec, world.community.id, { capacity: 3, startsAt: at(s), endsAt: at(s + 60) });
      expect((await claim(task.id, m)).statusCode).toBe(201);
      ids.push(task.id);
    }
    return ids;
  }

  it('suspends after the limit with GRAB_SUSPENDED and its end date, lifted by an excuse or by time', async () => {
    // Registered through the real endpoint: GET /members/me decrypts the phone.
    const [m, n] = await Promise.all(['ns-a', 'ns-b'].map((name) => registerMember(ctx, name, world)));
    const posts = await noShows(m, 3, 60);
    const lastEnd = T0.getTime() + (60 + 240 + 60) * MINUTE;
    ctx.clock.set(lastEnd + MINUTE);
    await ctx.app.claimJobs.tick();
    const me = (await req('GET', '/members/me', m.auth)).json();
    const until = new Date(lastEnd + 14 * 24 * 60 * MINUTE).toISOString();
    expect(me.standing).toEqual({ noShows: 3, suspendedUntil: until });

    const next = await publishTask(ctx, sec, world.community.id, { capacity: 3, startsAt: at(2000), endsAt: at(2060) });
    const refused = await claim(next.id, m);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual(expect.objectContaining({ code: 'GRAB_SUSPENDED', details: [{ path: 'until', reason: until }] }));
    const entry = await req('POST', `/tasks/${next.id}/entries`, m.auth, { nonce: 'n'.repeat(20) });
    expect(entry.statusCode).toBe(409); // not a draw post; the draw test covers a suspended entrant

    // The secretary excuses one: below the limit, grabbing again.
    const claimId = (await detail(posts[1], m)).myClaim.id;
    const excused = await req('POST', `/tasks/${posts[1]}/claims/${claimId}/excuse`, sec, { reason: '突发疾病' });
    expect(excused.json().claim).toEqual(expect.objectContaining({ status: 'no_show', excused: true }));
    expect((await req('GET', '/members/me', m.auth)).json().standing).toEqual({ noShows: 2, suspendedUntil: null });
    expect((await claim(next.id, m)).statusCode).toBe(201);

    // Another member sits the suspension out.
    await noShows(n, 3, 60);
    ctx.clock.set(lastEnd + MINUTE);
    await ctx.app.claimJobs.tick();
    expect((await claim(next.id, n)).json().code).toBe('GRAB_SUSPENDED');
    ctx.clock.set(lastEnd + 14 * 24 * 60 * MINUTE + MINUTE);
    const later = await publishTask(ctx, sec, world.community.id, { capacity: 3 });
    expect((await claim(later.id, n)).statusCode).toBe(201);
    // Served: the three still show within the window, but they do not suspend again.
    expect((await req('GET', '/members/me', n.auth)).json().standing).toEqual({ noShows: 3, suspendedUntil: null });
  });
});
