// The signed-in person and the reference lists every screen needs (loaded once per session).
import { createContext, useContext } from 'react';
import type { Category, Session, Source, Unit } from './types';

export interface Reference {
  units: Unit[];
  sources: Source[];
  categories: Category[];
}

export interface AppState {
  session: Session;
  reference: Reference;
  signOut: () => void;
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside AppContext');
  return ctx;
}

export function isDispatcher(session: Session): boolean {
  return session.user.roles.includes('dispatcher');
}

export function nameOf<T extends { code: string; name: string }>(list: T[], code: string | null | undefined): string {
  if (!code) return '';
  return list.find((x) => x.code === code)?.name ?? code;
}
