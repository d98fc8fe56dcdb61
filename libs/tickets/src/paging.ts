// Opaque keyset cursors shared by every paginated list: the last row's sort key as base64url JSON.
// A cursor the API did not return is a 400 naming `cursor`.
import { DomainError } from '@hotline/workflow';

export function encodeCursor(key: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Reads a cursor back; `read` turns its parts into the key, or null when they are not one. */
export function decodeCursor<T>(cursor: string, read: (parts: unknown[]) => T | null, hint = ''): T {
  let key: T | null = null;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts)) key = read(parts);
  } catch {
    key = null;
  }
  if (key === null) throw new DomainError('VALIDATION', `翻页参数 cursor 无效${hint}，请从第一页重新加载。`, 'cursor');
  return key;
}

/** A cursor part written as an ISO time, or null. */
export function timePart(v: unknown): Date | null {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function isIdPart(v: unknown): v is string {
  return typeof v === 'string' && /^[0-9a-f-]{36}$/i.test(v);
}

/** The most common key: a time and a row id (newest-first or earliest-first lists). */
export function readTimeAndId(parts: unknown[]): { at: Date; id: string } | null {
  const at = timePart(parts[0]);
  return at && isIdPart(parts[1]) ? { at, id: parts[1] } : null;
}
