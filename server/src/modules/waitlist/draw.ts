import { createHash, randomBytes } from 'node:crypto';

/**
 * The fair draw's arithmetic (contract v2, "Fair draw"), shared by the server and
 * `npm run verify-draw`: nothing here knows about the database.
 */
export const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

/** 32 random bytes as 64 lowercase hex characters. */
export const newSeed = () => randomBytes(32).toString('hex');

export const commitmentOf = (seed: string) => sha256(seed);

export const ticketOf = (taskId: string, memberId: string, nonce: string) => sha256(`${taskId}:${memberId}:${nonce}`).slice(0, 16);

/** Tickets are lowercase hex (ASCII), so UTF-16 order is byte order. */
const ascii = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const entriesRootOf = (tickets: string[]) => sha256([...tickets].sort(ascii).join('\n'));

const digestOf = (seed: string, root: string, ticket: string) => sha256(`${seed}:${root}:${ticket}`);

/** The tickets in rank order: rank 1 has the smallest digest. */
export function rankTickets(seed: string, root: string, tickets: string[]): string[] {
  return tickets
    .map((ticket) => ({ ticket, digest: digestOf(seed, root, ticket) }))
    .sort((a, b) => ascii(a.digest, b.digest) || ascii(a.ticket, b.ticket))
    .map((t) => t.ticket);
}

/** What `GET /tasks/:id/draw` answers, as far as the verification needs it. */
export interface PublishedDraw {
  capacity: number;
  drawCommitment: string | null;
  status: 'open' | 'drawn';
  tickets: Array<{ ticket: string; rank?: number; won?: boolean }>;
  seed?: string;
  entriesRoot?: string;
}

/** Recomputes commitment, root and ranking from a published draw; lists every claim that does not hold. */
export function verifyDraw(d: PublishedDraw): { holds: boolean; problems: string[] } {
  const problems: string[] = [];
  if (d.status !== 'drawn' || !d.seed || !d.entriesRoot)
    return { holds: false, problems: ['the draw has not run yet: no seed or root to check'] };
  if (!/^[0-9a-f]{64}$/.test(d.seed)) problems.push('the seed is not 64 lowercase hex characters');
  if (commitmentOf(d.seed) !== d.drawCommitment) problems.push('SHA-256 of the seed is not the published commitment');
  const tickets = d.tickets.map((t) => t.ticket);
  if (new Set(tickets).size !== tickets.length) problems.push('a ticket is listed twice');
  const root = entriesRootOf(tickets);
  if (root !== d.entriesRoot) problems.push(`the entries root of the listed tickets is ${root}, not the published ${d.entriesRoot}`);
  const order = rankTickets(d.seed, d.entriesRoot, tickets);
  const rankOf = new Map(order.map((t, i) => [t, i + 1]));
  for (const t of d.tickets) {
    const rank = rankOf.get(t.ticket)!;
    if (t.rank !== rank) problems.push(`ticket ${t.ticket}: rank ${t.rank ?? '(none)'} published, ${rank} recomputed`);
    const won = rank <= d.capacity;
    if (t.won !== won) problems.push(`ticket ${t.ticket}: ${t.won ? 'won' : 'lost'} published, ${won ? 'won' : 'lost'} recomputed`);
  }
  return { holds: problems.length === 0, problems };
}
