import { Inject, Injectable } from '@nestjs/common';
import {
  OrganisationRepository,
  ReferenceDataRepository,
  TicketRepository,
  TimeLimitRepository,
  type LimitUnitName,
  type LimitValue,
  type ReferenceSnapshot,
  type TimeLimitPolicyInput,
  type TimeLimitPolicyRow,
  type Tx,
} from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { requireAccess } from '../access/access';
import { CalendarService } from '../calendar/calendar.service';
import { CLOCK, type Clock } from '../clock';
import { requiredMarginWorkingDays, workingMinutesPerDay } from './deadline-rules';

/** X-1 caps per unit: 6 months for proposals, the bus company's 15 working days, a day of hours. */
const MAX_AMOUNT: Record<LimitUnitName, number> = {
  minutes: 24 * 60,
  working_hours: 72,
  working_days: 15,
  calendar_months: 6,
};

/** The policy's limits and units as the admin's page names them, for the refusals. */
const LIMIT_LABELS: Record<string, string> = { reply: '回复时限', accept: '签收时限', review: '审核时限' };
const UNIT_LABELS: Record<LimitUnitName, string> = {
  minutes: '分钟',
  working_hours: '个工作小时',
  working_days: '个工作日',
  calendar_months: '个月',
};

/** Used only if the table has no catch-all row (it is seeded with one, and PUT insists on one). */
export const FALLBACK_POLICY: TimeLimitPolicyRow = {
  id: 0,
  sourceCode: null,
  categoryCode: null,
  urgency: null,
  accept: { amount: 1, unit: 'working_days' },
  reply: { amount: 5, unit: 'working_days' },
  review: { amount: 1, unit: 'working_days' },
  coLeadWorkingDays: 1,
  upstreamMarginWorkingDays: 4,
  note: 'built-in fallback',
  updatedBy: null,
  updatedAt: new Date(0),
};

/** time-limit policies as admin-editable data; the most specific matching row applies. */
@Injectable()
export class TimeLimitService {
  constructor(
    private readonly repo: TimeLimitRepository,
    private readonly org: OrganisationRepository,
    private readonly tickets: TicketRepository,
    private readonly calendars: CalendarService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reference: ReferenceDataRepository,
  ) {}

  async policyFor(
    facts: { sourceCode: string; categoryCode: string; urgency: string },
    m?: Tx,
    /** The request's snapshot when it has read one already (issue 19 goal 1). */
    known?: ReferenceSnapshot,
  ) {
    // Issue 19 goal 1: cached per reference_revision (one primary-key read instead of the match).
    const reference = known ?? (await this.reference.snapshot(m));
    return (await this.reference.policy(reference, facts, m)) ?? FALLBACK_POLICY;
  }

  /** Dispatchers and the ops head read the policies (they explain deadlines to callers); the admin edits them. */
  async list(user: CurrentUser): Promise<TimeLimitPolicyRow[]> {
    requireAccess(user, 'time_limits.view');
    return this.repo.list();
  }

  /** A row without a margin (an older client) gets what its review limits need, at least a day. */
  async replace(
    user: CurrentUser,
    input: Array<
      Omit<TimeLimitPolicyInput, 'upstreamMarginWorkingDays'> & { upstreamMarginWorkingDays: number | null }
    >,
  ): Promise<TimeLimitPolicyRow[]> {
    requireAccess(user, 'admin.time_limits');
    const minutesPerDay = workingMinutesPerDay(await this.calendars.current());
    const policies: TimeLimitPolicyInput[] = input.map((p) => ({
      ...p,
      upstreamMarginWorkingDays:
        p.upstreamMarginWorkingDays ?? Math.max(1, requiredMarginWorkingDays(p.review, minutesPerDay)),
    }));
    await this.validate(policies, minutesPerDay);
    await this.tickets.transaction((m) => this.repo.replaceAll(m, policies, user.userid, this.clock.now()));
    return this.repo.list();
  }

  private async validate(policies: TimeLimitPolicyInput[], minutesPerDay: number): Promise<void> {
    const seen = new Set<string>();
    const sourceList = await this.org.listSources();
    const sources = new Set(sourceList.map((s) => s.code));
    const chainOf = new Map(sourceList.map((s) => [s.code, s.chain]));
    const categories = new Set((await this.org.listCategories()).map((c) => c.code));
    for (const [i, p] of policies.entries()) {
      const key = `${p.sourceCode ?? '*'}|${p.categoryCode ?? '*'}|${p.urgency ?? '*'}`;
      if (seen.has(key)) {
        throw new DomainError('VALIDATION', `第 ${i + 1} 行与另一行的来源、事项类型和紧急程度相同。`, `policies[${i}]`);
      }
      seen.add(key);
      if (p.sourceCode !== null && !sources.has(p.sourceCode)) {
        throw new DomainError(
          'VALIDATION',
          `第 ${i + 1} 行：未知的来源“${p.sourceCode}”。`,
          `policies[${i}].sourceCode`,
        );
      }
      if (p.categoryCode !== null && !categories.has(p.categoryCode)) {
        throw new DomainError(
          'VALIDATION',
          `第 ${i + 1} 行：未知的事项类型“${p.categoryCode}”。`,
          `policies[${i}].categoryCode`,
        );
      }
      for (const [field, v] of [
        ['reply', p.reply],
        ['accept', p.accept],
        ['review', p.review],
      ] as Array<[string, LimitValue | null]>) {
        if (v && v.amount > MAX_AMOUNT[v.unit]) {
          throw new DomainError(
            'VALIDATION',
            `第 ${i + 1} 行：${LIMIT_LABELS[field]}最多 ${MAX_AMOUNT[v.unit]} ${UNIT_LABELS[v.unit]}（X-1）。`,
            `policies[${i}].${field}.amount`,
          );
        }
      }
      if (!Number.isInteger(p.coLeadWorkingDays) || p.coLeadWorkingDays < 0 || p.coLeadWorkingDays > 10) {
        throw new DomainError(
          'VALIDATION',
          `第 ${i + 1} 行：会办单位提前的工作日数须为 0 到 10 的整数（R-6）。`,
          `policies[${i}].coLeadWorkingDays`,
        );
      }
      // Issue 15.5: a row that can apply to a chain-B ticket keeps a margin that holds the
      // four review steps' own limits (a row for a source of another chain never meets one).
      const chainB = p.sourceCode === null || chainOf.get(p.sourceCode) === 'B';
      const needed = chainB ? requiredMarginWorkingDays(p.review, minutesPerDay) : 0;
      const margin = p.upstreamMarginWorkingDays;
      if (!Number.isInteger(margin) || margin < needed || margin > 100) {
        throw new DomainError(
          'VALIDATION',
          `第 ${i + 1} 行：上级期限前预留的工作日数须为整数，且不少于四个审核环节的审核时限之和 ${needed} 个工作日、不多于 100（X-3）。`,
          `policies[${i}].upstreamMarginWorkingDays`,
        );
      }
    }
    if (!seen.has('*|*|*')) {
      throw new DomainError('VALIDATION', '须保留一行默认时限（不限来源、事项类型和紧急程度）。', 'policies');
    }
  }
}
