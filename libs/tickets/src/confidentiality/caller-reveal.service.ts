import { Inject, Injectable } from '@nestjs/common';
import { SecurityRepository, TicketRepository, type RevealRow } from '@hotline/db';
import { allowedActions, DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { LoopHooks } from '../loop/loop-hooks';
import { requireAccess, scopeFor } from '../access/access';
import { callerRevealBasis } from './caller-reveal-basis';

export interface RevealedCaller {
  name: string | null;
  phone: string | null;
  address: string | null;
}

/**
 * the caller's clear data, only to those who need it, and every full view on record.
 * - dispatchers: always (they register and answer the caller);
 * - the ops head: during the follow-up calls (status follow_up) and while reviewing a closed
 *   ticket's visit is due (closed);
 * - receivers and leaders of a unit whose assignment on the ticket is still open, unless the
 *   ticket is confidential (保密件), which hides the caller from units entirely.
 * Everyone else: 403 (or 404 when the ticket is not visible to them at all).
 */
@Injectable()
export class CallerRevealService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly security: SecurityRepository,
    private readonly loop: LoopHooks,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async reveal(user: CurrentUser, ticketId: string, reason: string): Promise<RevealedCaller> {
    const scope = scopeFor(user);
    const agg = scope ? await this.tickets.load(ticketId, scope) : null;
    if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    const caller = await this.security.callerOf(ticketId);
    if (!caller) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    // the follow-up call's round is part of the loop state, merged in before the rule asks.
    const callOpen =
      agg.state.status === 'closed' &&
      allowedActions((await this.loop.merge(agg)).state, user, this.clock.now()).includes('record_visit');
    const basis = callerRevealBasis(user, agg.state.status, caller.confidential, agg.state.assignments, callOpen);
    if (!basis) throw new DomainError('FORBIDDEN', '您的工作不需要查看该来电人的信息（R-19）。');
    const text = reason.trim();
    if (text.length < 2) throw new DomainError('VALIDATION', '请说明查看来电人信息的原因。', 'reason');
    await this.security.recordReveal(ticketId, user.userid, this.clock.now(), text, basis);
    return { name: caller.name, phone: caller.phone, address: caller.address };
  }

  async auditLog(user: CurrentUser, limit: number, beforeId?: number, ticketId?: string): Promise<RevealRow[]> {
    requireAccess(user, 'caller.reveal_log');
    return this.security.reveals(limit, beforeId, ticketId);
  }
}
