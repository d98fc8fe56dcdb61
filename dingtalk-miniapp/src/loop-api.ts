// Closing the loop (issue 7): the follow-up call queue, the ledger and its export, the unit
// figures, hot spots and the dashboard's overview.
import { apiRequest as request } from './api-client';
import type { CaseFile, Light } from './types';

export interface FollowUpItem {
  id: string;
  number: string;
  subject: string;
  sourceCode: string;
  categoryCode: string;
  closedAt: string;
  visitDueAt: string;
  round: number;
  noAnswer: number;
  units: Array<{ code: string; name: string; role: string }>;
}

export interface LedgerRow {
  id: string;
  number: string;
  receivedAt: string;
  source: string;
  category: string;
  subject: string;
  status: string;
  route: string | null;
  units: string;
  handlerUnit: string | null;
  handler: string | null;
  handledAt: string | null;
  reply: string | null;
  callerAnswer: string | null;
  /** answered directly instead of by a unit's reply. */
  directAnswer: boolean;
  /** R-6c, R-6d: every unit's approved reply, in dispatch order. */
  unitReplies: Array<{
    unit: string;
    role: string;
    handler: string;
    handledAt: string;
    content: string;
    callerAnswer: string;
  }>;
  /** the ticket this one was merged into. */
  mergedInto: { id: string; number: string } | null;
  visitStatus: string | null;
  visitSolved: boolean | null;
  visitSatisfaction: string | null;
  closedAt: string | null;
  overdue: boolean;
  returns: number;
  extensions: number;
  rework: number;
  responsibility: string | null;
  responsibleUnit: string | null;
}

export interface UnitFigures {
  unitCode: string;
  unitName: string;
  dispatched: number;
  handled: number;
  acceptOnTimeRate: number | null;
  repliedOnTime: number;
  replyOnTimeRate: number | null;
  overdue: number;
  returnsApproved: number;
  extensionsApproved: number;
  rework: number;
  callsReached: number;
  solvedRate: number | null;
  satisfiedRate: number | null;
  callsUnreachable: number;
  responsibleComplaints: number;
  untrueReplies: number;
  closed: number;
  closedOnTime: number;
  closeDue: number;
  onTimeCloseRate: number | null;
  firstTimeClosed: number;
  firstTimeCloseRate: number | null;
  repeatCalls: number;
  repeatRate: number | null;
  rank: number;
}

/** same-day dispatch, per initiator (userid) or for the office (userid null). */
export interface DispatchFigures {
  userid: string | null;
  name: string | null;
  due: number;
  onTime: number;
  late: number;
  waiting: number;
  lateRate: number | null;
}

export interface HotSpot {
  key: string;
  count: number;
  strongConcern: boolean;
}

export interface Overview {
  bySource: Array<{ key: string; name: string; count: number }>;
  byCategory: Array<{ key: string; name: string; count: number }>;
  byDay: Array<{ day: string; count: number }>;
  lights: Record<Light, number>;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export type LedgerFilter = Partial<
  Record<'from' | 'to' | 'source' | 'category' | 'unit' | 'status' | 'route' | 'light' | 'q', string>
>;

/** GET /api/ledger/exports/:id (issue 19). */
export interface LedgerExportRecord {
  id: number;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  rowCount: number | null;
  total: number | null;
}

export function toQuery(q: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const loopApi = {
  followUps: (all: boolean, cursor?: string) =>
    request<Page<FollowUpItem>>('GET', `/api/follow-ups${toQuery({ all: all || undefined, cursor, limit: 50 })}`),
  ledger: (f: LedgerFilter, cursor?: string) =>
    request<Page<LedgerRow>>('GET', `/api/ledger${toQuery({ ...f, cursor, limit: 50 })}`),
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
    request<{ units: UnitFigures[] }>('GET', `/api/stats/units${toQuery({ from, to })}`),
  hotSpots: (from: string, to: string) =>
    request<{ routes: HotSpot[]; stops: HotSpot[]; categories: HotSpot[]; hours: HotSpot[]; threshold: number }>(
      'GET',
      `/api/stats/hotspots${toQuery({ from, to })}`,
    ),
  dispatch: (from: string, to: string) =>
    request<{ total: DispatchFigures; dispatchers: DispatchFigures[] }>(
      'GET',
      `/api/stats/dispatch${toQuery({ from, to })}`,
    ),
  overview: (from: string, to: string) => request<Overview>('GET', `/api/stats/overview${toQuery({ from, to })}`),
  /** R-16, issue 15.12: the case library (written analyses by default), newest first. */
  caseFiles: (f: CaseFileFilter, cursor?: string) =>
    request<Page<CaseFile>>('GET', `/api/case-files${toQuery({ ...f, cursor, limit: 20 })}`),
};

export type CaseFileFilter = Partial<{
  q: string;
  unit: string;
  partyKind: string;
  status: 'written' | 'pending' | 'all';
}>;

export const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
