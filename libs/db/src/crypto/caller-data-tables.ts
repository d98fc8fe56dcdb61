// the one list of every table that holds caller data. Retention (erasure after
// RETENTION_CALLER_YEARS) and key rotation (`npm run caller-data:reencrypt`) both walk it, and a
// test compares it with the schema (every `caller_*` column is listed here or declared not to be
// caller data), so a new table with a caller cannot escape either job.

export interface CallerDataTable {
  table: string;
  /** AES-GCM ciphertexts (`enc:v1:<key id>:…`), in the order name, phone, address. */
  encrypted: readonly [name: string, phone: string, address: string];
  /** Keyed hash of the phone (X-6 repeat matching): erased with the data, rewritten on rotation. */
  phoneHash: string;
  /** Set when retention erased the row's caller data. */
  anonymisedAt: string;
  /** The ticket the row belongs to (its timeline records the erasure). */
  ticketId: string;
  /**
   * SQL condition over the row (alias `x`) and `$1` = the retention cutoff: its caller data is due
   * for erasure. A merged caller (并单) is kept as long as the ticket it joined: it is answered
   * when that ticket closes.
   */
  retentionDue: string;
}

export const CALLER_DATA_TABLES: readonly CallerDataTable[] = [
  {
    table: 'tickets',
    encrypted: ['caller_name', 'caller_phone', 'caller_address'],
    phoneHash: 'caller_phone_hash',
    anonymisedAt: 'caller_anonymised_at',
    ticketId: 'id',
    retentionDue: `x.status = 'closed' AND x.caller_anonymised_at IS NULL AND x.closed_at < $1`,
  },
  {
    table: 'ticket_callers',
    encrypted: ['caller_name', 'caller_phone', 'caller_address'],
    phoneHash: 'caller_phone_hash',
    anonymisedAt: 'caller_anonymised_at',
    ticketId: 'ticket_id',
    retentionDue: `x.caller_anonymised_at IS NULL AND EXISTS (
      SELECT 1 FROM tickets t WHERE t.id = x.ticket_id AND t.status = 'closed' AND t.closed_at < $1)`,
  },
];

/** `caller_*` columns that hold no data about the caller (a flag, a moment). */
export const NOT_CALLER_DATA_COLUMNS: readonly string[] = ['replies.caller_contacted'];
