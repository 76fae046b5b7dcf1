import './h5-env';
import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { Ranking, User } from '@pioneer/shared';
import IndexRanking, { UNIT_PAGE } from '@/staff/index-ranking';
import { UnitBoardCard } from '@/staff/dashboard/unit-cards';
import { clearSession, saveSession } from '@/services/session';
import { router } from './__mocks__/taro';

const mockRequest = Taro.request as unknown as jest.Mock;
const ID = (n: number) => `44444444-4444-4444-8444-${String(n).padStart(12, '0')}`;
const DISTRICT = '55555555-5555-4555-8555-555555555555';
const TOTAL = UNIT_PAGE + 20;

/** The server's board of TOTAL units, one page of it as `limit` and `offset` ask. */
function page(url: string): Ranking {
  const q = new URL(url, 'http://x').searchParams;
  const offset = Number(q.get('offset') ?? 0);
  const limit = q.get('limit') === null ? TOTAL : Number(q.get('limit'));
  const items = Array.from({ length: Math.max(0, Math.min(limit, TOTAL - offset)) }, (_, i) => ({
    org: { id: ID(offset + i + 1), name: `单位${offset + i + 1}`, districtId: DISTRICT, districtName: '虞山街道' },
    score: 100 - (offset + i) / 10,
    rank: offset + i + 1,
    parts: [{ key: 'needs_claimed', value: 1, score: 4 }],
  }));
  return { period: '2026-12', total: TOTAL, maxScore: 100, items };
}

const boardCalls = () => mockRequest.mock.calls.map((c) => c[0].url as string).filter((u) => u.includes('/index/units'));

describe('单位报到成效 board in pages', () => {
  beforeEach(() => {
    mockRequest.mockReset();
    clearSession();
    saveSession({
      token: 't',
      expiresIn: 3600,
      user: { id: ID(999), memberId: null, roles: [{ role: 'city_admin', orgId: null }] } as User,
    });
    mockRequest.mockImplementation(async (req: { url: string }) =>
      req.url.includes('/index/units') ? { statusCode: 200, data: page(req.url), header: {} } : { statusCode: 404, data: {}, header: {} },
    );
  });
  afterEach(() => {
    router.params = {};
  });

  it('shows the first page, then appends the next on 加载更多 until every unit is shown', async () => {
    router.params = { board: 'units' };
    await act(async () => {
      render(<IndexRanking />);
    });
    expect(await screen.findByText('单位1')).toBeTruthy();
    expect(screen.getByText(`单位${UNIT_PAGE}`)).toBeTruthy();
    expect(screen.queryByText(`单位${UNIT_PAGE + 1}`)).toBeNull();
    expect(boardCalls()[0]).toContain(`limit=${UNIT_PAGE}`);
    expect(boardCalls()[0]).not.toContain('offset=');
    await act(async () => {
      fireEvent.click(screen.getByText(`加载更多（已显示 ${UNIT_PAGE} / ${TOTAL}）`));
    });
    expect(boardCalls()[1]).toContain(`offset=${UNIT_PAGE}`);
    expect(screen.getByText('单位1')).toBeTruthy();
    expect(screen.getByText(`单位${TOTAL}`)).toBeTruthy();
    expect(screen.queryByText(/加载更多/)).toBeNull();
  });

  it('asks the dashboard card for the top ten only', async () => {
    await act(async () => {
      render(<UnitBoardCard scope="city" id={null} />);
    });
    expect(await screen.findByText('1. 单位1')).toBeTruthy();
    expect(boardCalls()).toHaveLength(1);
    expect(boardCalls()[0]).toContain('limit=10');
    expect(screen.queryByText('11. 单位11')).toBeNull();
  });
});
