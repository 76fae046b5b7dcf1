import { act, fireEvent, render, screen } from '@testing-library/react';
import GrabButton, { type GrabButtonProps } from '@/components/GrabButton';
import { grabState } from '@/utils/grab';

const NOW = Date.parse('2026-03-05T08:00:00+08:00');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

function props(overrides: Partial<GrabButtonProps> = {}): GrabButtonProps {
  return {
    status: 'open',
    remaining: 3,
    claimOpensAt: iso(-60_000),
    endsAt: iso(3 * 3600_000),
    myClaimStatus: null,
    pending: false,
    onGrab: jest.fn(),
    ...overrides,
  };
}

function button() {
  return screen.getByRole('button');
}

describe('GrabButton', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(NOW);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('reads 抢 and claims when the window is open with slots left', () => {
    const p = props();
    render(<GrabButton {...p} />);
    expect(button()).toHaveAttribute('data-state', 'open');
    expect(button()).toHaveTextContent('抢');
    expect(button()).toHaveAttribute('aria-disabled', 'false');
    fireEvent.click(button());
    expect(p.onGrab).toHaveBeenCalledTimes(1);
  });

  it('reads 抢中… while the claim is in flight and ignores taps', () => {
    const p = props({ pending: true });
    render(<GrabButton {...p} />);
    expect(button()).toHaveAttribute('data-state', 'pending');
    expect(button()).toHaveTextContent('抢中…');
    fireEvent.click(button());
    expect(p.onGrab).not.toHaveBeenCalled();
  });

  it('reads 已抢到 when the member holds a live claim, even with no slots left', () => {
    const p = props({ myClaimStatus: 'claimed', remaining: 0 });
    render(<GrabButton {...p} />);
    expect(button()).toHaveAttribute('data-state', 'claimed');
    expect(button()).toHaveTextContent('已抢到');
    fireEvent.click(button());
    expect(p.onGrab).not.toHaveBeenCalled();
  });

  it('reads 已满 when no slot remains', () => {
    const p = props({ remaining: 0 });
    render(<GrabButton {...p} />);
    expect(button()).toHaveAttribute('data-state', 'full');
    expect(button()).toHaveTextContent('已满');
    fireEvent.click(button());
    expect(p.onGrab).not.toHaveBeenCalled();
  });

  it('reads 未开始 with a live countdown before the window opens', () => {
    const p = props({ claimOpensAt: iso(65_000) });
    render(<GrabButton {...p} />);
    expect(button()).toHaveAttribute('data-state', 'not_started');
    expect(button()).toHaveTextContent('未开始');
    expect(button()).toHaveTextContent('00:01:05');

    act(() => {
      jest.advanceTimersByTime(1000);
    });
    expect(button()).toHaveTextContent('00:01:04');
    fireEvent.click(button());
    expect(p.onGrab).not.toHaveBeenCalled();
  });

  it('shows days in a long countdown', () => {
    render(<GrabButton {...props({ claimOpensAt: iso(2 * 86400_000 + 3600_000), endsAt: iso(5 * 86400_000) })} />);
    expect(button()).toHaveTextContent('2天 01:00:00');
  });

  it('reads 已结束 once the task has ended, by status or by clock', () => {
    const { rerender } = render(<GrabButton {...props({ status: 'ended' })} />);
    expect(button()).toHaveAttribute('data-state', 'ended');
    expect(button()).toHaveTextContent('已结束');
    rerender(<GrabButton {...props({ endsAt: iso(-1000) })} />);
    expect(button()).toHaveTextContent('已结束');
  });

  it('reads 已取消 for a task its community cancelled', () => {
    render(<GrabButton {...props({ status: 'cancelled' })} />);
    expect(button()).toHaveAttribute('data-state', 'ended');
    expect(button()).toHaveTextContent('已取消');
  });
});

describe('grabState', () => {
  it('puts pending above every other state', () => {
    expect(grabState({ status: 'open', remaining: 0, claimOpensAt: iso(0), endsAt: iso(1000), pending: true, now: NOW }).kind).toBe(
      'pending',
    );
  });

  it('treats a cancelled claim as no claim', () => {
    const s = grabState({ status: 'open', remaining: 2, claimOpensAt: iso(-1), endsAt: iso(1000), myClaimStatus: 'cancelled', now: NOW });
    expect(s.kind).toBe('open');
  });
});
