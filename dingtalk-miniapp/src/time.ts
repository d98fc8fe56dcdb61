// Deadlines: traffic light, countdown text and date formatting.
import { useEffect, useState } from 'react';

export type Light = 'green' | 'yellow' | 'red' | 'none';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** green; yellow once more than 2/3 of the time from start to deadline is used; red when overdue. */
export function trafficLight(
  deadline: string | null | undefined,
  start: string | null | undefined,
  now: number,
): Light {
  if (!deadline) return 'none';
  const end = Date.parse(deadline);
  if (now > end) return 'red';
  if (start) {
    const begin = Date.parse(start);
    if (end > begin && now - begin > ((end - begin) * 2) / 3) return 'yellow';
  }
  return 'green';
}

function span(ms: number): string {
  const days = Math.floor(ms / DAY);
  const hours = Math.floor((ms % DAY) / HOUR);
  const minutes = Math.floor((ms % HOUR) / MINUTE);
  if (days > 0) return hours > 0 ? `${days} 天 ${hours} 小时` : `${days} 天`;
  if (hours > 0) return `${hours} 小时 ${minutes} 分`;
  return `${Math.max(minutes, 1)} 分`;
}

/** "剩余 3 小时 12 分" / "已超期 1 天". */
export function countdown(deadline: string | null | undefined, now: number): string {
  if (!deadline) return '无期限';
  const left = Date.parse(deadline) - now;
  return left >= 0 ? `剩余 ${span(left)}` : `已超期 ${span(-left)}`;
}

/** A clock that re-renders its user every `everyMs` (the countdowns are minute-grained). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 2026-11-28 19:47 in the viewer's time zone. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Value for <input type="datetime-local"> from a Date. */
export function toLocalInput(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** ISO string from a datetime-local or date input value (local time); undefined when empty. */
export function fromLocalInput(value: string | null | undefined, endOfDay = false): string | undefined {
  if (!value) return undefined;
  const withTime = value.length === 10 ? `${value}T${endOfDay ? '23:59:59' : '00:00:00'}` : value;
  const d = new Date(withTime);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

// The office's months and days are Asia/Shanghai ones (UTC+8 all year, no daylight saving),
// whatever the phone's own time zone: the figures and the ledger count by them.
const SHANGHAI_OFFSET = 8 * HOUR;

/** [from, to) of a calendar month ('YYYY-MM') in Shanghai, as ISO instants. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const from = new Date(Date.UTC(y, m - 1, 1) - SHANGHAI_OFFSET);
  const to = new Date(Date.UTC(y, m, 1) - SHANGHAI_OFFSET);
  return { from: from.toISOString(), to: to.toISOString() };
}

/** 'YYYY-MM' of the Shanghai month `now` falls in. */
export function currentMonth(now = new Date()): string {
  const s = new Date(now.getTime() + SHANGHAI_OFFSET).toISOString();
  return s.slice(0, 7);
}

export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

/** [from, to) of a Shanghai calendar day ('YYYY-MM-DD'), as ISO instants. */
export function dayRange(day: string): { from: string; to: string } {
  const from = new Date(`${day}T00:00:00+08:00`);
  return { from: from.toISOString(), to: new Date(from.getTime() + DAY).toISOString() };
}
