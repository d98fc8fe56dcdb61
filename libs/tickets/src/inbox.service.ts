// 待办: a person's pending work across tickets (GET /api/inbox, GET /api/inbox/page). What waits
// for whom is workOf()'s answer; the inbox SQL is its form in the database (the issue 14.2 test in
// test/action-matrix.e2e-spec.ts holds the two equal).
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { InboxRepository, type InboxCursor, type InboxRow } from '@hotline/db';
import { ACTIONS, DomainError } from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { decodeCursor, encodeCursor, timePart } from './paging';

export interface InboxPage {
  items: InboxRow[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
  /** Everything waiting for this person, per action: true totals, not the page's (issue 19). */
  counts: Record<string, number>;
  /** The sum of counts. */
  total: number;
}

@Injectable()
export class InboxService {
  constructor(
    private readonly inbox: InboxRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The first `limit` items, soonest deadline first. */
  async first(user: CurrentUser, limit: number): Promise<InboxRow[]> {
    return this.inbox.inbox(user, limit, this.lightParams());
  }

  /** One page of the inbox, optionally only some actions (a tab), with the true counts. */
  async page(
    user: CurrentUser,
    q: { limit: number; cursor?: string; actions?: readonly string[] },
  ): Promise<InboxPage> {
    const unknown = (q.actions ?? []).filter((a) => !(ACTIONS as readonly string[]).includes(a));
    if (unknown.length > 0) throw new DomainError('VALIDATION', `未知的操作：${unknown.join('、')}。`, 'actions');
    const after = q.cursor ? decodeCursor(q.cursor, readInboxCursor) : undefined;
    const lights = this.lightParams();
    const [rows, counts] = await Promise.all([
      this.inbox.inbox(user, q.limit + 1, lights, { actions: q.actions, after }),
      this.inbox.counts(user, lights),
    ]);
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > q.limit && last ? encodeInboxCursor(last) : null,
      counts,
      total: Object.values(counts).reduce((a, b) => a + b, 0),
    };
  }

  private lightParams() {
    return { now: this.clock.now(), yellowShare: this.config.deadlines.yellowShare };
  }
}

function encodeInboxCursor(row: InboxRow): string {
  return encodeCursor(['I', row.deadline?.toISOString() ?? null, row.ticket.number, row.action, row.unit]);
}

function readInboxCursor(parts: unknown[]): InboxCursor | null {
  const [tag, deadline, number, action, unit] = parts;
  const at = deadline === null ? null : timePart(deadline);
  if (
    tag !== 'I' ||
    (deadline !== null && !at) ||
    typeof number !== 'string' ||
    typeof action !== 'string' ||
    (unit !== null && typeof unit !== 'string')
  ) {
    return null;
  }
  return { deadline: at, number, action, unit };
}
