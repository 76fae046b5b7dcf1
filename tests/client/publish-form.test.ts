import { TaskCreateBodySchema } from '@pioneer/shared';
import { checkPublishForm, type PublishForm } from '@/utils/publish-form';

const COMMUNITY = '11111111-1111-4111-8111-111111111111';
const FILLED: PublishForm = {
  title: '周末垃圾分类督导',
  category: 'waste_sorting',
  description: '',
  location: '幸福小区东门',
  date: '2030-03-02',
  start: '09:00',
  end: '11:00',
  capacity: '10',
  openNow: true,
  openDate: '2030-03-01',
  openTime: '20:00',
  cutoff: '',
};

describe('the publish form checks with TaskCreateBodySchema', () => {
  it('turns a filled form into the body the server takes', () => {
    const checked = checkPublishForm(FILLED, COMMUNITY);
    expect(checked).toEqual({
      ok: true,
      body: expect.objectContaining({ communityOrgId: COMMUNITY, capacity: 10, title: '周末垃圾分类督导' }),
    });
    if (checked.ok) expect(TaskCreateBodySchema.safeParse(checked.body).success).toBe(true);
  });

  it('shows every wrong field at once, with bounds read from the schema', () => {
    const checked = checkPublishForm({ ...FILLED, title: '扫', category: '', location: ' ', capacity: '', cutoff: '99999' }, COMMUNITY);
    expect(checked).toEqual({
      ok: false,
      errors: {
        title: '请填写 2–60 字的岗位名称',
        category: '请选择岗位类别',
        location: '请填写服务地点（不超过 120 字）',
        capacity: '名额为 1–1000 的整数',
        cutoff: '请填写 0–10080 之间的分钟数',
      },
    });
  });

  it("follows the schema where it changes: the capacity bound is the schema's own", () => {
    const max = TaskCreateBodySchema.shape.capacity.maxValue!;
    expect(checkPublishForm({ ...FILLED, capacity: String(max) }, COMMUNITY).ok).toBe(true);
    expect(checkPublishForm({ ...FILLED, capacity: String(max + 1) }, COMMUNITY)).toMatchObject({
      ok: false,
      errors: { capacity: expect.stringContaining(String(max)) },
    });
    expect(checkPublishForm({ ...FILLED, capacity: '2.5' }, COMMUNITY).ok).toBe(false);
  });

  it("puts the rules between fields where the secretary fixes them, in the schema's words", () => {
    expect(checkPublishForm({ ...FILLED, end: '08:00' }, COMMUNITY)).toEqual({ ok: false, errors: { end: '结束时间必须晚于开始时间' } });
    expect(checkPublishForm({ ...FILLED, openNow: false, openDate: '2030-03-02', openTime: '12:00' }, COMMUNITY)).toEqual({
      ok: false,
      errors: { openDate: '开抢时间必须早于结束时间' },
    });
  });

  it('reports what no box can fix (a broken community id) apart from the fields', () => {
    expect(checkPublishForm(FILLED, 'not-an-id')).toEqual({ ok: false, errors: { form: expect.any(String) } });
  });
});
