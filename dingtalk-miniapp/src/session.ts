// The signed-in person, kept in localStorage so a reload keeps the session.
import type { Session } from './types';

const KEY = 'hotline.session';

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    // An expired access token is fine while the refresh token still renews it.
    const renewable = !!s.refreshToken && Date.parse(s.refreshExpiresAt ?? '') > Date.now();
    if (!s.token || (Date.parse(s.expiresAt) <= Date.now() && !renewable)) {
      localStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
}

/** Drafts of half-written forms survive an expired session (issue 6: sign-in must not lose a reply). */
export const drafts = {
  key: (ticketId: string, form: string) => `hotline.draft.${form}.${ticketId}`,
  load<T>(ticketId: string, form: string): Partial<T> | null {
    try {
      const raw = localStorage.getItem(this.key(ticketId, form));
      return raw ? (JSON.parse(raw) as Partial<T>) : null;
    } catch {
      return null;
    }
  },
  save(ticketId: string, form: string, values: unknown): void {
    try {
      localStorage.setItem(this.key(ticketId, form), JSON.stringify(values));
    } catch {
      // storage full or disabled: the draft is a convenience, the form still works
    }
  },
  clear(ticketId: string, form: string): void {
    localStorage.removeItem(this.key(ticketId, form));
  },
};
