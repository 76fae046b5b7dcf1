import { makeStaff, makeWorld } from '../helpers/fixtures';
import { insertMembers, publishTask, taskBody } from '../helpers/task-fixtures';
import { createTestContext, type TestContext } from '../helpers/test-app';

let ctx: TestContext;
let world: Awaited<ReturnType<typeof makeWorld>>;
let staff: Awaited<ReturnType<typeof makeStaff>>;
let member: { authorization: string };

beforeAll(async () => {
  ctx = await createTestContext();
  world = await makeWorld(ctx.database.db);
  staff = await makeStaff(ctx, 'tc', { districtId: world.district.id, communityId: world.community.id });
  member = (await insertMembers(ctx, world, 1, 'tc'))[0].auth;
});
afterAll(async () => ctx?.close());

const post = (url: string, auth: { authorization: string }, payload: object) =>
  ctx.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: auth, payload });

describe('a post’s contact person and phone (联系人、联系电话)', () => {
  it('are published with the post, shown to members on its detail, edited and cleared by its secretary', async () => {
    const task = await publishTask(ctx, staff.secretary, world.community.id, { contactName: '王书记', contactPhone: '0512-52345678' });
    expect(task).toMatchObject({ contactName: '王书记', contactPhone: '0512-52345678' });
    const seen = (await ctx.app.inject({ method: 'GET', url: `/api/v1/tasks/${task.id}`, headers: member })).json();
    expect(seen.task).toMatchObject({ contactName: '王书记', contactPhone: '0512-52345678' });

    const edited = await post(`/tasks/${task.id}/edit`, staff.secretary, { contactPhone: '13912345678' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json().task).toMatchObject({ contactName: '王书记', contactPhone: '13912345678' });
    const cleared = await post(`/tasks/${task.id}/edit`, staff.secretary, { contactName: '', contactPhone: '' });
    expect(cleared.json().task).toMatchObject({ contactName: null, contactPhone: null });

    const plain = await publishTask(ctx, staff.secretary, world.community.id);
    expect(plain).toMatchObject({ contactName: null, contactPhone: null });
  });

  it('refuses a phone that is neither a mobile nor a landline with its area code: 400 in the contract shape', async () => {
    for (const contactPhone of ['12345', '2345678901', '138001380001', '0512-123', 'abc']) {
      const res = await post('/tasks', staff.secretary, taskBody(ctx, world.community.id, { contactPhone }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'contactPhone' })] });
    }
    const long = await post('/tasks', staff.secretary, taskBody(ctx, world.community.id, { contactName: '名'.repeat(31) }));
    expect(long.json()).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'contactName' })] });
    const task = await publishTask(ctx, staff.secretary, world.community.id);
    const bad = await post(`/tasks/${task.id}/edit`, staff.secretary, { contactPhone: '110' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details[0].path).toBe('contactPhone');
  });
});
