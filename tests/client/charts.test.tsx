import { fireEvent, render, screen } from '@testing-library/react';
import { BarChart, ColumnChart, formatNumber } from '@/components/Charts';

describe('BarChart', () => {
  const items = [
    { key: 'a', label: '便民服务', value: 120, detail: '12 个岗位 · 120 人次' },
    { key: 'b', label: '关爱帮扶', value: 30, detail: '3 个岗位 · 30 人次' },
  ];

  it('draws each bar against the largest and shows its exact figure on a tap', () => {
    const { container } = render(<BarChart items={items} unit=" 人次" />);
    const bars = container.querySelectorAll<HTMLElement>('.chart-bars__bar');
    expect(Array.from(bars).map((b) => b.style.width)).toEqual(['100%', '25%']);
    expect(screen.queryByText('3 个岗位 · 30 人次')).toBeNull();
    fireEvent.click(screen.getByText('关爱帮扶'));
    expect(screen.getByText('3 个岗位 · 30 人次')).toBeTruthy();
    fireEvent.click(screen.getByText('关爱帮扶'));
    expect(screen.queryByText('3 个岗位 · 30 人次')).toBeNull();
  });

  it('says there is no data instead of drawing empty bars', () => {
    render(<BarChart items={[{ key: 'a', label: 'x', value: 0 }]} emptyText="暂无满员岗位" />);
    expect(screen.getByText('暂无满员岗位')).toBeTruthy();
  });
});

describe('ColumnChart', () => {
  it('reads out the latest week, and the week tapped', () => {
    const weeks = [
      { key: 'w1', label: '3月2日当周', value: 40, detail: '40 人次 · 12 小时' },
      { key: 'w2', label: '3月9日当周', value: 80, detail: '80 人次 · 30 小时' },
    ];
    const { container } = render(<ColumnChart items={weeks} />);
    expect(screen.getByText('80 人次 · 30 小时')).toBeTruthy();
    fireEvent.click(container.querySelectorAll('.chart-cols__col')[0]);
    expect(screen.getByText('40 人次 · 12 小时')).toBeTruthy();
    const heights = Array.from(container.querySelectorAll<HTMLElement>('.chart-cols__bar')).map((b) => b.style.height);
    expect(heights).toEqual(['50%', '100%']);
  });
});

it('formats large figures the way people read them', () => {
  expect(formatNumber(12345)).toBe('12,345');
  expect(formatNumber(1234567)).toBe('123.5万');
  expect(formatNumber(2.345)).toBe('2.35');
});
