import { Inject, Injectable } from '@nestjs/common';
import type { TimeLimit } from '@hotline/calendar';
import { OrganisationRepository } from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import { requireAccess } from '../access/access';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { DeadlinePolicy, type DeadlineBasis } from '../deadline-policy';
import { TimeLimitService } from './time-limit.service';

export interface DeadlinePreviewQuery {
  source: string;
  category: string;
  urgency: 'normal' | 'urgent';
  upstreamDeadline?: Date;
}

export interface DeadlinePreview {
  /** What a dispatch now would give each unit (R-9d, X-1 … X-3). */
  replyDeadline: string;
  acceptDeadline?: string;
  /** Issue 15.4 (R-6d): what a co unit gets, earlier than the lead's and the sole units'. */
  coReplyDeadline: string;
  coLeadWorkingDays: number;
  limit: TimeLimit;
  /** The time-limit row that matched, and how the deadline came about (policy or upstream cap). */
  policy: {
    id: number | null;
    sourceCode: string | null;
    categoryCode: string | null;
    urgency: 'normal' | 'urgent' | null;
    note: string | null;
    source: DeadlineBasis['source'];
    policyDeadline: string;
    upstreamDeadline?: string;
    marginWorkingDays?: number;
  };
  calendarVersion: string;
  /** years the computation reached into without holiday data (the preview records nothing). */
  missingYears: number[];
}

/**
 * Issue 6 item 4: the deadline a dispatch would compute, shown on the new-ticket form before the
 * ticket is saved. Same DeadlinePolicy as dispatch, computed from the server clock; writes nothing.
 */
@Injectable()
export class DeadlinePreviewService {
  constructor(
    private readonly deadlines: DeadlinePolicy,
    private readonly limits: TimeLimitService,
    private readonly org: OrganisationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async preview(user: CurrentUser, q: DeadlinePreviewQuery): Promise<DeadlinePreview> {
    requireAccess(user, 'deadlines.preview');
    const source = await this.org.findSource(q.source);
    if (!source || !source.active) throw new DomainError('VALIDATION', `未知的来源“${q.source}”。`, 'source');
    const category = await this.org.findCategory(q.category);
    if (!category || !category.active) {
      throw new DomainError('VALIDATION', `未知的事项类型“${q.category}”。`, 'category');
    }
    const facts = {
      sourceCode: source.code,
      categoryCode: category.code,
      urgency: q.urgency,
      upstreamDeadline: q.upstreamDeadline ?? null,
    };
    const computed = await this.deadlines.forDispatch(facts, this.clock.now(), undefined);
    const row = await this.limits.policyFor(facts);
    const b = computed.basis;
    return {
      replyDeadline: computed.replyDeadline.toISOString(),
      ...(computed.acceptDeadline ? { acceptDeadline: computed.acceptDeadline.toISOString() } : {}),
      coReplyDeadline: computed.co.replyDeadline.toISOString(),
      coLeadWorkingDays: row.coLeadWorkingDays,
      limit: { ...b.limit },
      policy: {
        id: b.policyId,
        sourceCode: row.sourceCode,
        categoryCode: row.categoryCode,
        urgency: row.urgency,
        note: row.note,
        source: b.source,
        policyDeadline: b.policyDeadline,
        ...(b.upstreamDeadline ? { upstreamDeadline: b.upstreamDeadline, marginWorkingDays: b.marginWorkingDays } : {}),
      },
      calendarVersion: computed.calendarVersion,
      missingYears: computed.missingYears,
    };
  }
}
