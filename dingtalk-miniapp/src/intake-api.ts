// The intake desk's calls (issue 9): article suggestions, routing suggestions and the
// repeat panel. The phone goes to the server to be hashed there; answers never contain it.
import { apiRequest as request } from './api-client';
import type * as api from './api/schema';

// Shapes generated from the API's OpenAPI document (issue 14.5).
export type KbSuggestion = api.KbSuggestionResponseDto;
export type KbArticle = api.KbArticleResponseDto;
export type RoutingSuggestion = api.RoutingSuggestionResponseDto;
export type RepeatMatch = api.RepeatMatchResponseDto;

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
    request<api.RepeatPanelResponseDto>('GET', `/api/intake/repeats${query(p)}`),
};
