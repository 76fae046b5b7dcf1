/** The figure "cancel → offer visible to the head of the queue" on a full post with a waitlist. */
import { percentile, round, type LoadClient } from './load';

const API = '/api/v1';

/**
 * On a full post with `queue` waiting, a holder cancels and the member at the head of the queue
 * polls the post until it shows the offer (written in the cancel's own transaction): the time
 * from sending the cancel to the first answer showing the offer. The head then accepts, so the
 * next round starts from a full post again; `iterations` rounds, one after the other.
 */
export async function measureOffers(client: LoadClient, post: string, holders: string[], queue: string[], iterations: number) {
  for (const token of queue) {
    const a = await client.send({ method: 'POST', path: `${API}/tasks/${post}/waitlist`, token });
    if (a.status !== 201) throw new Error(`joining the waitlist failed: ${a.status} ${a.body.slice(0, 200)}`);
  }
  const ms: number[] = [];
  const polls: number[] = [];
  const live = [...holders];
  const waiting = [...queue];
  for (let i = 0; i < iterations && live.length > 0 && waiting.length > 0; i++) {
    const leaving = live.shift()!;
    const head = waiting.shift()!;
    const t0 = process.hrtime.bigint();
    const cancel = await client.send({ method: 'DELETE', path: `${API}/tasks/${post}/claims/me`, token: leaving });
    if (cancel.status !== 200) throw new Error(`cancel failed: ${cancel.status} ${cancel.body.slice(0, 200)}`);
    let n = 0;
    for (;;) {
      n++;
      const seen = await client.send({ method: 'GET', path: `${API}/tasks/${post}`, token: head });
      const offered = (JSON.parse(seen.body) as { myWaitlist?: { status?: string } | null }).myWaitlist?.status === 'offered';
      if (offered) break;
      if (n > 1000) throw new Error('the head of the queue never saw its offer');
    }
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    polls.push(n);
    const accept = await client.send({ method: 'POST', path: `${API}/tasks/${post}/waitlist/me/accept`, token: head });
    if (accept.status !== 201) throw new Error(`accept failed: ${accept.status} ${accept.body.slice(0, 200)}`);
    live.push(head);
  }
  return {
    iterations: ms.length,
    waiting: queue.length,
    p50Ms: round(percentile(ms, 50)),
    p99Ms: round(percentile(ms, 99)),
    maxPolls: Math.max(...polls),
  };
}
