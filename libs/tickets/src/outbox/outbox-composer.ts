import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  OrganisationRepository,
  TicketRepository,
  type DigestFigures,
  type DueTicketFacts,
  type OutboxInsert,
  type TicketAggregate,
  type Tx,
  type UncheckedNotice,
} from '@hotline/db';
import { isActive, type Audience, type Effect, type TicketState } from '@hotline/workflow';
import type { NoticeItem, OutboxTicket } from '../dingtalk/notice-composer';
import { scrubCallerData } from '../masking';

/** The ticket facts a DingTalk message may show, and the caller's details to keep out of them. */
export interface OutboxTicketFacts {
  id: string;
  number: string;
  categoryCode: string;
  categoryName: string;
  subject: string;
  callerName: string | null;
  callerPhone: string | null;
  callerAddress: string | null;
  status: string;
  step: string | null;
}

/** One matter of a folded deadline notice. */
export type FoldItem = NoticeItem & { ticketId: string; unit: string | null; key: string };

/** One person's deadline notice of a kind (and stage): the matters due for them in one scan. */
export interface Fold {
  notice: string;
  stage?: string;
  userids: Set<string>;
  items: Map<string, FoldItem>;
}

/** A folded notice stores at most this many matters (the message shows 10 and the count). */
const MAX_ITEMS_STORED = 20;

/**
 * The one place that composes outbox rows (issue 14.4): who an audience is (userids), what a
 * notice or to-do's payload holds and its dedupe key. The sender (apps/worker) and the delivery
 * check read these rows; a re-sent row must be identical (R-9a), so every key here is a pure
 * function of the event. R-19: nothing of the caller leaves for DingTalk.
 */
@Injectable()
export class OutboxComposer {
  constructor(
    private readonly org: OrganisationRepository,
    private readonly tickets: TicketRepository,
  ) {}

  /** The ticket as a DingTalk message shows it. R-19: nothing of the caller, even inside a subject. */
  ticket(t: OutboxTicketFacts): OutboxTicket {
    return {
      id: t.id,
      number: t.number,
      category: t.categoryCode,
      categoryName: t.categoryName,
      subject: scrubCallerData(t.subject, { name: t.callerName, phone: t.callerPhone, address: t.callerAddress }),
      status: t.status,
      step: t.step,
    };
  }

  /** A deadline scan's ticket as its notice shows it. */
  dueTicket(t: DueTicketFacts): OutboxTicket {
    return this.ticket({ ...t, id: t.ticketId, status: t.ticketStatus });
  }

  /** The people an audience of the workflow stands for, now. */
  async people(m: Tx, to: Audience): Promise<string[]> {
    switch (to.kind) {
      case 'unit_receivers':
        return this.org.peopleOfUnit(to.unitCode, 'receiver', m);
      case 'unit_leaders':
        return this.org.peopleOfUnit(to.unitCode, 'unit_leader', m);
      case 'person':
        return [to.userid];
      case 'role':
        return this.org.peopleWithRole(to.role, m);
    }
  }

  /**
   * As `people`, each audience read once per resolver: a scan asks for the same roles many times,
   * and a decision's notice and to-do usually go to the same unit's people (issue 19 goal 1).
   */
  resolver(m: Tx): (to: Audience) => Promise<string[]> {
    const seen = new Map<string, Promise<string[]>>();
    return (to) => {
      if (to.kind === 'person') return Promise.resolve([to.userid]);
      const key = to.kind === 'role' ? `role:${to.role}` : `${to.kind}:${to.unitCode}`;
      let found = seen.get(key);
      if (!found) seen.set(key, (found = this.people(m, to)));
      return found;
    };
  }

  /** A decision's effects as outbox rows: each audience resolved to people (no caller data, R-19). */
  async forDecision(
    m: Tx,
    agg: TicketAggregate,
    after: TicketState,
    effects: Effect[],
    now: Date,
    /** X-1: the review step's deadline when this decision starts one (its to-do's due time). */
    stepDeadline: Date | null,
  ): Promise<OutboxInsert[]> {
    const rows: OutboxInsert[] = [];
    const deadlineOf = (unit?: string) => {
      const a = after.assignments.find((x) => x.unitCode === unit && isActive(x));
      return a?.replyDeadline.toISOString() ?? null;
    };
    const unitNames = await this.tickets.unitNames(m);
    const ticket = this.ofDecision(agg, after);
    const people = this.resolver(m);
    for (const [i, e] of effects.entries()) {
      if (e.kind === 'todo_done') {
        rows.push({
          ticketId: after.id,
          kind: 'todo_done',
          dedupeKey: `todo_done:${e.key}:v${after.version}`,
          payload: { key: e.key, ticket },
        });
        continue;
      }
      const userids = await people(e.to);
      if (e.kind === 'notice') {
        rows.push({
          ticketId: after.id,
          kind: 'notice',
          dedupeKey: `notice:${after.id}:v${after.version}:${i}`,
          payload: {
            notice: e.notice,
            userids,
            unit: e.unitCode ?? null,
            unitName: e.unitCode ? (unitNames.get(e.unitCode) ?? e.unitCode) : null,
            // Issue 15.12: a case-analysis request has no reply deadline to show.
            deadline: e.notice === 'case_file_requested' ? null : deadlineOf(e.unitCode),
            // The event's time makes each notice's content its own (DingTalk drops a repeat of
            // identical content to one person on one day), while a re-sent row stays identical.
            at: now.toISOString(),
            ticket,
          },
        });
      } else {
        rows.push({
          ticketId: after.id,
          kind: 'todo_open',
          dedupeKey: `todo_open:${e.key}:v${after.version}`,
          payload: {
            key: e.key,
            action: e.action,
            userids,
            unit: e.unitCode ?? null,
            // Assignment to-dos carry their deadline; a review step's to-do, the step's (X-1).
            dueAt: (e.dueAt ?? (after.status === 'in_review' ? stepDeadline : null))?.toISOString() ?? null,
            ticket,
          },
        });
      }
    }
    return rows;
  }

  /** X-2: tells the admins that a deadline was computed without that year's holidays. */
  async calendarMissingYear(
    m: Tx,
    agg: TicketAggregate,
    after: TicketState,
    years: number[],
    now: Date,
  ): Promise<OutboxInsert> {
    const admins = await this.org.peopleWithRole('admin', m);
    const deadline = after.assignments.map((a) => a.replyDeadline.getTime()).sort((x, y) => y - x)[0];
    return {
      ticketId: after.id,
      kind: 'notice',
      dedupeKey: `calendar_missing_year:${years.join(',')}`,
      payload: {
        notice: 'calendar_missing_year',
        userids: admins,
        unit: null,
        unitName: null,
        deadline: deadline ? new Date(deadline).toISOString() : null,
        at: now.toISOString(),
        years,
        ticket: this.ofDecision(agg, after),
      },
    };
  }

  /** The ops head's daily digest of the working day starting at `dayStart` (one per day: its key). */
  async digest(m: Tx, dayStart: Date, figures: DigestFigures, now: Date): Promise<OutboxInsert> {
    return {
      ticketId: null,
      kind: 'notice',
      dedupeKey: `digest:${dayStart.toISOString()}`,
      payload: {
        notice: 'digest',
        userids: await this.org.peopleWithRole('ops_head', m),
        unit: null,
        unitName: null,
        deadline: null,
        at: now.toISOString(),
        ticket: null,
        digest: figures,
      },
    };
  }

  /**
   * X-9: a scan's folded deadline notices, one row per person and kind; people with exactly the
   * same matters share one row (one DingTalk call for them all, reference §5.2 / §8 quota).
   */
  deadlineNotices(folds: Iterable<Fold>, now: Date): OutboxInsert[] {
    const merged = new Map<string, Fold>();
    for (const f of folds) {
      const sig = `${f.notice}|${f.stage ?? ''}|${[...f.items.keys()].sort().join(',')}`;
      const same = merged.get(sig);
      if (same) for (const u of f.userids) same.userids.add(u);
      else merged.set(sig, { ...f, userids: new Set(f.userids) });
    }
    const rows: OutboxInsert[] = [];
    for (const [sig, f] of merged) {
      const items = [...f.items.values()].sort((a, b) => (a.deadline ?? '').localeCompare(b.deadline ?? ''));
      const userids = [...f.userids].sort();
      const first = items[0];
      const single = items.length === 1;
      const oneTicket = items.every((i) => i.ticketId === first.ticketId);
      rows.push({
        ticketId: oneTicket ? first.ticketId : null,
        kind: 'notice',
        // The reminder keys in `sig` are unique for ever, so this key is too.
        dedupeKey: `deadline:${createHash('sha256')
          .update(`${sig}|${userids.join(',')}`)
          .digest('hex')
          .slice(0, 40)}`,
        payload: {
          notice: f.notice,
          ...(f.stage ? { stage: f.stage } : {}),
          userids,
          unit: single ? first.unit : null,
          unitName: single ? first.unitName : null,
          deadline: single ? first.deadline : null,
          at: now.toISOString(),
          ticket: first.ticket,
          // The message lists the first few; the payload keeps a bounded list and the count.
          count: items.length,
          items: items
            .slice(0, MAX_ITEMS_STORED)
            .map((i) => ({ ticket: i.ticket, unitName: i.unitName, deadline: i.deadline })),
        },
      });
    }
    return rows;
  }

  /** R-9a: a notice re-sent to the people it did not reach (once: its key is the first's). */
  resend(notice: UncheckedNotice, userids: string[]): OutboxInsert {
    return {
      ticketId: notice.ticketId,
      kind: 'notice',
      dedupeKey: `${notice.dedupeKey}:resend`,
      payload: { ...notice.payload, resendOf: notice.id, userids },
    };
  }

  private ofDecision(agg: TicketAggregate, after: TicketState): OutboxTicket {
    return this.ticket({ ...agg.facts, id: after.id, status: after.status, step: after.step });
  }
}
