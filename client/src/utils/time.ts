const WEEKDAYS = ['日', '一', '二', '三', '四', '五', '六'];

export const pad = (n: number) => String(n).padStart(2, '0');

/** The app shows Beijing time whatever the device's zone (China has one zone and no daylight saving). */
const BEIJING_OFFSET_MS = 8 * 3600_000;

/** The Beijing wall-clock fields of an instant (read with getUTC*). */
function beijing(iso: string | number): Date {
  return new Date((typeof iso === 'number' ? iso : Date.parse(iso)) + BEIJING_OFFSET_MS);
}

export function formatDay(iso: string): string {
  const d = beijing(iso);
  return `${d.getUTCMonth() + 1}月${d.getUTCDate()}日 周${WEEKDAYS[d.getUTCDay()]}`;
}

export function formatClock(iso: string): string {
  const d = beijing(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export function formatDateTime(iso: string): string {
  return `${formatDay(iso)} ${formatClock(iso)}`;
}

/** `YYYY-MM-DD` of an instant in Beijing. */
export function beijingDate(iso: string | number): string {
  const d = beijing(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** `HH:mm` of an instant in Beijing (picker value). */
export function beijingTime(iso: string | number): string {
  const d = beijing(iso);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export function formatRange(startsAt: string, endsAt: string): string {
  const sameDay = beijingDate(startsAt) === beijingDate(endsAt);
  return sameDay
    ? `${formatDay(startsAt)} ${formatClock(startsAt)}–${formatClock(endsAt)}`
    : `${formatDateTime(startsAt)} – ${formatDateTime(endsAt)}`;
}

/** `02:15:03`, or `3天 02:15:03` when more than a day is left. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const days = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const clock = `${pad(h)}:${pad(m)}:${pad(s)}`;
  return days > 0 ? `${days}天 ${clock}` : clock;
}

/** Builds `2026-03-05T09:00:00+08:00` from picker values, which are Beijing time. */
export function toIsoWithOffset(date: string, time: string): string {
  return `${date}T${time}:00+08:00`;
}

/** Today (plus `offsetDays`) in Beijing, `YYYY-MM-DD`. */
export function todayString(offsetDays = 0): string {
  return beijingDate(Date.now() + offsetDays * 86400000);
}

export function formatHours(minutes: number): string {
  return (minutes / 60).toFixed(minutes % 60 === 0 ? 0 : 1);
}

export function maskPhone(phone: string): string {
  return /^\d{11}$/.test(phone) ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}
