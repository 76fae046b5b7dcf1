import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { commitmentOf, sha256, verifyDraw, type PublishedDraw } from '../../server/src/modules/waitlist/draw';
import { makeStaff } from '../helpers/fixtures';
import { insertMembers, publishTask, type FixtureMember } from '../helpers/task-fixtures';
import { startTwoProcesses, type TwoProcesses } from '../helpers/two-processes';

jest.setTimeout(240_000);

const ROOT = path.resolve(__dirname, '..', '..');
let tp: TwoProcesses;

beforeAll(async () => {
  tp = await startTwoProcesses('draw', 500);
});
afterAll(async () => tp?.close());

async function verifyCli(draw: unknown): Promise<{ code: number; out: string }> {
  const file = path.join(os.tmpdir(), `draw-${randomBytes(6).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(draw));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'server/scripts/verify-draw.ts', file], {
      cwd: ROOT,
    });
    return { code: 0, out: stdout };
  } catch (e) {
    const err = e as { code: number; stdout: string };
    return { code: err.code, out: err.stdout };
  }
}

describe('fair draw (抽签)', () => {
  it('runs exactly once at drawAt, entries through two processes: 20 winners, 480 waiting in draw order, verifiable', async () => {
    const { ctx, members } = tp;
    const via = (i: number) => (i % 2 ? tp.local : tp.remote);
    // The second process runs on the real clock: the draw is due an hour from now, so its own job
    // leaves it alone and the draw is driven here by hand, on this process's manual clock.
    const drawAt = Date.now() + 3600_000;
    ctx.clock.set(Date.now());
    const task = await publishTask(ctx, tp.secretary, tp.world.community.id, {
      capacity: 20,
      allocation: 'draw',
      drawAt: new Date(drawAt).toISOString(),
    });
    expect(task).toEqual(expect.objectContaining({ allocation: 'draw', entered: 0, drawnAt: null }));
    expect(task.drawCommitment).toMatch(/^[0-9a-f]{64}$/);
    const t = `/api/v1/tasks/${task.id}`;

    const early = await tp.local.request('POST', `${t}/claims`, { headers: members[0].auth });
    expect(early.body.code).toBe('CLAIM_NOT_OPEN');
    const nonces = members.map(() => randomBytes(12).toString('hex'));
    const entered = await Promise.all(
      members.map((m, i) => via(i).request('POST', `${t}/entries`, { headers: m.auth, body: { nonce: nonces[i] } })),
    );
    expect(entered.map((a) => a.status)).toEqual(members.map(() => 201));
    // The ticket is the member's own: the app recomputes it from its nonce.
    entered.forEach((a, i) =>
      expect(a.body.entry).toEqual({
        taskId: task.id,
        status: 'entered',
        ticket: sha256(`${task.id}:${members[i].memberId}:${nonces[i]}`).slice(0, 16),
      }),
    );
    const again = await tp.remote.request('POST', `${t}/entries`, { headers: members[0].auth, body: { nonce: 'x'.repeat(16) } });
    expect([again.status, again.body.code]).toEqual([409, 'CONFLICT']);
    const badNonce = await tp.remote.request('POST', `${t}/entries`, { headers: members[0].auth, body: { nonce: 'short' } });
    expect(badNonce.status).toBe(400);

    const open = await tp.local.request('GET', `${t}/draw`, { headers: members[1].auth });
    expect(open.body).toEqual(expect.objectContaining({ status: 'open', entered: 500, drawCommitment: task.drawCommitment }));
    expect(open.body.tickets).toHaveLength(500);
    expect(open.body.seed).toBeUndefined();
    const mine = await tp.remote.request('GET', t, { headers: members[3].auth });
    expect(mine.body.myEntry).toEqual(expect.objectContaining({ ticket: entered[3].body.entry.ticket, status: 'entered' }));
    expect(mine.body.task).toEqual(expect.objectContaining({ entered: 500 }));

    // At drawAt several jobs race for it at once (each on its own connection): one draws.
    ctx.clock.set(drawAt);
    const runs = await Promise.all([1, 2, 3].map(() => ctx.app.claimJobs.tick({ settle: false })));
    // The other process reads the published draw from the database.
    const drawn = await tp.remote.request('GET', `${t}/draw`, { headers: members[1].auth });
    expect(drawn.body.status).toBe('drawn');
    expect(runs.reduce((n, r) => n + r.drawn, 0)).toBeLessThanOrEqual(1);
    const late = await tp.local.request('POST', `${t}/entries`, { headers: members[0].auth, body: { nonce: 'y'.repeat(16) } });
    expect(late.body.code).toBe('DRAW_CLOSED');

    const d = drawn.body as PublishedDraw & { tickets: Array<{ ticket: string; rank: number; won: boolean }> };
    expect(d.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(commitmentOf(d.seed!)).toBe(task.drawCommitment);
    expect(d.tickets.map((x) => x.rank)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(d.tickets.filter((x) => x.won)).toHaveLength(20);
    expect(verifyDraw(d)).toEqual({ holds: true, problems: [] });

    // Exactly one draw: 20 claims, 480 waiting, in rank order.
    const { rows } = await ctx.database.pool.query(
      `select (select count(*)::int from claims where task_id = $1 and status = 'claimed') as claims,
              (select claimed from tasks where id = $1) as claimed,
              (select count(*)::int from waitlist_entries where task_id = $1 and status = 'waiting') as waiting,
              (select count(*)::int from draw_entries where task_id = $1 and status = 'won') as won`,
      [task.id],
    );
    expect(rows[0]).toEqual({ claims: 20, claimed: 20, waiting: 480, won: 20 });
    const ticketOf = new Map(entered.map((a, i) => [members[i].memberId, a.body.entry.ticket as string]));
    const { rows: queue } = await ctx.database.pool.query(
      `select member_id from waitlist_entries where task_id = $1 and status = 'waiting' order by ord, coalesce(draw_rank, 0), id`,
      [task.id],
    );
    expect(queue.map((r) => ticketOf.get(r.member_id))).toEqual(d.tickets.slice(20).map((x) => x.ticket));
    // Each entrant sees its result and, for the waitlist, its place.
    const loserIndex = members.findIndex((m) => ticketOf.get(m.memberId) === d.tickets[25].ticket);
    const loser = await tp.local.request('GET', t, { headers: members[loserIndex].auth });
    expect(loser.body.myEntry).toEqual({ ticket: d.tickets[25].ticket, status: 'lost', rank: 26 });
    expect(loser.body.myWaitlist).toEqual({ position: 6, status: 'waiting', offerExpiresAt: null });

    // verify-draw, from a file: holds; one rank, the seed or one ticket altered: does not hold.
    expect(await verifyCli(d)).toEqual({ code: 0, out: expect.stringMatching(/^holds/) });
    const swapped = { ...d, tickets: d.tickets.map((x, i) => (i === 3 ? { ...x, rank: 5 } : x)) };
    const otherSeed = { ...d, seed: 'f'.repeat(64) };
    const otherTicket = { ...d, tickets: d.tickets.map((x, i) => (i === 7 ? { ...x, ticket: '0123456789abcdef' } : x)) };
    for (const altered of [swapped, otherSeed, otherTicket]) {
      expect(verifyDraw(altered).holds).toBe(false);
      const cli = await verifyCli(altered);
      expect(cli.code).toBe(1);
      expect(cli.out).toMatch(/^does not hold/);
    }
  });

  it('shows holders only to the district admin, and the draw only to its community and staff', async () => {
    const { ctx } = tp;
    const staff = await makeStaff(ctx, 'drawstaff', { districtId: tp.world.district.id, communityId: tp.world.community.id });
    ctx.clock.set(Date.now());
    const task = await publishTask(ctx, tp.secretary, tp.world.community.id, {
      capacity: 2,
      allocation: 'draw',
      drawAt: new Date(Date.now() + 3600_000).toISOString(),
    });
    const m: FixtureMember = tp.members[0];
    await tp.local.request('POST', `/api/v1/tasks/${task.id}/entries`, { headers: m.auth, body: { nonce: 'z'.repeat(20) } });
    const audit = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/draw`, headers: staff.districtAdmin });
    expect(audit.json().tickets).toEqual([expect.objectContaining({ memberId: m.memberId })]);
    const asMember = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/draw`, headers: m.auth });
    expect(asMember.json().tickets[0].memberId).toBeUndefined();
    const stranger = await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/draw`, headers: staff.member });
    expect(stranger.statusCode).toBe(403);
    const [foreign] = await insertMembers(ctx, { ...tp.world, community: { id: tp.world.community.id } }, 1, 'drawx');
    expect((await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}/draw`, headers: foreign.auth })).statusCode).toBe(200);
    const withdrawn = await tp.remote.request('DELETE', `/api/v1/tasks/${task.id}/entries/me`, { headers: m.auth });
    expect(withdrawn.body.entry).toEqual(expect.objectContaining({ status: 'withdrawn' }));
    // A draw with fewer entrants than slots leaves the rest first-come after the draw.
    const bad = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/tasks',
      headers: tp.secretary,
      payload: {
        ...{ communityOrgId: tp.world.community.id, title: '抽签岗位', category: 'care', location: '社区', capacity: 2 },
        startsAt: new Date(Date.now() + 3600_000).toISOString(),
        endsAt: new Date(Date.now() + 7200_000).toISOString(),
        allocation: 'draw',
      },
    });
    expect([bad.statusCode, bad.json().details[0].path]).toEqual([400, 'drawAt']);
  });
});
