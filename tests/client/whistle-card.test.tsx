import { render, screen } from '@testing-library/react';
import type { Whistle } from '@pioneer/shared';
import WhistleCard from '@/components/WhistleCard';

const U1 = '11111111-1111-4111-8111-111111111111';
const U2 = '22222222-2222-4222-8222-222222222222';

const whistle: Whistle = {
  id: '33333333-3333-4333-8333-333333333333',
  title: '世茂商圈周边停车难',
  description: '',
  category: 'order',
  location: '世茂商圈',
  dueAt: '2026-12-05T10:00:00.000Z',
  status: 'open',
  raisedBy: { kind: 'community', id: '44444444-4444-4444-8444-444444444444', name: '清和坊社区' },
  districtId: '55555555-5555-4555-8555-555555555555',
  satisfaction: null,
  ratingNote: null,
  createdAt: '2026-12-01T10:00:00.000Z',
  answeredAt: null,
  verifiedAt: null,
  closedAt: null,
  ratedAt: null,
  overdue: true,
  assignments: [
    { orgId: U1, orgName: '市住建局', part: 'lead', status: 'signed', dueAt: '2026-12-05T10:00:00.000Z', overdue: false },
    { orgId: U2, orgName: '市城管局', part: 'assist', status: 'pending', dueAt: '2026-12-05T10:00:00.000Z', overdue: true },
  ],
};

describe('WhistleCard', () => {
  it('shows the state, who raised it, the overdue flag and every unit with its part and state', () => {
    render(<WhistleCard whistle={whistle} />);
    expect(screen.getByText('办理中')).toBeTruthy();
    expect(screen.getByText('已超期')).toBeTruthy();
    expect(screen.getByText(/清和坊社区 吹哨/)).toBeTruthy();
    expect(screen.getByText(/牵头 市住建局 · 办理中/)).toBeTruthy();
    expect(screen.getByText(/协办 市城管局 · 待签收 · 超期/)).toBeTruthy();
  });

  it('in a unit inbox shows only that unit’s own assignment', () => {
    render(<WhistleCard whistle={whistle} unitOrgId={U1} />);
    expect(screen.getByText(/牵头 市住建局/)).toBeTruthy();
    expect(screen.queryByText(/市城管局/)).toBeNull();
  });
});
