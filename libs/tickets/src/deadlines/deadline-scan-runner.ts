import { DeadlineRepository, TicketRepository, type ReminderKey, type SystemTimelineEvent, type Tx } from '@hotline/db';
import type { Fold, FoldItem, OutboxComposer } from '../outbox/outbox-composer';

// The skeleton every deadline scan shares (issue 14.4), so a scan states only its own rule:
// which rows are due, their once-only key, how a row moves on, its timeline event and who is told.
// Each batch is one transaction:
//   1. claim due rows (`SELECT … FOR UPDATE SKIP LOCKED`: two workers take disjoint rows);
//   2. insert their reminder keys (`ON CONFLICT DO NOTHING RETURNING`: item × kind × deadline
//      exists once, even after a crash or a race);
//   3. move every claimed row on (next due time, "reminded at"), new key or not;
//   4. for the rows whose key was new only: a `system` timeline event and the notices, folded
//      per person, composed by the OutboxComposer and written to the outbox (sent later by the
//      worker, never here).
// A crash rolls the whole batch back. Batches repeat until one comes back short.

export interface ScanResult {
  /** Rows the scan locked and looked at. */
  claimed: number;
  /** Reminders (or records) made, by kind. */
  made: Record<string, number>;
  /** Outbox rows written (one per folded notice). */
  notices: number;
  batches: number;
}

/** Adds a matter to a person's notice of a kind (and stage). */
export type AddToFold = (userid: string, notice: string, stage: string | undefined, item: FoldItem) => void;

/** One deadline scan: its rule, the runner does the rest. */
export interface DeadlineScan<R> {
  /** Lock up to `limit` due rows (FOR UPDATE SKIP LOCKED) and read what the rule needs of them. */
  claim(m: Tx, limit: number): Promise<R[]>;
  /** The row's once-only key, or null when nothing is due for it yet (it is only moved on). */
  key(row: R): ReminderKey | null;
  /** Moves every claimed row on, whether its key was new or not. */
  markClaimed(m: Tx, rows: R[]): Promise<void>;
  /** The `system` timeline event of a row whose key was new, if it gets one. */
  event?(row: R): SystemTimelineEvent | null;
  /** The notices of the rows whose keys were new (called only when there are some). */
  notify?(m: Tx, due: R[], add: AddToFold): Promise<void>;
  /** Reported as `made[countAs]` (0 included) once rows were claimed; otherwise by key kind. */
  countAs?: string;
}

export function emptyScanResult(): ScanResult {
  return { claimed: 0, made: {}, notices: 0, batches: 0 };
}

export function keyString(k: ReminderKey): string {
  return DeadlineRepository.keyOf(k.item, k.kind, k.deadline);
}

export class DeadlineScanRunner {
  constructor(
    private readonly repo: DeadlineRepository,
    private readonly tickets: TicketRepository,
    private readonly composer: OutboxComposer,
  ) {}

  /** Runs batches of `limit` rows until one comes back short (at most `maxBatches`). */
  async run<R>(scan: DeadlineScan<R>, now: Date, limit: number, maxBatches: number): Promise<ScanResult> {
    const total = emptyScanResult();
    for (let i = 0; i < maxBatches; i++) {
      const r = await this.repo.transaction((m) => this.batch(scan, m, now, limit));
      total.batches += 1;
      total.claimed += r.claimed;
      total.notices += r.notices;
      for (const [k, n] of Object.entries(r.made)) total.made[k] = (total.made[k] ?? 0) + n;
      if (r.claimed < limit) break;
    }
    return total;
  }

  private async batch<R>(scan: DeadlineScan<R>, m: Tx, now: Date, limit: number): Promise<ScanResult> {
    const result = emptyScanResult();
    const rows = await scan.claim(m, limit);
    result.claimed = rows.length;
    if (rows.length === 0) return result;
    const keyed = rows.map((row) => ({ row, key: scan.key(row) }));
    const fresh = await this.repo.insertKeys(
      m,
      keyed.flatMap((k) => (k.key ? [k.key] : [])),
      now,
    );
    await scan.markClaimed(m, rows);
    const due = keyed.filter((k): k is { row: R; key: ReminderKey } => !!k.key && fresh.has(keyString(k.key)));
    if (scan.event) {
      const events = due.flatMap((k) => scan.event!(k.row) ?? []);
      await this.repo.appendSystemEvents(m, events);
    }
    if (scan.countAs) result.made[scan.countAs] = due.length;
    else for (const { key } of due) result.made[key.kind] = (result.made[key.kind] ?? 0) + 1;
    if (due.length > 0 && scan.notify) {
      const folds = new Map<string, Fold>();
      await scan.notify(
        m,
        due.map((k) => k.row),
        (userid, notice, stage, item) => addToFold(folds, userid, notice, stage, item),
      );
      result.notices = await this.writeFolds(m, folds, now);
    }
    return result;
  }

  private async writeFolds(m: Tx, folds: Map<string, Fold>, now: Date): Promise<number> {
    const rows = this.composer.deadlineNotices(folds.values(), now);
    await this.tickets.insertOutbox(m, rows, now);
    return rows.length;
  }
}

function addToFold(
  folds: Map<string, Fold>,
  userid: string,
  notice: string,
  stage: string | undefined,
  item: FoldItem,
): void {
  const id = `${userid}|${notice}|${stage ?? ''}`;
  let f = folds.get(id);
  if (!f) {
    f = { notice, stage, userids: new Set([userid]), items: new Map() };
    folds.set(id, f);
  }
  f.items.set(item.key, item);
}
