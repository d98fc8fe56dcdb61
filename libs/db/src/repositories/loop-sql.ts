// SQL fragments shared by the ledger (R-15) and the unit assessment (R-18), so a ticket counted
// "overdue" in one is overdue in the other. Definitions: docs/kpi.md.

/**
 * The first leader-approved reply of assignment `a` (R-10: a reply counts once approved); a
 * column the database keeps from the replies (migration 1766100000000).
 */
export function firstApprovedSql(a: string): string {
  return `${a}.first_approved_at`;
}

/**
 * The deadline the first reply is judged against: the one in force before a follow-up call
 * re-opened the assignment with a fresh deadline (X-5), else the current one (extended, X-4).
 */
export function judgedDeadlineSql(a: string): string {
  return `COALESCE((SELECT v.previous_deadline FROM visits v WHERE v.rework_assignment_id = ${a}.id
                     ORDER BY v.id LIMIT 1), ${a}.reply_deadline)`;
}

/**
 * Assignments that the unit handles: neither returned (R-12), cancelled (revoke, direct answer)
 * nor withdrawn (改派 by the ops department, issue 15.9).
 */
export function handledSql(a: string): string {
  return `${a}.status NOT IN ('returned', 'cancelled', 'withdrawn')`;
}

/**
 * Assignments that count for their unit: handled ones, and on a revoked ticket those the revoke
 * cancelled (issue 15: assignments already overdue keep counting; overdueSql adds "overdue at
 * the revoke"). `ticketStatus` is the ticket's status column.
 */
export function countedSql(a: string, ticketStatus: string): string {
  return `(${handledSql(a)} OR (${ticketStatus} = 'revoked' AND ${a}.status = 'cancelled'))`;
}

/** When ticket `t` was revoked (the timeline's revoke event, written from the application clock). */
export function revokedAtSql(t: string): string {
  return `(SELECT max(e.at) FROM timeline_events e WHERE e.ticket_id = ${t}.id AND e.action = 'revoke')`;
}

/**
 * R-9d: overdue when the first approved reply came after its judged deadline (as extended, X-4;
 * before a re-opening call, X-5), or when there is none yet and the clock value `now` has passed it.
 * With the ticket alias `t`, a revoked ticket's cancelled assignment is judged at the revoke
 * (overdue then, it stays overdue; issue 15).
 */
export function overdueSql(
  a: string,
  firstApproved: string,
  now: string,
  deadline = judgedDeadlineSql(a),
  t?: string,
): string {
  if (!t) return `(${handledSql(a)} AND COALESCE(${firstApproved}, ${now}::timestamptz) > ${deadline})`;
  const at = `CASE WHEN ${t}.status = 'revoked' THEN ${revokedAtSql(t)} ELSE ${now}::timestamptz END`;
  return `(${countedSql(a, `${t}.status`)} AND COALESCE(${firstApproved}, ${at}) > ${deadline})`;
}

/**
 * X-10 "the same matter" for repeat calls: the route as typed, without spaces, case or a
 * trailing 路 ('' when none), so 12路 and 12 are one route.
 */
export function routeKeySql(t: string): string {
  return `upper(rtrim(replace(COALESCE(${t}.route, ''), ' ', ''), '路'))`;
}

/**
 * R-15: the ledger's and the ticket list's free-text search of ticket `t`: a substring of the
 * subject or the content, whatever its case (the trigram indexes of migration 1766400000000 serve
 * LIKE and ILIKE), or the ticket number exactly; % _ \ in the search are literal. A search with
 * no letter that has a case (Chinese, digits) matches the same rows with LIKE, which compares the
 * bytes: ILIKE lowers every subject and content first, three times the cost per ticket tested
 * (20,000 at 10 M: 51–61 ms against 17). Pushes two parameters.
 */
export function searchSql(q: string, params: unknown[]): string {
  const { op, like, number } = searchParts(q, params);
  return `(t.subject ${op} ${like} OR t.content ${op} ${like} OR t.number = ${number})`;
}

/**
 * How common each character is among the tickets' subjects and contents, lowered (0 to 1): the
 * characters index's statistics (ANALYZE's most common elements of tickets_chars), null when there
 * are none yet. A character not among them is rarer than the rarest listed.
 */
export type CharShares = { shares: Map<string, number>; floor: number } | null;

/**
 * R-15: how common each character is in the tickets (searchIndexSql): the most common elements of
 * the characters index that ANALYZE keeps (pg_stats); null when there are none. `ds`: a DataSource,
 * or the export process's connection (rows of a statement).
 */
export async function readCharShares(ds: { query(sql: string): Promise<any[]> }): Promise<CharShares> {
  // The owner's function (migration 1766470000000): an index's statistics are its owner's to see.
  const [r] = await ds.query(`SELECT elems, freqs FROM ticket_char_shares()`);
  const elems: string[] = r?.elems ?? [];
  const freqs: number[] = (r?.freqs ?? []).map(Number);
  // most_common_elem_freqs: one per element, then the least and the greatest of them, and the
  // share of empty arrays. A character not listed: as PostgreSQL's own estimate of an element not
  // listed (the lesser of 0.005 and half the least listed).
  if (elems.length === 0 || freqs.length < elems.length + 2) return null;
  return {
    shares: new Map(elems.map((e, i) => [e, freqs[i]!])),
    floor: Math.min(0.005, freqs[elems.length]! / 2),
  };
}

/**
 * R-15: searchSql's condition in the form the indexes answer, for a statement that finds every
 * match (the search's second phase).
 * - With three letters or digits in a row, the trigram indexes. One pattern of the whole search is
 *   one key of the index, and the index advances every trigram of it for each candidate of its
 *   rarest: `乘客反映 987654` at 1 M tickets read the posting lists of the Chinese trigrams that
 *   every subject has (984 buffers, 58 ms). So up to three pieces of three characters come first
 *   (rarestApart: apart, and the rarest set by the characters' shares), each a key of its own, and
 *   the whole search last: the index steps from one key's items to the next key's (the same
 *   search: 32 buffers, 0.5 ms). Without statistics, the whole search alone.
 * - With fewer, pg_trgm has no trigram to look up and its indexes return every ticket to be tested
 *   (a term that few tickets have: 1.9 s at 1 M tickets). The characters index (tickets_chars,
 *   migration 1766470000000, whose expression this spells exactly) narrows it to the tickets whose
 *   subject or content has every character of the search, lowered, and the search's condition
 *   decides. ILIKE lowers both sides the same way, so no match is lost.
 */
export function searchIndexSql(q: string, params: unknown[], chars: CharShares): string {
  const { op, like, number } = searchParts(q, params);
  const pieces = trigramPieces(q);
  if (pieces.length === 0) {
    params.push(q);
    return `((string_to_array(lower(t.subject || t.content), NULL) @> string_to_array(lower($${params.length}), NULL)
              AND (t.subject ${op} ${like} OR t.content ${op} ${like})) OR t.number = ${number})`;
  }
  if (!chars) return `(t.subject ${op} ${like} OR t.content ${op} ${like} OR t.number = ${number})`;
  const share = (piece: string) =>
    [...piece.toLowerCase()].reduce((p, c) => p * (chars.shares.get(c) ?? chars.floor), 1);
  const chosen = rarestApart(
    pieces.map((p) => ({ ...p, share: share(p.text) })),
    3,
  );
  const keys = chosen.map(({ text }) => {
    params.push(`%${text}%`);
    return `$${params.length}`;
  });
  const all = (column: string) => [...keys, like].map((p) => `${column} ${op} ${p}`).join(' AND ');
  return `((${all('t.subject')}) OR (${all('t.content')}) OR t.number = ${number})`;
}

/**
 * searchIndexSql's keys: of the pieces that narrow the search (a share under one half: a piece in
 * most tickets costs a long posting list and removes few), at most `most` that do not overlap,
 * with the least product of their shares (the tickets expected to have all of them), rarest
 * first; among the twelve rarest pieces, every such set is tried. Pieces that overlap are found in
 * the same tickets (9876543's 987 and 876), so the next key would skip little; and the rarest piece
 * alone can block two others that together narrow more (`765` in the middle of `9876543`: at 10 M
 * tickets 14,176 buffers in 91–98 ms; `543` and `876` 477 buffers in 3.4–3.9 ms). The same piece
 * twice is one key (`000` and `000` in `10000000`), however far apart: it narrows no further.
 */
export function rarestApart<P extends { at: number; text: string; share: number }>(pieces: P[], most: number): P[] {
  const candidates = pieces
    .filter((p) => p.share < 0.5)
    .sort((a, b) => a.share - b.share)
    .slice(0, 12);
  let best: P[] = [];
  let bestShare = 1;
  const visit = (from: number, set: P[], product: number) => {
    if (set.length > 0 && product < bestShare) {
      best = set;
      bestShare = product;
    }
    if (set.length === most) return;
    for (let i = from; i < candidates.length; i++) {
      const p = candidates[i]!;
      if (set.every((c) => Math.abs(c.at - p.at) >= 3 && c.text !== p.text))
        visit(i + 1, [...set, p], product * p.share);
    }
  };
  visit(0, [], 1);
  return best;
}

/** The search has three letters or digits in a row: the trigram indexes answer it (searchIndexSql). */
export function hasTrigram(q: string): boolean {
  return trigramPieces(q).length > 0;
}

/**
 * The search's pieces of three letters or digits, each with its place (one trigram each, no
 * wildcard to escape).
 */
function trigramPieces(q: string): { at: number; text: string }[] {
  const chars = [...q];
  const pieces: { at: number; text: string }[] = [];
  for (let at = 0; at + 3 <= chars.length; at++) {
    const text = chars.slice(at, at + 3).join('');
    if (/^[\p{L}\p{N}]{3}$/u.test(text)) pieces.push({ at, text });
  }
  return pieces;
}

/** searchSql's parts: the operator, the LIKE pattern's and the number's parameters. Pushes two. */
function searchParts(q: string, params: unknown[]): { op: string; like: string; number: string } {
  params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, q);
  return { op: caseless(q) ? 'LIKE' : 'ILIKE', like: `$${params.length - 1}`, number: `$${params.length}` };
}

/** No letter of `q` has a case (searchSql compares its bytes). */
export function caseless(q: string): boolean {
  return q.toLowerCase() === q.toUpperCase();
}

/** Assignments whose deadline runs (X-9): the same list as the partial indexes. */
export const OPEN_ASSIGNMENT_STATUSES = `('pending_accept', 'accepted', 'awaiting_leader', 'return_requested')`;

/**
 * X-9: the light of an assignment row `a` in SQL, from dispatched_at, reply_deadline and the clock
 * value (parameter $now), never now(): red past the deadline, yellow when more than the share
 * (parameter $share) of the time is used, else green; NULL when the assignment is not open.
 */
export function lightSql(a: string, now: string, share: string): string {
  return `CASE WHEN ${a}.status IN ${OPEN_ASSIGNMENT_STATUSES} THEN
            CASE WHEN ${a}.reply_deadline <= ${now}::timestamptz THEN 'red'
                 WHEN ${a}.dispatched_at + (${a}.reply_deadline - ${a}.dispatched_at) * ${share}::float8 <= ${now}::timestamptz
                   THEN 'yellow'
                 ELSE 'green' END
          END`;
}
