import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSend {
  at: number;
  openid: string;
  templateId: string;
  page: string;
  data: Record<string, { value: string }>;
  token: string;
  errcode: number;
  /** Why the payload broke WeChat's field rules, if it did. */
  violations: string[];
}

/**
 * WeChat's rules for subscribe message values, written from WeChat's documentation
 * independently of the server's fitting code: a value that breaks them is answered 47003.
 */
export function fieldViolations(data: Record<string, { value: string }>): string[] {
  const out: string[] = [];
  for (const [key, field] of Object.entries(data ?? {})) {
    const v = field?.value;
    const type = key.replace(/\d+$/, '');
    if (typeof v !== 'string' || v.length === 0) {
      out.push(`${key}: empty`);
      continue;
    }
    const chars = Array.from(v);
    const ok: Record<string, () => boolean> = {
      thing: () => chars.length <= 20 && !/[\n\r\t]/.test(v) && !/\p{Extended_Pictographic}/u.test(v),
      phrase: () => chars.length <= 5 && /^\p{Script=Han}+$/u.test(v),
      time: () => /^\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/.test(v),
      number: () => /^\d{1,32}(\.\d+)?$/.test(v),
      character_string: () => chars.length <= 32 && /^[\x21-\x7e]+$/.test(v),
      name: () => /^\p{Script=Han}{1,10}$/u.test(v) || /^[A-Za-z ]{1,20}$/.test(v),
    };
    const check = ok[type];
    if (!check) out.push(`${key}: unknown keyword type`);
    else if (!check()) out.push(`${key}: "${v}" breaks the ${type} rule`);
  }
  return out;
}

/**
 * A real HTTP stand-in for WeChat's stable_token and subscribeMessage.send. It records every call,
 * checks the access token and the payload's field limits, and answers scripted errcodes
 * (`script(openid, [-1, -1])` makes that user's next two sends fail with -1).
 */
export async function startFakeWechat(opts: { expiresIn?: number; delayMs?: number } = {}) {
  const sends: FakeSend[] = [];
  const tokenCalls: Array<{ appid: string; secret: string; force_refresh: boolean; at: number }> = [];
  const scripts = new Map<string, number[]>();
  let tokenSeq = 0;
  let current: string | null = null;
  let expiresIn = opts.expiresIn ?? 7200;
  let delayMs = opts.delayMs ?? 0;
  let down = false;
  /** While set: sends beyond this many accepted ones answer -1 (system busy), as an overloaded WeChat does. */
  let cap: number | null = null;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const reply = (body: unknown) => {
        // WeChat answers errors with HTTP 200 and a JSON body.
        const send = () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        if (delayMs > 0) setTimeout(send, delayMs);
        else send();
      };
      if (down) {
        res.writeHead(502).end('bad gateway');
        return;
      }
      let body: any = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        reply({ errcode: 47001, errmsg: 'data format error' });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
        tokenCalls.push({ appid: body.appid, secret: body.secret, force_refresh: body.force_refresh === true, at: Date.now() });
        if (body.appid !== 'wx_test_appid' || body.secret !== 'test-app-secret') {
          reply({ errcode: 40013, errmsg: 'invalid appid' });
          return;
        }
        if (!current || body.force_refresh) current = `fake-token-${++tokenSeq}`;
        reply({ access_token: current, expires_in: expiresIn });
        return;
      }
      if (req.method === 'POST' && url.pathname === '/wxa/msg_sec_check') {
        // Every text passes (the demands suite scripts refusals with a fake of its own).
        const token = url.searchParams.get('access_token') ?? '';
        reply(
          token === current ? { errcode: 0, result: { suggest: 'pass', label: 100 } } : { errcode: 40001, errmsg: 'invalid credential' },
        );
        return;
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send') {
        const token = url.searchParams.get('access_token') ?? '';
        const violations = fieldViolations(body.data);
        let errcode = 0;
        if (token !== current) errcode = 40001;
        else if (violations.length) errcode = 47003;
        else {
          const queue = scripts.get(body.touser);
          if (queue && queue.length) errcode = queue.shift()!;
          else if (cap !== null && sends.filter((s) => s.errcode === 0).length >= cap) errcode = -1;
        }
        sends.push({
          at: Date.now(),
          openid: body.touser,
          templateId: body.template_id,
          page: body.page,
          data: body.data,
          token,
          errcode,
          violations,
        });
        reply({ errcode, errmsg: errcode === 0 ? 'ok' : 'scripted' });
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    sends,
    tokenCalls,
    /** Sends that WeChat accepted. */
    delivered: () => sends.filter((s) => s.errcode === 0),
    script(openid: string, codes: number[]) {
      scripts.set(openid, [...codes]);
    },
    /** Makes the current token invalid, as WeChat does when another caller forces a refresh. */
    revokeToken() {
      current = `revoked-${++tokenSeq}`;
    },
    setDown(v: boolean) {
      down = v;
    },
    /** Accept at most `n` sends in all (counting those already accepted), answer -1 to the rest; null lifts it. */
    capDeliveries(n: number | null) {
      cap = n;
    },
    setDelay(ms: number) {
      delayMs = ms;
    },
    setExpiresIn(s: number) {
      expiresIn = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeWechat = Awaited<ReturnType<typeof startFakeWechat>>;

export const WECHAT_TEST_ENV = (base: string): Record<string, string> => ({
  WECHAT_APP_ID: 'wx_test_appid',
  WECHAT_APP_SECRET: 'test-app-secret',
  WECHAT_API_BASE: base,
  WECHAT_TEMPLATE_CLAIM_RESULT: 'tpl-claim-result',
  WECHAT_TEMPLATE_WAITLIST_OFFER: 'tpl-waitlist-offer',
  WECHAT_TEMPLATE_TASK_REMINDER: 'tpl-task-reminder',
  WECHAT_TEMPLATE_TASK_CHANGED: 'tpl-task-changed',
  WECHAT_TEMPLATE_SERVICE_RECORDED: 'tpl-service-recorded',
  WECHAT_TEMPLATE_NEW_TASK: 'tpl-new-task',
  WECHAT_TEMPLATE_WHISTLE_UPDATE: 'tpl-whistle-update',
  WECHAT_TEMPLATE_UNIT_UPDATE: 'tpl-unit-update',
  WECHAT_TEMPLATE_MEETING_UPDATE: 'tpl-meeting-update',
});

/** Polls until `check` returns a truthy value (or throws on timeout with the last value). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = 45_000,
  everyMs = 50,
): Promise<Exclude<T, null | undefined | false>> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await check();
    if (last) return last as Exclude<T, null | undefined | false>;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
