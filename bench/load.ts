import http from 'node:http';

export interface Answer {
  status: number;
  code?: string;
  body: string;
  ms: number;
}

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: unknown;
}

/** A keep-alive HTTP client over a fixed number of sockets; latency is taken with hrtime per request. */
export class LoadClient {
  readonly agent: http.Agent;
  constructor(
    private readonly port: number,
    readonly sockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, scheduling: 'lifo' });
  }

  /** `startedAt` lets a burst measure from the moment everyone pressed, not from when a socket was free. */
  send(spec: RequestSpec, startedAt = process.hrtime.bigint()): Promise<Answer> {
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body);
    const headers: http.OutgoingHttpHeaders = {};
    if (spec.token) headers.authorization = `Bearer ${spec.token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: this.port, method: spec.method, path: spec.path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
          const body = Buffer.concat(chunks).toString('utf8');
          let code: string | undefined;
          if ((res.statusCode ?? 0) >= 400) {
            try {
              code = (JSON.parse(body) as { code?: string }).code;
            } catch {
              code = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, code, body, ms });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Opens every socket up front so a burst does not pay for TCP handshakes. */
  async warm(path: string): Promise<void> {
    await Promise.all(Array.from({ length: this.sockets }, () => this.send({ method: 'GET', path })));
  }

  close(): void {
    this.agent.destroy();
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
