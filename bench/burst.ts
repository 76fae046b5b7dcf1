/** One burst round's figures, and the burst as the bench reports it. */
import type { Answer } from './load';

export interface BurstRound {
  post: string;
  losers: string[];
  winners: number;
  settleMs: number;
  p50Ms: number;
  p99Ms: number;
  rawBurstP99Ms: number;
  serverCpuMs: number;
  rawServerCpuMs: number;
  serverGcMs: number;
  rawServerGcMs: number;
  statuses: Record<string, number>;
  dbClaimed: number;
  dbLiveClaims: number;
}

/**
 * The median round by p99 stands for the burst (shared cores make single rounds noisy); winners
 * must equal the slots in every round, so a wrong round is reported, not averaged away.
 */
export function summarizeBursts(rounds: BurstRound[], warmUp: BurstRound, claimers: number, slots: number) {
  const byP99 = [...rounds].sort((a, b) => a.p99Ms - b.p99Ms);
  const median = byP99[(byP99.length - 1) >> 1];
  const wrong = [warmUp, ...rounds].find((r) => r.winners !== slots || r.dbClaimed !== slots || r.dbLiveClaims !== slots);
  const floors = rounds.map((r) => r.rawBurstP99Ms).sort((a, b) => a - b);
  return {
    claimers,
    slots,
    rounds: rounds.length,
    winners: (wrong ?? median).winners,
    settleMs: median.settleMs,
    p50Ms: median.p50Ms,
    p99Ms: median.p99Ms,
    p99RangeMs: [byP99[0].p99Ms, byP99[byP99.length - 1].p99Ms],
    rawBurstP99Ms: floors[(floors.length - 1) >> 1],
    serverCpuMs: median.serverCpuMs,
    rawServerCpuMs: median.rawServerCpuMs,
    statuses: (wrong ?? median).statuses,
    dbClaimed: (wrong ?? median).dbClaimed,
    dbLiveClaims: (wrong ?? median).dbLiveClaims,
    perRound: rounds.map(({ post: _p, losers: _l, ...r }) => r),
    warmUp: (({ post: _p, losers: _l, ...r }) => r)(warmUp),
  };
}

/** Answers counted by status and error code. */
export function tally(answers: Answer[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of answers) {
    const key = a.code ? `${a.status} ${a.code}` : String(a.status);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}
