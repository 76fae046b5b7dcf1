import { MAX_RECORD_MINUTES, OVERRUN_MINUTES } from '@pioneer/shared';
import { AppError, invalid } from '../../lib/errors';

const MINUTE = 60_000;

/**
 * Contract v3's minute rule: whole minutes from max(check-in, post start) to min(check-out,
 * post end + 60 min), at least 0. Travel and waiting before the start are not service.
 */
export function serviceMinutes(checkedInAt: Date, checkedOutAt: Date, post: { startsAt: Date; endsAt: Date }): number {
  const from = Math.max(checkedInAt.getTime(), post.startsAt.getTime());
  const to = Math.min(checkedOutAt.getTime(), post.endsAt.getTime() + OVERRUN_MINUTES * MINUTE);
  return Math.max(0, Math.floor((to - from) / MINUTE));
}

/** Times a person states (补记, corrections): in order, not in the future, at most 24 hours apart. */
export function checkStatedTimes(checkedInAt: Date, checkedOutAt: Date, now: Date): void {
  if (checkedOutAt.getTime() <= checkedInAt.getTime()) throw invalid('checkedOutAt', 'before_check_in', '签退时间须晚于签到时间');
  if (checkedOutAt.getTime() > now.getTime()) throw invalid('checkedOutAt', 'in_future', '签退时间不能晚于现在');
  if (checkedOutAt.getTime() - checkedInAt.getTime() > MAX_RECORD_MINUTES * MINUTE)
    throw invalid('checkedOutAt', 'over_24_hours', '一次服务不能超过 24 小时');
}

/** Records are made for posts that have begun. */
export function checkStarted(post: { startsAt: Date }, now: Date): void {
  if (now.getTime() < post.startsAt.getTime())
    throw new AppError('CONFLICT', '岗位尚未开始', { details: [{ path: 'startsAt', reason: 'not_started' }] });
}
