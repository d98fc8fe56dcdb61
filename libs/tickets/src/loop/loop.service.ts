import { PassThrough, type Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { formatShanghai } from '@hotline/calendar';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  AssessmentRepository,
  LedgerRepository,
  LoopRepository,
  TicketRepository,
  type CaseFileRow,
  type DispatchFigures,
  type FollowUpQueueItem,
  type HotSpots,
  type LedgerCursor,
  type LedgerFilter,
  type LedgerRow,
  type Overview,
  type UnitFigures,
} from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { decodeCursor, encodeCursor, readTimeAndId } from '../paging';
import { can, refuse, requireAccess, requireScope } from '../access/access';
import type { XlsxCell } from './xlsx-stream';
import { LEDGER_COLUMNS } from './ledger-columns';
import type { LedgerExportJob } from './ledger-export.process';
import { forkLedgerExport } from './ledger-export.spawn';
import { heartbeat } from '../stale-runs.service';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** a route or topic with at least this many matters in the window is a strong public concern. */
export const DEFAULT_CONCERN_THRESHOLD = 5;

/**
 * Rows per batch of the export: the export process hands rows from PostgreSQL to the writer, and
 * reports its progress, a batch at a time. Issue 19: 500 rather than 2,000 keeps the peak memory
 * lower (each batch's rows and XML are garbage sooner) at the same rate (bench:ledger,
 * docs/benchmarks.md).
 */
export const EXPORT_BATCH = 500;
/** Ledger exports running at once per API process (each is a process with a database connection of its own). */
export const EXPORTS_AT_ONCE = 3;

/** the follow-up call queue is the ops department's. */
function requireOps(user: CurrentUser): void {
  requireAccess(user, 'follow_up.work');
}

/** The figures and the dashboard: the ops department, admin, the office and unit leaders. */
function requireStatsReader(user: CurrentUser): void {
  requireAccess(user, 'figures.view');
}

/** the assessment sheet's columns (the same figures as GET /api/stats/units). */
const FIGURE_COLUMNS: Array<{ header: string; key: keyof UnitFigures; width: number; rate?: boolean }> = [
  { header: '排名', key: 'rank', width: 6 },
  { header: '单位', key: 'unitName', width: 14 },
  { header: '派单数', key: 'dispatched', width: 8 },
  { header: '按时签收', key: 'acceptedOnTime', width: 8 },
  { header: '按时签收率', key: 'acceptOnTimeRate', width: 10, rate: true },
  { header: '按时回复', key: 'repliedOnTime', width: 8 },
  { header: '按时回复率', key: 'replyOnTimeRate', width: 10, rate: true },
  { header: '超期', key: 'overdue', width: 6 },
  { header: '申请退回', key: 'returnRequests', width: 8 },
  { header: '同意退回', key: 'returnsApproved', width: 8 },
  { header: '申请延期', key: 'extensionRequests', width: 8 },
  { header: '同意延期', key: 'extensionsApproved', width: 8 },
  { header: '重办次数', key: 'rework', width: 8 },
  { header: '回访重办', key: 'visitRework', width: 8 },
  { header: '回访接通', key: 'callsReached', width: 8 },
  { header: '解决率', key: 'solvedRate', width: 8, rate: true },
  { header: '满意率', key: 'satisfiedRate', width: 8, rate: true },
  { header: '无法联系', key: 'callsUnreachable', width: 8 },
  { header: '责任投诉', key: 'responsibleComplaints', width: 8 },
  { header: '回复不实', key: 'untrueReplies', width: 8 },
  { header: '按时办结', key: 'closedOnTime', width: 8 },
  { header: '按时办结率', key: 'onTimeCloseRate', width: 10, rate: true },
  { header: '一次办结', key: 'firstTimeClosed', width: 8 },
  { header: '一次办结率', key: 'firstTimeCloseRate', width: 10, rate: true },
  { header: '重复来电', key: 'repeatCalls', width: 8 },
  { header: '重复来电率', key: 'repeatRate', width: 10, rate: true },
];

const rateText = (v: number | null) => (v === null ? '' : `${(Number(v) * 100).toFixed(1)}%`);

function cursorAt(cursor: string | undefined): { at: Date; id: string } | undefined {
  return cursor ? decodeCursor(cursor, readTimeAndId) : undefined;
}

const cursorKey = (at: Date, id: string) => [at.toISOString(), id];

function page<T>(rows: T[], limit: number, key: (t: T) => [Date, string]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(cursorKey(...key(last))) : null };
}

function requirePeriod(from: Date, to: Date): void {
  if (!(from.getTime() < to.getTime())) throw new DomainError('VALIDATION', '开始时间须早于结束时间。', 'to');
}

/**
 * Closing the loop (issue 7): the follow-up call queue, the ledger and its streamed Excel
 * export (R-15), the unit assessment (R-18, X-10), hot spots (R-3, R-16) and the case library (R-16).
 */
@Injectable()
export class LoopService {
  private readonly logger = new Logger(LoopService.name);

  constructor(
    private readonly loop: LoopRepository,
    private readonly ledgerRepo: LedgerRepository,
    private readonly assessment: AssessmentRepository,
    private readonly tickets: TicketRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private clockParams() {
    return { now: this.clock.now(), yellowShare: this.config.deadlines.yellowShare };
  }

  /** closed tickets whose call is due by the end of today (or all pending with `all`). */
  async followUps(
    user: CurrentUser,
    q: { all?: boolean; limit: number; cursor?: string },
  ): Promise<Page<FollowUpQueueItem>> {
    requireOps(user);
    const dueBy = q.all ? new Date('9999-12-31T00:00:00Z') : this.clock.now();
    const rows = await this.loop.queue(dueBy, q.limit + 1, cursorAt(q.cursor));
    return page(rows, q.limit, (r) => [r.visitDueAt, r.id]);
  }

  /** one page of the ledger, newest first, scoped like the ticket list. */
  async ledger(user: CurrentUser, filter: LedgerFilter, limit: number, cursor?: string): Promise<Page<LedgerRow>> {
    const scope = requireScope(user);
    const c = cursorAt(cursor);
    const keyset: LedgerCursor | undefined = c ? { receivedAt: c.at, id: c.id } : undefined;
    const rows = await this.ledgerRepo.page(scope, filter, limit + 1, keyset, this.clockParams());
    return page(rows, limit, (r) => [r.receivedAt, r.id]);
  }

  /**
   * the ledger as an .xlsx, streamed. Issue 19 goal 3: the rows are read and written by a
   * process of their own (ledger-export.process.ts, forked per export): it reads the ledger
   * page's query by COPY on its own connection and writes the workbook into a pipe, which goes
   * on into the response at the client's pace (backpressure down to PostgreSQL), so neither the
   * API's memory nor its event loop carry the export. With a period, a second sheet holds the
   * unit figures (the same SQL as /api/stats/units), computed here meanwhile. Every export is on
   * record (who, when, filters, rows), with its progress after each batch; a download that
   * breaks off (the process failed or was killed) is cut off, never ended as if whole.
   */
  async exportLedger(
    user: CurrentUser,
    filter: LedgerFilter,
  ): Promise<{ stream: Readable; fileName: string; exportId: number; total: number }> {
    requireAccess(user, 'ledger.export');
    const scope = requireScope(user);
    // Issue 19: an export holds one database connection from its first row to its last; a few at
    // once per process, so exports never take the pool the other requests need.
    if (this.exportsRunning >= EXPORTS_AT_ONCE) {
      throw new DomainError('RATE_LIMITED', `已有 ${EXPORTS_AT_ONCE} 个台账导出正在进行，请稍后再试。`);
    }
    this.exportsRunning++;
    try {
      // From here the stream's writer gives the place back when it ends (done, failed or cancelled).
      return await this.startExport(user, scope, filter, () => this.exportsRunning--);
    } catch (e) {
      this.exportsRunning--;
      throw e;
    }
  }

  private exportsRunning = 0;

  private async startExport(
    user: CurrentUser,
    scope: ReturnType<typeof requireScope>,
    filter: LedgerFilter,
    done: () => void,
  ): Promise<{ stream: Readable; fileName: string; exportId: number; total: number }> {
    const started = this.clock.now();
    const params = this.clockParams();
    // Issue 19: the rows it will hold, so the micro-app can show how far it has got.
    const total = await this.ledgerRepo.count(scope, filter, params);
    const exportId = await this.ledgerRepo.startExport(user.userid, { ...filter }, total, started);
    const out = new PassThrough();
    const withFigures = Boolean(filter.from && filter.to);
    const sheets = [{ name: '台账', widths: LEDGER_COLUMNS.map((c) => c.width) }];
    if (withFigures) sheets.push({ name: '单位考核', widths: FIGURE_COLUMNS.map((c) => c.width) });
    // Issue 19: the progress on record, one update at a time (the latest count wins).
    let reported = 0;
    let progressing: Promise<void> | undefined;
    const progress = (rows: number) => {
      reported = rows;
      progressing ??= (async () => {
        for (let written = -1; written < reported;) {
          written = reported;
          await this.ledgerRepo.progressExport(exportId, written, this.clock.now()).catch(() => undefined);
        }
        progressing = undefined;
      })();
    };
    const child = forkLedgerExport(
      {
        database: this.ledgerRepo.exportConnectionSettings() as LedgerExportJob['database'],
        scope,
        filter,
        clock: params,
        startedAt: started,
        batch: EXPORT_BATCH,
        sheets,
      },
      progress,
    );
    // The person stopped the download (or the connection broke): the process stops reading.
    out.once('close', () => {
      if (!out.writableFinished) child.cancel();
    });
    child.output.pipe(out, { end: false });
    const outputEnded = new Promise<void>((resolve) => {
      child.output.once('end', resolve);
      child.output.once('close', resolve);
    });
    let figuresFailed = false;
    if (withFigures) {
      this.figureRows(filter.from!, filter.to!, params.now).then(
        (rows) => child.giveFigures(rows),
        (e: unknown) => {
          this.logger.error({ err: e, exportId }, 'ledger export: the unit figures failed');
          figuresFailed = true;
          child.cancel();
        },
      );
    }
    // Alive while it waits on a slow client too; an export whose API process died is swept as failed.
    const beat = heartbeat(this.clock, (now) => this.ledgerRepo.heartbeatExport(exportId, now));
    const finish = async () => {
      const end = await child.result;
      beat.stop();
      await outputEnded;
      while (progressing) await progressing;
      const rows = Math.max(end.rows, reported);
      if (end.type === 'done') {
        out.end();
        await this.ledgerRepo.finishExport(exportId, 'done', rows, this.clock.now());
        return;
      }
      // Not done: the download must not look complete, so the response is broken off.
      out.destroy(end.type === 'failed' ? new Error(end.message) : undefined);
      // A cancel the person did not ask for (the figures failed) is a failure.
      const status = end.type === 'cancelled' && !figuresFailed ? 'cancelled' : 'failed';
      if (end.type === 'failed') this.logger.error({ exportId, rows, message: end.message }, 'ledger export failed');
      else this.logger.log({ exportId, rows, total }, 'ledger export cancelled: the client hung up');
      await this.ledgerRepo.finishExport(exportId, status, rows, this.clock.now());
    };
    void finish()
      .catch((e: unknown) => this.logger.error({ err: e, exportId }, 'ledger export: recording its end failed'))
      .finally(done);
    const day = formatShanghai(started).slice(0, 10).replaceAll('-', '');
    return { stream: out, fileName: `ledger-${day}-${exportId}.xlsx`, exportId, total };
  }

  /** the export's second sheet: every unit's figures for the period, then the dispatch figures. */
  private async figureRows(from: Date, to: Date, now: Date): Promise<XlsxCell[][]> {
    const figures = await this.assessment.unitFigures(from, to, now, this.config.intake.repeatWindowDays);
    const rows: XlsxCell[][] = [FIGURE_COLUMNS.map((c) => c.header)];
    for (const f of figures) {
      rows.push(
        FIGURE_COLUMNS.map((c) => {
          const v = f[c.key];
          return c.rate ? rateText(v as number | null) : (v as XlsxCell);
        }),
      );
    }
    // the operations department's own same-day dispatch, below the units (docs/kpi.md).
    const d = await this.assessment.dispatchFigures(from, to, now);
    rows.push([], ['派单及时（R-17）', '发起人', '应派单', '当日派出', '超时派单', '其中未派', '超时派单率']);
    for (const x of [...d.dispatchers, d.total]) {
      rows.push(['', x.name ?? x.userid ?? '全部', x.due, x.onTime, x.late, x.waiting, rateText(x.lateRate)]);
    }
    return rows;
  }

  async exports(user: CurrentUser, limit: number) {
    requireAccess(user, 'ledger.exports_view');
    return this.ledgerRepo.exports(limit);
  }

  /** Issue 19: one export's record, its progress while it runs: for whoever started it, or the record's readers. */
  async exportRecord(user: CurrentUser, id: number) {
    const record = await this.ledgerRepo.exportRecord(id);
    if (!record || (record.userid !== user.userid && !can(user, 'ledger.exports_view'))) {
      throw new DomainError('NOT_FOUND', '没有这次导出的记录。');
    }
    return record;
  }

  /** every unit's figures for [from, to), ranked (one SQL source, docs/kpi.md). */
  async unitFigures(
    user: CurrentUser,
    from: Date,
    to: Date,
  ): Promise<{ from: string; to: string; units: UnitFigures[] }> {
    requireStatsReader(user);
    requirePeriod(from, to);
    const units = await this.assessment.unitFigures(from, to, this.clock.now(), this.config.intake.repeatWindowDays);
    return { from: from.toISOString(), to: to.toISOString(), units };
  }

  /** same-day dispatch of the tickets received in [from, to), per initiator and office-wide (docs/kpi.md). */
  async dispatchFigures(
    user: CurrentUser,
    from: Date,
    to: Date,
  ): Promise<{ from: string; to: string; total: DispatchFigures; dispatchers: DispatchFigures[] }> {
    requireStatsReader(user);
    requirePeriod(from, to);
    const d = await this.assessment.dispatchFigures(from, to, this.clock.now());
    return { from: from.toISOString(), to: to.toISOString(), ...d };
  }

  /** hot routes, stops, categories and hours in the window; strong concern past the threshold. */
  async hotSpots(
    user: CurrentUser,
    from: Date,
    to: Date,
    threshold = DEFAULT_CONCERN_THRESHOLD,
  ): Promise<HotSpots & { threshold: number }> {
    requireStatsReader(user);
    requirePeriod(from, to);
    return { ...(await this.assessment.hotSpots(from, to, threshold)), threshold };
  }

  async overview(user: CurrentUser, from: Date, to: Date): Promise<Overview> {
    requireStatsReader(user);
    requirePeriod(from, to);
    const p = this.clockParams();
    return this.assessment.overview(from, to, p.now, p.yellowShare);
  }

  /** R-16: the case library; unit people see their own units' cases (R-19). */
  async caseFiles(
    user: CurrentUser,
    q: {
      q?: string;
      unit?: string;
      partyKind?: string;
      status?: 'written' | 'pending' | 'all';
      limit: number;
      cursor?: string;
    },
  ): Promise<Page<CaseFileRow>> {
    const all = can(user, 'case_files.view_all');
    if (!all && !(can(user, 'case_files.view_own_units') && user.unitCodes.length > 0)) {
      refuse('case_files.view_all');
    }
    const rows = await this.loop.caseFiles(
      {
        q: q.q,
        unit: q.unit,
        partyKind: q.partyKind,
        status: q.status,
        unitCodes: all ? undefined : [...user.unitCodes],
      },
      q.limit + 1,
      cursorAt(q.cursor),
    );
    return page(rows, q.limit, (r) => [r.createdAt, r.id]);
  }
}
