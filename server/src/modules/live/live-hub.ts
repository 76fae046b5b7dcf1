import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { LiveAttendanceSchema, LiveCountSchema, type LiveCount } from '@pioneer/shared';
import type { Clock } from '../../lib/clock';
import { isDatabaseStopping } from '../../lib/pg-errors';
import { taskStatus } from '../tasks/task-mappers';
import type { TasksPort } from '../tasks/tasks-port';
import { SESSIONS_REVOKED_CHANNEL } from '../auth/sessions-channel';
import { MEETING_ATTENDANCE_CHANNEL } from '../meetings/attendance-channel';

/** Every statement that moves a post's count notifies here (payload built by notifyCount in claims/claims-sql.ts). */
const TASK_COUNTS_CHANNEL = 'task_counts';

/** A notified count (built by notifyCount in claims/claims-sql.ts), checked against the shared schema. */
function parseCount(payload: string): LiveCount | null {
  try {
    const parsed = LiveCountSchema.safeParse(JSON.parse(payload));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The part of a WebSocket the hub needs. */
interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  terminate(): void;
}

const OPEN = 1;
const MAX_TASKS_PER_SOCKET = 500;
const MAX_MEETINGS_PER_SOCKET = 20;
/** A client that stopped reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1 << 20;

/**
 * Fans count changes out to this process's sockets. One dedicated connection LISTENs, so
 * a claim committed by any process reaches subscribers of every process.
 */
export function liveHubFactory(deps: {
  databaseUrl: string;
  tasksRepository: TasksPort;
  clock: Clock;
  log: FastifyBaseLogger;
  /** Hears every count, subscribed or not (the claim gate); `version` orders the counts of one post. */
  onCount?(count: LiveCount): void;
  /** Hears every session revocation (logout, deregistration) made by any process. */
  onRevoked?(userId: string, tokenVersion: number): void;
  /** Told when the listener starts and stops hearing: what was missed meanwhile is unknown. */
  onListening?(up: boolean): void;
}) {
  const byTask = new Map<string, Set<LiveSocket>>();
  const bySocket = new Map<LiveSocket, Set<string>>();
  /** Meeting id → the sockets watching its attendance, and the other way round. */
  const byMeeting = new Map<string, Set<LiveSocket>>();
  const meetingsOf = new Map<LiveSocket, Set<string>>();
  let listener: pg.Client | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;

  function deliver(socket: LiveSocket, data: string) {
    if (socket.readyState !== OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      socket.terminate();
      return;
    }
    socket.send(data);
  }

  function onRevocation(payload: string) {
    try {
      const r = JSON.parse(payload) as { userId?: unknown; tokenVersion?: unknown };
      if (typeof r.userId === 'string' && typeof r.tokenVersion === 'number') deps.onRevoked?.(r.userId, r.tokenVersion);
    } catch {
      // not ours
    }
  }

  /** An attendance (built by the meetings service), passed on as it came once it fits the shared schema. */
  function onAttendance(payload: string) {
    let parsed;
    try {
      parsed = LiveAttendanceSchema.safeParse(JSON.parse(payload));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      deps.log.warn('live listener: an attendance notification not in the LiveAttendance shape was dropped');
      return;
    }
    const data = JSON.stringify(parsed.data);
    for (const s of byMeeting.get(parsed.data.meetingId) ?? []) deliver(s, data);
  }

  function onNotification(msg: pg.Notification) {
    if (msg.channel === SESSIONS_REVOKED_CHANNEL && msg.payload) return onRevocation(msg.payload);
    if (msg.channel === MEETING_ATTENDANCE_CHANNEL && msg.payload) return onAttendance(msg.payload);
    if (msg.channel !== TASK_COUNTS_CHANNEL || !msg.payload) return;
    const count = parseCount(msg.payload);
    if (!count) {
      deps.log.warn('live listener: a count notification not in the LiveCount shape was dropped');
      return;
    }
    deps.onCount?.(count);
    const sockets = byTask.get(count.taskId);
    if (!sockets) return;
    const data = JSON.stringify(count);
    for (const s of sockets) deliver(s, data);
  }

  async function snapshot(ids: string[]): Promise<LiveCount[]> {
    const now = deps.clock.now();
    const rows = await deps.tasksRepository.liveCounts(ids);
    return rows.map((r) =>
      LiveCountSchema.parse({
        taskId: r.id,
        claimed: r.claimed,
        remaining: r.capacity - r.claimed,
        status: taskStatus(r, now),
        version: r.version,
      }),
    );
  }

  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: deps.databaseUrl });
    client.on('notification', onNotification);
    client.on('error', (err) => {
      // On shutdown the database may go first: that is no news. The database stopping or a
      // terminated backend (57P01 and kin) is reported without a stack: it is not a fault here.
      if (!closed && isDatabaseStopping(err)) {
        deps.log.info('live listener: the database ended its connection; reconnecting');
      } else if (!closed) {
        deps.log.warn({ err }, 'live listener lost its connection');
      }
      lost(client);
    });
    client.on('end', () => lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${TASK_COUNTS_CHANNEL}`);
      await client.query(`LISTEN ${SESSIONS_REVOKED_CHANNEL}`);
      await client.query(`LISTEN ${MEETING_ATTENDANCE_CHANNEL}`);
    } catch (err) {
      client.end().catch(() => {});
      throw err;
    }
    if (closed) {
      await client.end().catch(() => {});
      return;
    }
    listener = client;
    deps.onListening?.(true);
  }

  function lost(client: pg.Client) {
    if (closed || listener !== client) return;
    listener = null;
    deps.onListening?.(false);
    client.end().catch(() => {});
    reconnectSoon();
  }

  function reconnectSoon() {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(async () => {
      retryTimer = null;
      try {
        await connect();
      } catch (err) {
        // Seen every second while the database is down: the reason, not a stack.
        deps.log.warn(`live listener reconnect failed: ${err instanceof Error ? err.message : String(err)}`);
        reconnectSoon();
        return;
      }
      // Changes made while we were away were not heard: send everyone the current counts.
      try {
        for (const count of await snapshot([...byTask.keys()])) {
          const data = JSON.stringify(count);
          for (const s of byTask.get(count.taskId) ?? []) deliver(s, data);
        }
      } catch (err) {
        deps.log.warn({ err }, 'live counts resend failed');
      }
    }, 1000);
    retryTimer.unref();
  }

  return {
    start: connect,

    /** Adds the tasks to the socket's subscriptions and sends their current counts at once. */
    async subscribe(socket: LiveSocket, taskIds: string[]): Promise<void> {
      if (socket.readyState !== OPEN) return;
      const mine = bySocket.get(socket) ?? new Set<string>();
      bySocket.set(socket, mine);
      const added = taskIds.filter((id) => !mine.has(id)).slice(0, Math.max(0, MAX_TASKS_PER_SOCKET - mine.size));
      for (const id of added) {
        mine.add(id);
        const set = byTask.get(id) ?? new Set<LiveSocket>();
        set.add(socket);
        byTask.set(id, set);
      }
      for (const count of await snapshot(added)) deliver(socket, JSON.stringify(count));
    },

    unsubscribe(socket: LiveSocket, taskIds: string[]): void {
      const mine = bySocket.get(socket);
      if (!mine) return;
      for (const id of taskIds) {
        mine.delete(id);
        const set = byTask.get(id);
        set?.delete(socket);
        if (set && set.size === 0) byTask.delete(id);
      }
    },

    /** Adds a meeting's attendance to what the socket hears (the caller checked that its user may see it). */
    watchMeeting(socket: LiveSocket, meetingId: string): void {
      if (socket.readyState !== OPEN) return;
      const mine = meetingsOf.get(socket) ?? new Set<string>();
      if (mine.has(meetingId) || mine.size >= MAX_MEETINGS_PER_SOCKET) return;
      mine.add(meetingId);
      meetingsOf.set(socket, mine);
      const set = byMeeting.get(meetingId) ?? new Set<LiveSocket>();
      set.add(socket);
      byMeeting.set(meetingId, set);
    },

    drop(socket: LiveSocket): void {
      const mine = bySocket.get(socket);
      if (mine) this.unsubscribe(socket, [...mine]);
      bySocket.delete(socket);
      for (const id of meetingsOf.get(socket) ?? []) {
        const set = byMeeting.get(id);
        set?.delete(socket);
        if (set && set.size === 0) byMeeting.delete(id);
      }
      meetingsOf.delete(socket);
    },

    async close(): Promise<void> {
      closed = true;
      deps.onListening?.(false);
      if (retryTimer) clearTimeout(retryTimer);
      const client = listener;
      listener = null;
      await client?.end().catch(() => {});
    },
  };
}

export type LiveHub = ReturnType<typeof liveHubFactory>;
