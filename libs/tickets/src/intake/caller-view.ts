import type { TicketCallerRow } from '@hotline/db';
import { maskAddress, maskName, maskPhone } from '../masking';

/** an additional caller of a ticket (joined by a merge), masked like the ticket's own caller. */
export interface TicketCallerView {
  id: string;
  fromTicket: { id: string; number: string };
  name: string | null;
  phone: string | null;
  address: string | null;
  addedBy: string;
  addedAt: string;
  answered: { at: string; by: string; method: string | null; summary: string | null } | null;
}

export function callerView(c: TicketCallerRow, hidden: boolean): TicketCallerView {
  return {
    id: c.id,
    fromTicket: { id: c.fromTicketId, number: c.fromTicketNumber },
    name: hidden ? null : maskName(c.name),
    phone: hidden ? null : maskPhone(c.phone),
    address: hidden ? null : maskAddress(c.address),
    addedBy: c.addedBy,
    addedAt: c.addedAt.toISOString(),
    answered: c.answeredAt
      ? {
          at: c.answeredAt.toISOString(),
          by: c.answeredBy!,
          method: c.answerMethod,
          summary: c.answerSummary,
        }
      : null,
  };
}
