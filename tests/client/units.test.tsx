import './h5-env';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import {
  AgreementCreateBodySchema,
  NeedClaimBodySchema,
  type Agreement,
  type Need,
  type Project,
  type Role,
  type User,
} from '@pioneer/shared';
import Units from '@/staff/units';
import { chinaDay, projectActions, unitSides } from '@/services/units';
import { clearSession, saveSession } from '@/services/session';
import { audienceRefusal, audienceTag, grabState } from '@/utils/grab';
import { checkForm, formatUnitPart, optionalCount, orderNeeds, orderProjects, projectSteps, stars, withoutEmpty } from '@/utils/units-form';

const mockRequest = Taro.request as unknown as jest.Mock;
const UNIT = '11111111-1111-4111-8111-111111111111';
const OTHER_UNIT = '22222222-2222-4222-8222-222222222222';
const COMMUNITY = '33333333-3333-4333-8333-333333333333';
const ID = (n: number) => `44444444-4444-4444-8444-${String(n).padStart(12, '0')}`;
const AT = '2026-12-01T02:00:00.000Z';

const user = (grants: Array<[Role, string | null]>): User =>
  ({ id: ID(999), memberId: null, roles: grants.map(([role, orgId]) => ({ role, orgId })) }) as User;

const project = (status: Project['status'], over: Partial<Project> = {}): Project => ({
  id: ID(1),
  need: { id: ID(2), name: '楼道照明' },
  unit: { id: UNIT, name: '市住建局' },
  community: { id: COMMUNITY, name: '清和坊社区' },
  resource: null,
  plan: '两个周末完成',
  startsOn: '2026-12-01',
  endsOn: '2026-12-31',
  status,
  summary: null,
  rating: null,
  ratingNote: null,
  returnReason: null,
  claimedAt: AT,
  startedAt: null,
  deliveredAt: null,
  acceptedAt: null,
  closedAt: null,
  returnedAt: null,
  ...over,
});

const need = (n: number, status: Need['status'], createdAt: string): Need => ({
  id: ID(n),
  community: { id: COMMUNITY, name: '清和坊社区' },
  title: `需求 ${n}`,
  category: 'environment' as Need['category'],
  description: '说明',
  peopleNeeded: null,
  dueAt: null,
  source: null,
  status,
  createdAt,
  project: null,
});

describe('who acts on which side of 组织报到', () => {
  it('reads the unit side, the community side and overseers from the roles', () => {
    expect(unitSides(user([['unit_admin', UNIT]]))).toEqual({ units: [UNIT], adminUnits: [UNIT], communities: [], overseer: false });
    expect(unitSides(user([['unit_liaison', UNIT]]))).toEqual({ units: [UNIT], adminUnits: [], communities: [], overseer: false });
    expect(unitSides(user([['secretary', COMMUNITY]])).communities).toEqual([COMMUNITY]);
    expect(unitSides(user([['district_admin', ID(7)]])).overseer).toBe(true);
    expect(unitSides(null)).toEqual({ units: [], adminUnits: [], communities: [], overseer: false });
  });

  it('offers each side only the project steps the server allows from the state', () => {
    const admin = unitSides(user([['unit_admin', UNIT]]));
    const liaison = unitSides(user([['unit_liaison', UNIT]]));
    const secretary = unitSides(user([['secretary', COMMUNITY]]));
    const otherUnit = unitSides(user([['unit_admin', OTHER_UNIT]]));
    // Delivering needs a post first (claimed → in_progress happens when the first post is published).
    expect(projectActions(project('claimed'), admin)).toEqual(['post', 'return']);
    expect(projectActions(project('in_progress'), admin)).toEqual(['post', 'deliver', 'return']);
    // Liaisons deliver and return but do not publish posts (POST /tasks: secretary or unit_admin).
    expect(projectActions(project('in_progress'), liaison)).toEqual(['deliver', 'return']);
    expect(projectActions(project('delivered'), admin)).toEqual([]);
    expect(projectActions(project('delivered'), secretary)).toEqual(['accept']);
    expect(projectActions(project('accepted'), secretary)).toEqual(['close']);
    expect(projectActions(project('in_progress'), secretary)).toEqual([]);
    expect(projectActions(project('in_progress'), otherUnit)).toEqual([]);
    for (const s of ['closed', 'returned'] as const) {
      expect(projectActions(project(s), admin)).toEqual([]);
      expect(projectActions(project(s), secretary)).toEqual([]);
    }
  });
});

describe('forms checked with the shared schemas', () => {
  it('names the wrong fields of an agreement, dates reversed on 结束日期', () => {
    const checked = checkForm(
      AgreementCreateBodySchema,
      {
        unitOrgId: UNIT,
        communityOrgId: '',
        startsOn: '2026-12-10',
        endsOn: '2026-12-01',
        commitments: '',
        contactName: '王',
        contactPhone: '123',
      },
      { communityOrgId: '请选择要报到的社区', contactPhone: '请输入正确的手机号' },
    );
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors.communityOrgId).toBe('请选择要报到的社区');
    expect(checked.errors.contactPhone).toBe('请输入正确的手机号');
    expect(checked.errors.commitments).toBeTruthy();
    expect(checked.first).toBe('请选择要报到的社区');
    const reversed = checkForm(AgreementCreateBodySchema, {
      unitOrgId: UNIT,
      communityOrgId: COMMUNITY,
      startsOn: '2026-12-10',
      endsOn: '2026-12-01',
      commitments: '每月两次',
      contactName: '王建国',
      contactPhone: '13800138000',
    });
    expect(reversed.ok).toBe(false);
    if (!reversed.ok) expect(reversed.errors.endsOn).toBe('结束日期不能早于开始日期');
  });

  it('sends a claim without the empty resource, and an empty count as none', () => {
    const body = withoutEmpty({ unitOrgId: UNIT, plan: '组织党员 6 人', startsOn: '2026-12-01', endsOn: '2026-12-31', resourceId: null });
    const checked = checkForm(NeedClaimBodySchema, body);
    expect(checked).toEqual({ ok: true, body: { unitOrgId: UNIT, plan: '组织党员 6 人', startsOn: '2026-12-01', endsOn: '2026-12-31' } });
    expect(optionalCount('')).toBeUndefined();
    expect(optionalCount(' ')).toBeUndefined();
    expect(optionalCount('12')).toBe(12);
    expect(Number.isNaN(optionalCount('x'))).toBe(true);
  });

  it('dates in China time: 23:30 UTC is already the next day in Beijing', () => {
    expect(chinaDay(0, Date.parse('2026-12-07T23:30:00Z'))).toBe('2026-12-08');
    expect(chinaDay(30, Date.parse('2026-12-07T01:00:00Z'))).toBe('2027-01-06');
  });
});

describe('lists and explanations read in order', () => {
  it('puts open needs and projects waiting for 验收 first, newest next', () => {
    const needs = orderNeeds([need(1, 'closed', AT), need(2, 'open', '2026-11-01T00:00:00Z'), need(3, 'open', AT), need(4, 'claimed', AT)]);
    expect(needs.map((n) => n.id)).toEqual([ID(3), ID(2), ID(4), ID(1)]);
    const projects = orderProjects([
      project('closed', { id: ID(11) }),
      project('delivered', { id: ID(12) }),
      project('claimed', { id: ID(13) }),
      project('in_progress', { id: ID(14) }),
    ]);
    expect(projects.map((p) => p.id)).toEqual([ID(12), ID(14), ID(13), ID(11)]);
  });

  it('gives a project its steps in time order with the glossary names, and its stars', () => {
    const p = project('accepted', {
      startedAt: '2026-12-02T00:00:00Z',
      deliveredAt: '2026-12-05T00:00:00Z',
      acceptedAt: '2026-12-06T00:00:00Z',
    });
    expect(projectSteps(p).map((s) => s.label)).toEqual(['已认领', '实施中', '待验收', '已验收']);
    expect(stars(4)).toBe('★★★★☆');
  });

  it('formats the results board parts with their own units', () => {
    expect(formatUnitPart('whistle_response_rate', 0.8333)).toBe('83.3%');
    expect(formatUnitPart('project_rating', 4.5)).toBe('4.5 分（满分 5 分）');
    expect(formatUnitPart('projects_accepted', 2)).toBe('2 个');
    expect(formatUnitPart('needs_claimed', 3)).toBe('3 项');
    expect(formatUnitPart('participations_per_member', 1.234)).toBe('1.23 次/人');
    expect(formatUnitPart('needs_claimed', null)).toBe('无数据');
  });
});

describe('定向岗位 for members', () => {
  const directed = { audience: 'unit' as const, audienceUnit: { id: UNIT, name: '市住建局' } };
  it('tags a directed post and tells members of other units why they cannot grab it', () => {
    expect(audienceTag(directed)).toBe('定向·市住建局');
    expect(audienceTag({ audience: 'community', audienceUnit: null })).toBeNull();
    expect(audienceRefusal(directed, UNIT)).toBeNull();
    expect(audienceRefusal(directed, OTHER_UNIT)).toContain('仅该单位党员可以抢');
    expect(audienceRefusal(directed, null)).toBeNull();
    expect(audienceRefusal({ audience: 'community', audienceUnit: null }, OTHER_UNIT)).toBeNull();
  });

  it('offers no grab to a member outside the audience', () => {
    const base = { status: 'open' as const, remaining: 5, claimOpensAt: AT, endsAt: '2099-01-01T00:00:00Z', now: Date.parse(AT) + 1000 };
    expect(grabState(base)).toMatchObject({ kind: 'open', disabled: false });
    expect(grabState({ ...base, outsideAudience: true })).toEqual({ kind: 'not_in_audience', label: '仅限定向单位', disabled: true });
  });
});

describe('组织报到 hub', () => {
  beforeEach(() => {
    mockRequest.mockReset();
    clearSession();
  });

  const agreement = (status: Agreement['status']): Agreement => ({
    id: ID(21),
    unit: { id: UNIT, name: '市住建局' },
    community: { id: COMMUNITY, name: '清和坊社区' },
    startsOn: '2026-12-01',
    endsOn: '2027-11-30',
    commitments: '每月两次进社区',
    contactName: '王建国',
    contactPhone: '138****8000',
    status,
    reason: null,
    proposedAt: AT,
    decidedAt: null,
    endedAt: null,
  });

  it('lets the secretary confirm a unit’s 报到 from the inbox', async () => {
    saveSession({ token: 't', expiresIn: 3600, user: user([['secretary', COMMUNITY]]) });
    mockRequest.mockImplementation(async (req: { url: string; method: string }) => {
      if (req.method === 'POST' && req.url.includes(`/agreements/${ID(21)}/accept`)) {
        return { statusCode: 200, data: { agreement: agreement('active') }, header: {} };
      }
      if (req.url.includes('/agreements'))
        return { statusCode: 200, data: { items: [agreement('proposed')], nextCursor: null }, header: {} };
      return { statusCode: 404, data: {}, header: {} };
    });
    await act(async () => {
      render(<Units />);
    });
    expect(await screen.findByText('报到申请')).toBeTruthy();
    expect(screen.getByText('待确认')).toBeTruthy();
    // The community's own list, and the unit's name as the row's title.
    const list = mockRequest.mock.calls.find((c) => c[0].url.includes('/agreements'))?.[0];
    expect(list.url).toContain(`communityOrgId=${COMMUNITY}`);
    expect(screen.getByText('市住建局')).toBeTruthy();
    await act(async () => {
      fireEvent.click(screen.getByText('确认报到'));
    });
    const accept = mockRequest.mock.calls.find((c) => c[0].method === 'POST')?.[0];
    expect(accept.url).toContain(`/agreements/${ID(21)}/accept`);
    expect(screen.getByText('发布需求')).toBeTruthy();
    expect(screen.queryByText('报到社区')).toBeNull();
  });

  it('shows a unit admin its own agreements, and 报到社区 to propose one', async () => {
    saveSession({ token: 't', expiresIn: 3600, user: user([['unit_admin', UNIT]]) });
    mockRequest.mockResolvedValue({ statusCode: 200, data: { items: [agreement('active')], nextCursor: null }, header: {} });
    await act(async () => {
      render(<Units />);
    });
    expect(await screen.findByText('我的协议')).toBeTruthy();
    expect(mockRequest.mock.calls[0][0].url).toContain(`unitOrgId=${UNIT}`);
    expect(screen.getByText('清和坊社区')).toBeTruthy();
    expect(screen.getByText('已报到')).toBeTruthy();
    expect(screen.getByText('报到社区')).toBeTruthy();
    expect(screen.getByText('终止协议')).toBeTruthy();
    expect(screen.queryByText('确认报到')).toBeNull();
  });
});
