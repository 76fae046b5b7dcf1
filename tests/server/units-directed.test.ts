import type { Project } from '@pioneer/shared';
import { makeUnitOrg } from '../helpers/fixtures';
import { insertMembers, publishTask, slotState, type FixtureMember } from '../helpers/task-fixtures';
import { startTwoProcesses, type TwoProcesses } from '../helpers/two-processes';

// Real time throughout: the second process runs on the system clock.
let harness: TwoProcesses;
let inUnit: FixtureMember[];
let others: FixtureMember[];
let otherUnit: { id: string };
let unitAdmin: { authorization: string };
let otherAdmin: { authorization: string };
let project: Project;

const api = (method: 'GET' | 'POST', url: string, auth: { authorization: string }, payload?: unknown) =>
  harness.ctx.app.inject({ method, url: `/api/v1${url}`, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86400_000).toISOString().slice(0, 10);

async function claimProject(auth: { authorization: string }, unitOrgId: string, title: string): Promise<Project> {
  const { world, secretary } = harness;
  const need = await api('POST', '/needs', secretary, {
    communityOrgId: world.community.id,
    title,
    category: 'care',
    description: '需要单位党员参与',
  });
  expect(need.statusCode).toBe(201);
  const claimed = await api('POST', `/needs/${need.json().need.id}/claim`, auth, {
    unitOrgId,
    plan: '派党员参与',
    startsOn: day(0),
    endsOn: day(30),
  });
  expect(claimed.statusCode).toBe(201);
  return claimed.json().project;
}

beforeAll(async () => {
  harness = await startTwoProcesses('dir', 1000);
  const { ctx, world, secretary } = harness;
  inUnit = harness.members;
  otherUnit = await makeUnitOrg(ctx.database.db, world.district.id);
  others = await insertMembers(ctx, { ...world, unitOrg: otherUnit }, 1000, 'dirout');
  const admin = await ctx.signIn('dir-unit-admin');
  await ctx.grant(admin.userId, 'unit_admin', world.unitOrg.id);
  unitAdmin = admin.auth;
  const admin2 = await ctx.signIn('dir-other-admin');
  await ctx.grant(admin2.userId, 'unit_admin', otherUnit.id);
  otherAdmin = admin2.auth;
  for (const [auth, unitOrgId] of [
    [unitAdmin, world.unitOrg.id],
    [otherAdmin, otherUnit.id],
  ] as const) {
    const a = await api('POST', '/agreements', auth, {
      unitOrgId,
      communityOrgId: world.community.id,
      startsOn: day(0),
      endsOn: day(365),
      commitments: '党员到社区报到服务',
      contactName: '王联络',
      contactPhone: '13800001111',
    });
    expect((await api('POST', `/agreements/${a.json().agreement.id}/accept`, secretary, {})).statusCode).toBe(200);
  }
  project = await claimProject(unitAdmin, world.unitOrg.id, '社区助老定向服务');
});
afterAll(async () => harness?.close());

describe('directed posts (定向岗位)', () => {
  test('the unit admin publishes one for its project; the first post makes the project in_progress; others may not', async () => {
    const { ctx, world, secretary } = harness;
    expect(project.status).toBe('claimed');
    const noProject = await api('POST', '/tasks', unitAdmin, { ...body(world.community.id), audience: 'unit' });
    expect(noProject.statusCode).toBe(400);
    const notOurs = await api('POST', '/tasks', otherAdmin, { ...body(world.community.id), projectId: project.id, audience: 'unit' });
    expect(notOurs.statusCode).toBe(403);
    const plain = await api('POST', '/tasks', unitAdmin, body(world.community.id));
    expect(plain.statusCode).toBe(403);
    const task = await publishTask(ctx, unitAdmin, world.community.id, { projectId: project.id, audience: 'unit', capacity: 2 });
    expect(task).toMatchObject({ projectId: project.id, audience: 'unit', audienceUnit: { id: world.unitOrg.id } });
    expect(task.audienceUnit!.name.length).toBeGreaterThan(0);
    const detail = await api('GET', `/projects/${project.id}`, secretary);
    expect(detail.json().project.status).toBe('in_progress');
    expect(detail.json().tasks).toEqual([expect.objectContaining({ id: task.id, audience: 'unit' })]);
    expect(detail.json().events.map((e: { action: string }) => e.action)).toEqual(['claim', 'start']);
    // The secretary may add an open post to the project; the project stays in progress.
    const open = await publishTask(ctx, secretary, world.community.id, { projectId: project.id });
    expect(open.audience).toBe('community');

    // Members: in-unit grabs, the other unit's member is told why not, on the claim and the waitlist.
    const outsider = await api('POST', `/tasks/${task.id}/claims`, others[0].auth);
    expect([outsider.statusCode, outsider.json().code]).toEqual([403, 'NOT_IN_AUDIENCE']);
    expect((await api('POST', `/tasks/${task.id}/claims`, inUnit[0].auth)).statusCode).toBe(201);
    expect((await api('POST', `/tasks/${task.id}/claims`, inUnit[1].auth)).statusCode).toBe(201);
    const wait = await api('POST', `/tasks/${task.id}/waitlist`, others[1].auth);
    expect([wait.statusCode, wait.json().code]).toEqual([403, 'NOT_IN_AUDIENCE']);
    expect((await api('POST', `/tasks/${task.id}/waitlist`, inUnit[2].auth)).statusCode).toBe(201);
    const seen = await api('GET', `/tasks/${task.id}`, others[2].auth);
    expect(seen.json().task).toMatchObject({ audience: 'unit', audienceUnit: { id: world.unitOrg.id } });

    // Once delivered, no more posts.
    expect((await api('POST', `/projects/${project.id}/deliver`, unitAdmin, { summary: '已完成' })).statusCode).toBe(200);
    const late = await api('POST', '/tasks', unitAdmin, { ...body(world.community.id), projectId: project.id, audience: 'unit' });
    expect([late.statusCode, late.json().code]).toEqual([409, 'INVALID_TRANSITION']);
  });

  test('a burst of 1,000 in-unit and 1,000 other members on 20 slots, across two processes: 20 winners, all in-unit', async () => {
    const { ctx, world, local, remote } = harness;
    const p = await claimProject(unitAdmin, world.unitOrg.id, '定向抢岗压测');
    const task = await publishTask(ctx, unitAdmin, world.community.id, { projectId: p.id, audience: 'unit', capacity: 20 });
    // Interleaved so both kinds reach both processes while slots are free.
    const crowd = inUnit.flatMap((m, i) => [m, others[i]]);
    const answers = await Promise.all(
      crowd.map((m, i) => (i % 4 < 2 ? local : remote).request('POST', `/api/v1/tasks/${task.id}/claims`, { headers: m.auth })),
    );
    const tally: Record<string, number> = {};
    for (const a of answers) {
      const key = a.status === 201 ? '201' : `${a.status} ${a.body?.code}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    expect(tally['201']).toBe(20);
    // Outsiders decided in the same statements as the winners are told why, not "full".
    expect(tally['403 NOT_IN_AUDIENCE']).toBeGreaterThan(0);
    for (const k of Object.keys(tally)) expect(['201', '409 TASK_FULL', '403 NOT_IN_AUDIENCE']).toContain(k);
    const inIds = new Set(inUnit.map((m) => m.memberId));
    const winners = answers.filter((a) => a.status === 201).map((a) => a.body.claim.memberId as string);
    expect(new Set(winners).size).toBe(20);
    expect(winners.every((id) => inIds.has(id))).toBe(true);
    answers.forEach((a, i) => {
      if (i % 2 === 1) expect(a.status).not.toBe(201);
    });
    const state = await slotState(ctx, task.id);
    expect(state).toEqual(expect.objectContaining({ claimed: 20, live: 20 }));
    const rows = await ctx.database.pool.query(
      `select count(*)::int as n from claims c join members m on m.id = c.member_id
        where c.task_id = $1 and m.unit_org_id <> $2 and c.status not in ('cancelled', 'released')`,
      [task.id, world.unitOrg.id],
    );
    expect(rows.rows[0].n).toBe(0);
  });
});

function body(communityOrgId: string) {
  const start = Date.now() + 24 * 3600_000;
  return {
    communityOrgId,
    title: '定向服务岗',
    category: 'care',
    description: '',
    location: '社区服务中心',
    startsAt: new Date(start).toISOString(),
    endsAt: new Date(start + 2 * 3600_000).toISOString(),
    capacity: 5,
  };
}
