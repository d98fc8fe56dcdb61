// The intake desk's calls (issue 9): article suggestions, routing suggestions and the
// repeat panel. The phone goes to the server to be hashed there; answers never contain it.
import { apiRequest as request } from './api-client';

export interface KbSuggestion {
  id: string;
  title: string;
  excerpt: string;
  category: string | null;
  score: number;
  uses: number;
}

export interface KbArticle {
  id: string;
  title: string;
  body: string;
}

export interface RoutingSuggestion {
  route: { code: string; name: string; branchName: string } | null;
  vehicle: { plate: string; fleetNumber: string | null } | null;
  branch: { code: string; name: string; from: 'vehicle' | 'route' } | null;
  units: Array<{ code: string; name: string; role: 'sole' | 'lead' | 'co'; reason: string }>;
}

export interface RepeatMatch {
  id: string;
  number: string;
  subject: string;
  status: string;
  createdAt: string;
  matchedOn: Array<'phone' | 'vehicle' | 'route' | 'stop'>;
  caller: { name: string | null; phone: string | null; hidden: boolean };
  open: boolean;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const intakeApi = {
  suggestArticles: (q: string) => request<KbSuggestion[]>('GET', `/api/kb/suggest${query({ q, limit: '3' })}`),
  article: (id: string) => request<KbArticle>('GET', `/api/kb/articles/${encodeURIComponent(id)}`),
  suggestRouting: (p: { route?: string; vehiclePlate?: string; category?: string; text?: string }) =>
    request<RoutingSuggestion>('GET', `/api/intake/suggest${query(p)}`),
  repeats: (p: { phone?: string; route?: string; vehiclePlate?: string; stop?: string }) =>
    request<{ days: number; matches: RepeatMatch[] }>('GET', `/api/intake/repeats${query(p)}`),
};
