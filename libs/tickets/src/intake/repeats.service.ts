import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { CallerCipher, IntakeRepository } from '@hotline/db';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { maskName, maskPhone } from '../masking';
import { can, requireAccess, scopeFor } from '../access/access';
import { plateOf, routeCode } from './transit.service';

export interface RepeatQueryInput {
  phone?: string;
  route?: string;
  vehiclePlate?: string;
  stop?: string;
  days?: number;
}

/** an earlier matter shown on the repeat panel; the caller only masked, never the number. */
export interface RepeatMatch {
  id: string;
  number: string;
  subject: string;
  status: string;
  category: string;
  createdAt: string;
  route: string | null;
  stop: string | null;
  vehiclePlate: string | null;
  /** What matched: the same caller phone (keyed hash), vehicle, route, stop. */
  matchedOn: Array<'phone' | 'vehicle' | 'route' | 'stop'>;
  caller: { name: string | null; phone: string | null; hidden: boolean };
  /** Open matters can take a merge (并单). */
  open: boolean;
}

export interface RepeatPanel {
  days: number;
  since: string;
  matches: RepeatMatch[];
}

const OPEN = ['registered', 'in_progress', 'in_review', 'follow_up'];

/** the repeat panel and the callers of merged matters. */
@Injectable()
export class RepeatsService {
  constructor(
    private readonly intake: IntakeRepository,
    private readonly cipher: CallerCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Earlier matters of the same caller (matched on the keyed hash of the phone being typed; the
   * number is never echoed or logged) and of the same vehicle, route or stop within `days`.
   */
  async repeats(user: CurrentUser, q: RepeatQueryInput): Promise<RepeatPanel> {
    requireAccess(user, 'intake.repeats');
    const scope = scopeFor(user)!;
    const days = q.days ?? this.config.intake.repeatWindowDays;
    const since = new Date(this.clock.now().getTime() - days * 86_400_000);
    const phoneHash = q.phone ? this.cipher.phoneHash(q.phone) : null;
    const route = q.route?.trim() ? routeCode(q.route) : null;
    const vehiclePlate = q.vehiclePlate?.trim() ? plateOf(q.vehiclePlate) : null;
    const stop = q.stop?.trim() || null;
    if (!phoneHash && !route && !vehiclePlate && !stop) return { days, since: since.toISOString(), matches: [] };
    const rows = await this.intake.repeats(scope, { phoneHash, route, vehiclePlate, stop, since, limit: 20 });
    const office = can(user, 'caller.see_confidential');
    return {
      days,
      since: since.toISOString(),
      matches: rows.map((r) => {
        const hidden = r.confidential && !office;
        const matchedOn: RepeatMatch['matchedOn'] = [];
        if (r.byPhone) matchedOn.push('phone');
        if (r.byVehicle) matchedOn.push('vehicle');
        if (r.byRoute) matchedOn.push('route');
        if (r.byStop) matchedOn.push('stop');
        return {
          id: r.id,
          number: r.number,
          subject: r.subject,
          status: r.status,
          category: r.categoryCode,
          createdAt: r.createdAt.toISOString(),
          route: r.route,
          stop: r.stop,
          vehiclePlate: r.vehiclePlate,
          matchedOn,
          caller: {
            name: hidden ? null : maskName(r.callerName),
            phone: hidden ? null : maskPhone(r.callerPhone),
            hidden,
          },
          open: OPEN.includes(r.status),
        };
      }),
    };
  }

  /**
   * the follow-up list: callers of closed, merged-into tickets still to be answered, masked
   * like the ticket view's `callers[]` (only the ops department sees this list, so never hidden).
   */
  async callersToAnswer(user: CurrentUser) {
    requireAccess(user, 'callers.answer');
    return (await this.intake.callersToAnswer(200)).map((r) => ({
      callerId: r.callerId,
      ticket: { id: r.ticketId, number: r.ticketNumber, subject: r.subject },
      fromTicket: { id: r.fromTicketId, number: r.fromTicketNumber },
      caller: { name: maskName(r.name), phone: maskPhone(r.phone) },
      closedAt: r.closedAt.toISOString(),
      addedAt: r.addedAt.toISOString(),
    }));
  }
}
