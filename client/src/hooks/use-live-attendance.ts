import type { Attendance } from '@pioneer/shared';
import { useLiveSocket } from '@/hooks/use-live-socket';

/**
 * A meeting's attendance as it comes, over the live channel (`watch-meeting`): `onAttendance` hears
 * each new one with the meeting's total; `onConnected` each (re)connect, after which what came while
 * the socket was away should be read once over HTTP.
 */
export function useLiveAttendance(
  meetingId: string,
  active: boolean,
  onAttendance: (attendance: Attendance, count: number) => void,
  onConnected?: () => void,
): void {
  useLiveSocket(
    meetingId,
    active,
    (send) => {
      send({ type: 'watch-meeting', meetingId });
      onConnected?.();
    },
    (message) => {
      if ('type' in message && message.type === 'attendance' && message.meetingId === meetingId) {
        onAttendance(message.attendance, message.count);
      }
    },
  );
}
