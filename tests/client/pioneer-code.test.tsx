import { act, fireEvent, render, screen } from '@testing-library/react';
import Taro from '@tarojs/taro';
import type { PioneerCodeResponse } from '@pioneer/shared';
import PioneerCode from '@/components/PioneerCode';

const START = Date.parse('2026-03-05T08:00:00+08:00');

function codeAt(token: string, lifetimeMs = 60_000): PioneerCodeResponse {
  return {
    token,
    url: `http://127.0.0.1:3000/c/${token}`,
    expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
    qrSvg: `<svg xmlns="http://www.w3.org/2000/svg"><text>${token}</text></svg>`,
  };
}

async function flush() {
  await act(async () => {
    await Promise.resolve();
  });
}

async function advance(ms: number) {
  await act(async () => {
    jest.advanceTimersByTime(ms);
  });
  await flush();
}

const countdown = () => screen.getByTestId('pcode-countdown');

describe('PioneerCode', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(START);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows the QR as an SVG data URI with the member, and counts down', async () => {
    const fetcher = jest.fn(async () => codeAt('tok-1'));
    render(<PioneerCode fetcher={fetcher} name="张三" community="幸福社区 · 阳光小区" />);
    await flush();

    expect(screen.getByText('张三')).toBeInTheDocument();
    expect(screen.getByText('幸福社区 · 阳光小区')).toBeInTheDocument();
    const img = screen.getByRole('img');
    expect(img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,/);
    expect(decodeURIComponent(img.getAttribute('src')!)).toContain('<text>tok-1</text>');
    expect(countdown()).toHaveTextContent('60 秒后自动刷新');

    await advance(1000);
    expect(countdown()).toHaveTextContent('59 秒后自动刷新');
    await advance(5000);
    expect(countdown()).toHaveTextContent('54 秒后自动刷新');
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  it('fetches a new code 10 s before the old one expires', async () => {
    const fetcher = jest
      .fn<Promise<PioneerCodeResponse>, []>()
      .mockImplementationOnce(async () => codeAt('tok-1'))
      .mockImplementationOnce(async () => codeAt('tok-2'))
      .mockImplementation(async () => codeAt('tok-3'));
    render(<PioneerCode fetcher={fetcher} showToken />);
    await flush();
    expect(screen.getByTestId('pcode-token')).toHaveTextContent('tok-1');

    await advance(49_000);
    expect(fetcher).toHaveBeenCalledTimes(1);
    expect(countdown()).toHaveTextContent('11 秒');

    await advance(1000);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('pcode-token')).toHaveTextContent('tok-2');
    expect(countdown()).toHaveTextContent('60 秒后自动刷新');

    // The code on screen never reaches its expiry.
    await advance(50_000);
    expect(fetcher).toHaveBeenCalledTimes(3);
    expect(screen.getByTestId('pcode-token')).toHaveTextContent('tok-3');
  });

  it('copies the token text on H5', async () => {
    render(<PioneerCode fetcher={async () => codeAt('tok-copy')} showToken />);
    await flush();
    fireEvent.click(screen.getByText('复制'));
    expect(Taro.setClipboardData).toHaveBeenCalledWith({ data: 'tok-copy' });
  });

  it('keeps the old code and retries when a refresh fails', async () => {
    const fetcher = jest
      .fn<Promise<PioneerCodeResponse>, []>()
      .mockImplementationOnce(async () => codeAt('tok-1'))
      .mockImplementationOnce(async () => {
        throw new Error('offline');
      })
      .mockImplementation(async () => codeAt('tok-2'));
    render(<PioneerCode fetcher={fetcher} showToken />);
    await flush();
    await advance(50_000);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(screen.getByTestId('pcode-token')).toHaveTextContent('tok-1');
    expect(screen.getByText('操作失败，请稍后再试')).toBeInTheDocument();

    await advance(5000);
    expect(fetcher).toHaveBeenCalledTimes(3);
    expect(screen.getByTestId('pcode-token')).toHaveTextContent('tok-2');
  });

  it('stops fetching while inactive', async () => {
    const fetcher = jest.fn(async () => codeAt('tok-1'));
    const { rerender } = render(<PioneerCode fetcher={fetcher} />);
    await flush();
    rerender(<PioneerCode fetcher={fetcher} active={false} />);
    await advance(120_000);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });
});

describe('PioneerCode past its lifetime', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(START);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('greys an expired code with 已过期，点击刷新 when refreshing keeps failing, and a tap brings a fresh one', async () => {
    let online = true;
    let issued = 0;
    const fetcher = jest.fn(async (): Promise<PioneerCodeResponse> => {
      if (!online) throw new Error('offline');
      issued += 1;
      return codeAt(`tok-${issued}`);
    });
    render(<PioneerCode fetcher={fetcher} showToken />);
    await flush();
    expect(screen.queryByTestId('pcode-expired')).toBeNull();

    online = false;
    await advance(59_000);
    expect(screen.queryByTestId('pcode-expired')).toBeNull();
    expect(screen.getByTestId('pcode-qr').className).not.toContain('is-expired');
    await advance(1_000);
    // The countdown does not sit at "0 秒后自动刷新": the code is visibly dead.
    expect(screen.getByTestId('pcode-expired')).toHaveTextContent('已过期，点击刷新');
    expect(screen.getByTestId('pcode-qr').className).toContain('is-expired');
    expect(countdown()).toHaveTextContent('先锋码已失效');
    expect(countdown()).not.toHaveTextContent('0 秒后自动刷新');

    online = true;
    fireEvent.click(screen.getByTestId('pcode-qr'));
    await flush();
    expect(screen.queryByTestId('pcode-expired')).toBeNull();
    expect(countdown()).toHaveTextContent('60 秒后自动刷新');
  });
});
