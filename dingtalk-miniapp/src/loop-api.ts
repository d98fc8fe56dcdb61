// Closing the loop (issue 7): the follow-up call queue, the ledger and its export, the unit
// figures, hot spots and the dashboard's overview.
import { apiRequest as request } from './api-client';
import type * as api from './api/schema';

// Shapes generated from the API's OpenAPI document (src/api/schema.ts, issue 14.5).
export type FollowUpItem = api.FollowUpItemResponseDto;
export type LedgerRow = api.LedgerRowResponseDto;
export type UnitFigures = api.UnitFiguresResponseDto;
/** same-day dispatch, per initiator (userid) or for the office (userid null). */
export type DispatchFigures = api.DispatchFiguresResponseDto;
export type HotSpot = api.HotSpotResponseDto;
export type Overview = api.OverviewResponseDto;

export type LedgerFilter = Partial<
  Record<'from' | 'to' | 'source' | 'category' | 'unit' | 'status' | 'route' | 'light' | 'q', string>
>;

/** GET /api/ledger/exports/:id (issue 19). */
export type LedgerExportRecord = api.LedgerExportRecordResponseDto;

export function toQuery(q: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const loopApi = {
  followUps: (all: boolean, cursor?: string) =>
    request<api.FollowUpPageResponseDto>(
      'GET',
      `/api/follow-ups${toQuery({ all: all || undefined, cursor, limit: 50 })}`,
    ),
  ledger: (f: LedgerFilter, cursor?: string) =>
    request<api.LedgerPageResponseDto>('GET', `/api/ledger${toQuery({ ...f, cursor, limit: 50 })}`),
  /** Issue 19: `onStart` learns the export's record id and row total as soon as the answer begins. */
  exportLedger: (f: LedgerFilter, o: { signal?: AbortSignal; onStart?: (id: string, total: number) => void } = {}) =>
    request<Blob>('GET', `/api/ledger/export${toQuery(f)}`, {
      blob: true,
      signal: o.signal,
      onHeaders: (h) => {
        const id = h.get('x-export-id');
        if (id) o.onStart?.(id, Number(h.get('x-row-count') ?? 0));
      },
    }),
  /** Issue 19: one export's record: rows written so far while it runs. */
  exportRecord: (id: string) => request<LedgerExportRecord>('GET', `/api/ledger/exports/${encodeURIComponent(id)}`),
  units: (from: string, to: string) =>
    request<api.UnitFiguresPeriodResponseDto>('GET', `/api/stats/units${toQuery({ from, to })}`),
  hotSpots: (from: string, to: string) =>
    request<api.HotSpotsResponseDto>('GET', `/api/stats/hotspots${toQuery({ from, to })}`),
  dispatch: (from: string, to: string) =>
    request<api.DispatchFiguresPeriodResponseDto>('GET', `/api/stats/dispatch${toQuery({ from, to })}`),
  overview: (from: string, to: string) => request<Overview>('GET', `/api/stats/overview${toQuery({ from, to })}`),
  /** R-16, issue 15.12: the case library (written analyses by default), newest first. */
  caseFiles: (f: CaseFileFilter, cursor?: string) =>
    request<api.CaseFilePageResponseDto>('GET', `/api/case-files${toQuery({ ...f, cursor, limit: 20 })}`),
};

export type CaseFileFilter = Partial<{
  q: string;
  unit: string;
  partyKind: string;
  status: 'written' | 'pending' | 'all';
}>;

export const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
