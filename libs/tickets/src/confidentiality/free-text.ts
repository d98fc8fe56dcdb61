import { scrubCallerData } from '../masking';

/** Free-text fields of action inputs (replies, contact summaries, comments, reasons, case files). */
const FREE_TEXT = new Set([
  'content',
  'summary',
  'comment',
  'reason',
  'basis',
  'answer',
  'cause',
  'measures',
  'lesson',
]);

export interface CallerFacts {
  callerName: string | null;
  callerPhone: string | null;
  callerAddress: string | null;
}

/**
 * R-19 (issue 17, item 6): what people type into a reply, a contact summary, a comment or a case
 * file is masked like the subject and content at registration (the ticket's caller, any phone or
 * ID number), before it is stored, so the office, the ledger and DingTalk never see it clear.
 */
export function scrubFreeText(text: string, caller: CallerFacts): string {
  return scrubCallerData(text, { name: caller.callerName, phone: caller.callerPhone, address: caller.callerAddress });
}

/** The action body with every free-text field (at any depth) scrubbed; other fields untouched. */
export function scrubActionBody<T>(body: T, caller: CallerFacts): T {
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') return key !== null && FREE_TEXT.has(key) ? scrubFreeText(v, caller) : v;
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    }
    return v;
  };
  return walk(body, null) as T;
}
