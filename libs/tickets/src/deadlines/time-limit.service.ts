import { Inject, Injectable } from '@nestjs/common';
import {
  OrganisationRepository,
  TicketRepository,
  TimeLimitRepository,
  type LimitUnitName,
  type LimitValue,
  type TimeLimitPolicyInput,
  type TimeLimitPolicyRow,
  type Tx,
} from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { requireAdmin } from '../admin.service';
import { CLOCK, type Clock } from '../clock';

/** X-1 caps per unit: 6 months for proposals, the bus company's 15 working days, a day of hours. */
const MAX_AMOUNT: Record<LimitUnitName, number> = {
  minutes: 24 * 60,
  working_hours: 72,
  working_days: 15,
  calendar_months: 6,
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
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async policyFor(facts: { sourceCode: string; categoryCode: string; urgency: string }, m?: Tx) {
    return (await this.repo.match(facts, m)) ?? FALLBACK_POLICY;
  }

  /** Dispatchers and the ops head read the policies (they explain deadlines to callers); the admin edits them. */
  async list(user: CurrentUser): Promise<TimeLimitPolicyRow[]> {
    const r = user.roles;
    if (!r.includes('admin') && !r.includes('dispatcher') && !r.includes('ops_head')) {
      throw new DomainError('FORBIDDEN', 'only the ops department and the admin see time limits');
    }
    return this.repo.list();
  }

  async replace(user: CurrentUser, policies: TimeLimitPolicyInput[]): Promise<TimeLimitPolicyRow[]> {
    requireAdmin(user);
    await this.validate(policies);
    await this.tickets.transaction((m) => this.repo.replaceAll(m, policies, user.userid, this.clock.now()));
    return this.repo.list();
  }

  private async validate(policies: TimeLimitPolicyInput[]): Promise<void> {
    const seen = new Set<string>();
    const sources = new Set((await this.org.listSources()).map((s) => s.code));
    const categories = new Set((await this.org.listCategories()).map((c) => c.code));
    for (const [i, p] of policies.entries()) {
      const key = `${p.sourceCode ?? '*'}|${p.categoryCode ?? '*'}|${p.urgency ?? '*'}`;
      if (seen.has(key)) {
        throw new DomainError(
          'VALIDATION',
          `policies[${i}] repeats another row's source/category/urgency`,
          `policies[${i}]`,
        );
      }
      seen.add(key);
      if (p.sourceCode !== null && !sources.has(p.sourceCode)) {
        throw new DomainError('VALIDATION', `unknown source "${p.sourceCode}"`, `policies[${i}].sourceCode`);
      }
      if (p.categoryCode !== null && !categories.has(p.categoryCode)) {
        throw new DomainError('VALIDATION', `unknown category "${p.categoryCode}"`, `policies[${i}].categoryCode`);
      }
      for (const [field, v] of [
        ['reply', p.reply],
        ['accept', p.accept],
        ['review', p.review],
      ] as Array<[string, LimitValue | null]>) {
        if (v && v.amount > MAX_AMOUNT[v.unit]) {
          throw new DomainError(
            'VALIDATION',
            `${field} may be at most ${MAX_AMOUNT[v.unit]} ${v.unit} (X-1)`,
            `policies[${i}].${field}.amount`,
          );
        }
      }
    }
    if (!seen.has('*|*|*')) {
      throw new DomainError('VALIDATION', 'keep one default row (no source, category or urgency)', 'policies');
    }
  }
}
