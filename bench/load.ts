import net from 'node:net';

export interface Answer {
  status: number;
  code?: string;
  body: string;
  ms: number;
}

export interface RequestSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  token?: string;
  body?: unknown;
}

/**
 * One keep-alive HTTP/1.1 connection that writes prebuilt requests and reads just enough of the
 * answer (status, Content-Length). Node's http client costs more CPU per request than the server
 * route it measures; on two cores that would make the load generator the bottleneck.
 */
class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { resolve(a: Answer): void; reject(e: Error): void; startedAt: bigint } | null = null;
  constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
      this.parse();
    });
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  send(request: Buffer, startedAt: bigint): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject, startedAt };
      this.socket.write(request);
    });
  }

  private fail(e: Error) {
    const p = this.pending;
    this.pending = null;
    p?.reject(e);
  }

  private parse() {
    const headEnd = this.buf.indexOf('\r\n\r\n');
    if (headEnd < 0 || !this.pending) return;
    const head = this.buf.toString('latin1', 0, headEnd).toLowerCase();
    const status = Number(head.slice(9, 12));
    let body: string;
    let rest: Buffer;
    const length = /\r\ncontent-length: *(\d+)/.exec(head);
    if (length) {
      const end = headEnd + 4 + Number(length[1]);
      if (this.buf.length < end) return;
      body = this.buf.toString('utf8', headEnd + 4, end);
      rest = this.buf.subarray(end);
    } else {
      const end = this.buf.indexOf('\r\n0\r\n\r\n', headEnd);
      if (end < 0) return;
      body = this.buf.toString('utf8', headEnd + 4, end);
      rest = this.buf.subarray(end + 7);
    }
    const ms = Number(process.hrtime.bigint() - this.pending.startedAt) / 1e6;
    let code: string | undefined;
    if (status >= 400) {
      try {
        code = (JSON.parse(body) as { code?: string }).code;
      } catch {
        code = undefined;
      }
    }
    const p = this.pending;
    this.pending = null;
    this.buf = rest;
    p.resolve({ status, code, body, ms });
  }
}

/** A fixed set of keep-alive connections; a request waits for a free one. */
export class LoadClient {
  private readonly free: Connection[] = [];
  private readonly all: Connection[] = [];
  private readonly waiting: Array<(c: Connection) => void> = [];
  constructor(
    private readonly port: number,
    readonly sockets: number,
  ) {}

  async open(): Promise<this> {
    for (let i = 0; i < this.sockets; i += 200) {
      const batch = Array.from(
        { length: Math.min(200, this.sockets - i) },
        () =>
          new Promise<Connection>((resolve, reject) => {
            const socket = net.connect({ host: '127.0.0.1', port: this.port }, () => resolve(new Connection(socket)));
            socket.once('error', reject);
          }),
      );
      for (const c of await Promise.all(batch)) {
        this.all.push(c);
        this.free.push(c);
      }
    }
    return this;
  }

  static request(spec: RequestSpec): Buffer {
    const payload = spec.body === undefined ? '' : JSON.stringify(spec.body);
    let head = `${spec.method} ${spec.path} HTTP/1.1\r\nhost: 127.0.0.1\r\n`;
    if (spec.token) head += `authorization: Bearer ${spec.token}\r\n`;
    if (payload) head += 'content-type: application/json\r\n';
    if (spec.method !== 'GET') head += `content-length: ${Buffer.byteLength(payload)}\r\n`;
    return Buffer.from(`${head}\r\n${payload}`);
  }

  /** `startedAt` lets a burst measure from the moment everyone pressed, not from when a connection was free. */
  async send(spec: RequestSpec | Buffer, startedAt?: bigint): Promise<Answer> {
    const request = Buffer.isBuffer(spec) ? spec : LoadClient.request(spec);
    const t = startedAt ?? process.hrtime.bigint();
    const conn = this.free.pop() ?? (await new Promise<Connection>((r) => this.waiting.push(r)));
    try {
      return await conn.send(request, t);
    } finally {
      const next = this.waiting.shift();
      if (next) next(conn);
      else this.free.push(conn);
    }
  }

  close(): void {
    for (const c of this.all) c.socket.destroy();
  }
}

export interface LoopResult {
  requests: number;
  seconds: number;
  rps: number;
  statuses: Record<string, number>;
  latencies: number[];
}

/**
 * Closed loop: `workers` callers each send their next request as soon as the last one answered,
 * until `durationMs` passes or `next` returns null.
 */
export async function closedLoop(
  workers: number,
  durationMs: number,
  next: (i: number) => (() => Promise<Answer>) | null,
): Promise<LoopResult> {
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        const job = next(issued++);
        if (!job) return;
        const a = await job();
        const key = a.code ? `${a.status} ${a.code}` : String(a.status);
        statuses[key] = (statuses[key] ?? 0) + 1;
        latencies.push(a.ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, statuses, latencies };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Loops run in slices, as one. */
export function mergeLoops(parts: LoopResult[]): LoopResult {
  const requests = parts.reduce((n, p) => n + p.requests, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return { requests, seconds, rps: requests / seconds, statuses, latencies: parts.flatMap((p) => p.latencies) };
}
