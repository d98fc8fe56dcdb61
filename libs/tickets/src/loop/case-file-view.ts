import type { CaseFileRow } from '@hotline/db';

/** R-16, issue 15.12: a case file as the API returns it (the library and the ticket page). */
export interface CaseFileView {
  id: string;
  ticketId: string;
  ticketNumber: string;
  subject: string;
  route: string | null;
  unit: { code: string; name: string };
  basis: string;
  status: 'pending' | 'written';
  cause: string | null;
  partyKind: string | null;
  party: string | null;
  measures: string | null;
  lesson: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  writtenBy: { userid: string; name: string } | null;
  writtenAt: string | null;
}

export function caseFileView(r: CaseFileRow): CaseFileView {
  return {
    ...r,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    writtenAt: r.writtenAt ? r.writtenAt.toISOString() : null,
  };
}
