import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { formatMinutes, DEFAULT_STAR_THRESHOLDS, type Reward } from '@pioneer/shared';
import RedeemPanel from '@/staff/verify/redeem-panel';
import RecordPanel from '@/staff/claimants/record-panel';
import { ApiError } from '@/services/http';
import { listRewards, recordBySecretary, redeemReward } from '@/services/records';
import {
  approveMinutes,
  correctionBody,
  recordBody,
  recordDefaults,
  rulesForm,
  rulesFromForm,
  sealProblem,
  signedPoints,
  starView,
  toBase64,
} from '@/utils/records';

jest.mock('@/services/records', () => ({ listRewards: jest.fn(), redeemReward: jest.fn(), recordBySecretary: jest.fn() }));

const ORG = '33333333-3333-4333-8333-333333333333';
const TASK = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';

async function flush() {
  await act(async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  });
}

describe('service time, stars and points as the member sees them', () => {
  it('shows hours as 12小时30分', () => {
    expect(formatMinutes(750)).toBe('12小时30分');
    expect(formatMinutes(720)).toBe('12小时');
    expect(formatMinutes(45)).toBe('45分');
  });

  it('names the star level and the way to the next one', () => {
    expect(starView({ level: 1, hours: 150.5, nextLevelHours: 300 })).toEqual({
      label: '一星',
      percent: 50,
      next: '再服务 149小时30分 升至二星',
    });
    expect(starView({ level: 0, hours: 0, nextLevelHours: 100 }).label).toBe('未定级');
    expect(starView({ level: 5, hours: 1600, nextLevelHours: null })).toEqual({ label: '五星', percent: 100, next: '已达最高星级' });
  });

  it('signs ledger amounts as they moved the balance', () => {
    expect(signedPoints({ amount: 25 })).toBe('+25');
    expect(signedPoints({ amount: -30 })).toBe('-30');
  });
});

describe('申请更正/补录 form', () => {
  const now = Date.parse('2026-03-10T12:00:00+08:00');
  const draft = { kind: 'correct' as const, taskId: TASK, date: '2026-03-05', start: '09:00', end: '11:30', reason: '签退时手机没电' };

  it('builds the body in Beijing time', () => {
    const { body, errors } = correctionBody(draft, now);
    expect(errors).toEqual({});
    expect(body).toEqual({
      kind: 'correct',
      taskId: TASK,
      checkedInAt: '2026-03-05T09:00:00+08:00',
      checkedOutAt: '2026-03-05T03:30:00.000Z',
      reason: '签退时手机没电',
    });
  });

  it('reads an end before the start as past midnight, and refuses the future, a missing reason and no post', () => {
    const overnight = correctionBody({ ...draft, start: '22:00', end: '01:00' }, now).body!;
    expect(Date.parse(overnight.checkedOutAt) - Date.parse(overnight.checkedInAt)).toBe(3 * 3600_000);
    expect(correctionBody({ ...draft, date: '2026-03-10', start: '11:00', end: '13:00' }, now).errors.end).toBe('结束时间不能晚于现在');
    expect(correctionBody({ ...draft, reason: ' ' }, now).errors.reason).toMatch('请写明原因');
    expect(correctionBody({ ...draft, taskId: '' }, now).errors.taskId).toBe('请选择服务的岗位');
    expect(correctionBody({ ...draft, start: '' }, now).body).toBeUndefined();
  });

  it('takes the secretary’s other minutes as whole minutes up to 24 hours', () => {
    expect(approveMinutes('')).toEqual({});
    expect(approveMinutes(' 95 ')).toEqual({ minutes: 95 });
    expect(approveMinutes('1.5').error).toBe('请填写整数分钟');
    expect(approveMinutes('1441').error).toMatch('不能超过');
  });
});

describe('seal upload', () => {
  const png = (size: number) => {
    const b = new Uint8Array(size);
    b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    return b;
  };

  it('takes a PNG up to 200 KB and nothing else', () => {
    expect(sealProblem(png(1000))).toBeNull();
    expect(sealProblem(png(200 * 1024))).toBeNull();
    expect(sealProblem(png(200 * 1024 + 1))).toBe('印章图片不能超过 200 KB');
    expect(sealProblem(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0, 0, 0]))).toBe('印章须为 PNG 图片');
  });

  it('encodes base64 as the server decodes it', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 257]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});

describe('points rules form', () => {
  const rules = {
    pointsPerHour: 10,
    categoryMultipliers: { care: 1.5 },
    expiryMonths: 36,
    starThresholdsHours: [...DEFAULT_STAR_THRESHOLDS],
  };

  it('round-trips the rules, an empty expiry meaning never', () => {
    expect(rulesFromForm(rulesForm(rules)).rules).toEqual(rules);
    expect(rulesFromForm({ ...rulesForm(rules), expiryMonths: '' }).rules?.expiryMonths).toBeNull();
  });

  it('names the field that is wrong', () => {
    expect(rulesFromForm({ ...rulesForm(rules), pointsPerHour: 'x' }).error).toBe('每小时积分请填写整数');
    expect(rulesFromForm({ ...rulesForm(rules), thresholds: ['30', '60', '60', '200', '300'] }).error).toBe('星级门槛须逐级递增');
    expect(rulesFromForm({ ...rulesForm(rules), thresholds: ['0', '60', '100', '200', '300'] }).error).toBe('一星门槛须在 1–100000 之间');
  });
});

const reward = (patch: Partial<Reward> = {}): Reward => ({
  id: 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb',
  communityOrgId: ORG,
  name: '洗衣液',
  description: '',
  pointsCost: 30,
  stock: 5,
  active: true,
  createdAt: '2026-03-01T00:00:00Z',
  ...patch,
});

describe('兑换 on the scan page', () => {
  beforeEach(() => {
    jest.mocked(listRewards).mockReset();
    jest.mocked(redeemReward).mockReset();
    jest.mocked(Taro.showModal).mockClear();
  });

  it('offers nothing when the community has no rewards on the shelf', async () => {
    jest.mocked(listRewards).mockResolvedValue([reward({ active: false })]);
    const { container } = render(<RedeemPanel orgId={ORG} token="code" memberName="赵敏行" onNotice={jest.fn()} />);
    await flush();
    expect(container.textContent).toBe('');
  });

  it('redeems with the scanned code, shows the balance left and the stock, and retries a lost answer with the same key', async () => {
    jest.mocked(listRewards).mockResolvedValue([reward()]);
    jest
      .mocked(redeemReward)
      .mockRejectedValueOnce(new ApiError(0, 'NETWORK_ERROR', '网络连接失败'))
      .mockResolvedValueOnce({
        redemption: { id: 'r1', rewardId: reward().id, rewardName: '洗衣液', memberId: 'm', points: 30, at: '2026-03-05T01:00:00Z' },
        balance: 70,
        stock: 4,
      });
    const onNotice = jest.fn();
    render(<RedeemPanel orgId={ORG} token="code-1" memberName="赵敏行" onNotice={onNotice} />);
    await flush();
    fireEvent.click(screen.getByTestId('redeem-reward'));
    await flush();
    expect(onNotice).toHaveBeenLastCalledWith('error', '网络连接失败');
    fireEvent.click(screen.getByTestId('redeem-reward'));
    await flush();
    const [first, second] = jest.mocked(redeemReward).mock.calls;
    expect(first.slice(0, 2)).toEqual([reward().id, 'code-1']);
    expect(second[2]).toBe(first[2]);
    expect(onNotice).toHaveBeenLastCalledWith('ok', '已为 赵敏行 兑换「洗衣液」，剩余积分 70');
    expect(screen.getByTestId('redeem-reward')).toHaveTextContent('库存 4');
  });

  it('says why a redemption was refused, and a refusal gets a new key next time', async () => {
    jest.mocked(listRewards).mockResolvedValue([reward()]);
    jest.mocked(redeemReward).mockRejectedValue(new ApiError(409, 'INSUFFICIENT_POINTS', '积分不足'));
    const onNotice = jest.fn();
    render(<RedeemPanel orgId={ORG} token="code-1" memberName="赵敏行" onNotice={onNotice} />);
    await flush();
    fireEvent.click(screen.getByTestId('redeem-reward'));
    await flush();
    expect(onNotice).toHaveBeenLastCalledWith('error', '该党员积分不足，无法兑换');
    fireEvent.click(screen.getByTestId('redeem-reward'));
    await flush();
    const [first, second] = jest.mocked(redeemReward).mock.calls;
    expect(second[2]).not.toBe(first[2]);
  });
});

describe('补记 on the claim list', () => {
  const member = (id: string, name: string) => ({
    id,
    name,
    phone: '139****5678',
    unitOrg: { id: ORG, name: '市住建局机关党委' },
    workUnit: '科员',
    community: { id: ORG, name: '清和坊社区' },
    estate: { id: ORG, name: '清和苑' },
  });
  const claim = (id: string, status: 'claimed' | 'completed' | 'no_show') => ({
    id,
    taskId: TASK,
    memberId: id,
    status,
    claimedAt: '2026-03-01T00:00:00Z',
    checkedInAt: null,
    checkedOutAt: null,
    minutes: null,
  });

  it('records several members at once, only those not yet recorded', async () => {
    jest.mocked(recordBySecretary).mockResolvedValue([]);
    const onRecorded = jest.fn();
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    const c = '44444444-4444-4444-8444-444444444444';
    render(
      <RecordPanel
        taskId={TASK}
        startsAt="2026-03-05T01:00:00Z"
        endsAt="2026-03-05T03:00:00Z"
        claimants={
          [
            { claim: claim(a, 'claimed'), member: member(a, '赵敏行') },
            { claim: claim(b, 'no_show'), member: member(b, '钱思远') },
            { claim: claim(c, 'completed'), member: member(c, '孙晓') },
          ] as never
        }
        onRecorded={onRecorded}
      />,
    );
    expect(screen.getAllByTestId('record-pick')).toHaveLength(2);
    fireEvent.click(screen.getByText('赵敏行'));
    fireEvent.click(screen.getByText('钱思远'));
    expect(screen.getByTestId('record-submit')).toHaveTextContent('补记（2 人）');
    fireEvent.click(screen.getByTestId('record-submit'));
    await flush();
    expect(recordBySecretary).toHaveBeenCalledWith(TASK, { memberIds: [a, b] });
    expect(onRecorded).toHaveBeenCalled();
  });
  it('sets the check-in/check-out times, defaulting to the post start and end in Beijing time', () => {
    const post = { startsAt: '2026-03-05T01:00:00Z', endsAt: '2026-03-05T03:00:00Z' };
    const a = '11111111-1111-4111-8111-111111111111';
    expect(recordDefaults(post)).toEqual({ start: '09:00', end: '11:00' });
    // left at the defaults: the server takes the post's start and end
    expect(recordBody([a], post, '09:00', '11:00')).toEqual({ memberIds: [a] });
    expect(recordBody([a], post, '09:30', '10:45')).toEqual({
      memberIds: [a],
      checkedInAt: '2026-03-05T09:30:00+08:00',
      checkedOutAt: '2026-03-05T02:45:00.000Z',
    });
    // an end at or before the start is past midnight
    expect(recordBody([a], { startsAt: '2026-03-05T14:00:00Z', endsAt: '2026-03-05T16:00:00Z' }, '22:00', '01:30')).toEqual({
      memberIds: [a],
      checkedInAt: '2026-03-05T22:00:00+08:00',
      checkedOutAt: '2026-03-05T17:30:00.000Z',
    });
  });

  it('shows the default times and the server refusal', async () => {
    jest.mocked(recordBySecretary).mockReset();
    jest
      .mocked(recordBySecretary)
      .mockRejectedValue(
        new ApiError(400, 'VALIDATION_FAILED', '签退时间不能晚于现在', [{ path: 'checkedOutAt', reason: 'in_future' } as never]),
      );
    const onRecorded = jest.fn();
    const a = '11111111-1111-4111-8111-111111111111';
    render(
      <RecordPanel
        taskId={TASK}
        startsAt="2026-03-05T01:00:00Z"
        endsAt="2026-03-05T03:00:00Z"
        claimants={[{ claim: claim(a, 'claimed'), member: member(a, '赵敏行') }] as never}
        onRecorded={onRecorded}
      />,
    );
    expect(screen.getByTestId('record-start')).toHaveTextContent('09:00');
    expect(screen.getByTestId('record-end')).toHaveTextContent('11:00');
    expect(screen.getByTestId('record-error')).toHaveTextContent('');
    fireEvent.click(screen.getByText('赵敏行'));
    fireEvent.click(screen.getByTestId('record-submit'));
    await flush();
    expect(recordBySecretary).toHaveBeenCalledWith(TASK, { memberIds: [a] });
    expect(screen.getByTestId('record-error')).toHaveTextContent('签退时间不能晚于现在');
    expect(onRecorded).not.toHaveBeenCalled();
  });
});
