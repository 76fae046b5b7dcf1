import type { Task } from '@pioneer/shared';

const HOUR = 3600_000;

/**
 * A full first-come post of the demo community, its two slots taken; times are relative to `now`
 * so each test file keeps its own clock.
 */
export function fullTask(now: number, over: Partial<Task> = {}): Task {
  const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  return {
    id: '22222222-2222-4222-8222-222222222222',
    communityOrgId: '44444444-4444-4444-8444-444444444444',
    communityName: '清和坊社区',
    title: '周末垃圾分类督导',
    category: 'waste_sorting',
    description: '',
    location: '清和坊小区东门',
    startsAt: at(24 * HOUR),
    endsAt: at(26 * HOUR),
    capacity: 2,
    claimed: 2,
    remaining: 0,
    status: 'open',
    claimOpensAt: at(-HOUR),
    cancelCutoffMinutes: 60,
    filledAt: at(-60_000),
    createdAt: at(-2 * HOUR),
    offerMinutes: 30,
    waitlisted: 1,
    allocation: 'first_come',
    drawAt: null,
    drawCommitment: null,
    entered: 0,
    drawnAt: null,
    ...over,
  };
}
