import { fireEvent, render, screen } from '@testing-library/react';
import type { Action } from '@pioneer/shared';
import ActionCard from '@/components/ActionCard';
import { checkinTokenOf } from '@/services/meetings';

const action: Action = {
  id: '11111111-1111-4111-8111-111111111111',
  meetingId: '22222222-2222-4222-8222-222222222222',
  meetingTitle: '世茂商圈停车难现场协调会',
  title: '挖潜夜间共享停车位 300 个',
  owner: { id: '33333333-3333-4333-8333-333333333333', name: '市住建局' },
  assists: [{ id: '44444444-4444-4444-8444-444444444444', name: '市城管局' }],
  dueAt: '2026-12-10T10:00:00.000Z',
  status: 'in_progress',
  progress: 60,
  overdue: false,
  escalatedAt: null,
  milestones: [],
  timeline: [],
  createdAt: '2026-12-01T10:00:00.000Z',
  doneAt: null,
  confirmedAt: null,
};

describe('ActionCard', () => {
  it('shows the owner, the assisting units, the state and the progress bar', () => {
    const onClick = jest.fn();
    const { container } = render(<ActionCard action={action} onClick={onClick} />);
    expect(screen.getByText('办理中')).toBeTruthy();
    expect(screen.getByText(/牵头 市住建局 · 协办 市城管局/)).toBeTruthy();
    expect(screen.getByText('进度 60%')).toBeTruthy();
    expect((container.querySelector('.action-card__fill') as HTMLElement).style.width).toBe('60%');
    fireEvent.click(screen.getByText(action.title));
    expect(onClick).toHaveBeenCalled();
  });

  it('says 已超期 instead of the state when the action is overdue', () => {
    const { container } = render(<ActionCard action={{ ...action, overdue: true, status: 'open', progress: 0 }} />);
    expect(screen.getByText('已超期')).toBeTruthy();
    expect(container.querySelector('.action-card.is-overdue')).toBeTruthy();
  });
});

describe('checkinTokenOf', () => {
  it('takes the token out of a scanned meeting QR link and nothing else', () => {
    const token = `${action.meetingId}.AbCdEfGhIjKlMnOpQrStUv`;
    expect(checkinTokenOf(`https://pioneer.example/m/${token}`)).toBe(token);
    expect(checkinTokenOf(`https://pioneer.example/c/${token}`)).toBeNull();
    expect(checkinTokenOf('https://pioneer.example/m/not-a-token')).toBeNull();
  });
});
