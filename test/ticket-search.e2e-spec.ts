// R-15: the ledger's free-text search (GET /api/tickets?q=) against real PostgreSQL, with more
// tickets than the search walks newest first before it asks the trigram indexes (√(370·N): 4,305
// for the 50,101 tickets here, analysed; 1,292 for a search with a letter): every page equals what
// plain SQL finds, whichever way the page was found.
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';
import { readCharShares, searchIndexSql } from '../libs/db/src/repositories/loop-sql';
import { TicketListRepository } from '../libs/db/src/repositories/ticket-list.repository';
import { LedgerRepository } from '../libs/db/src/repositories/ledger.repository';

describe('R-15: the free-text search past its walk', () => {
  let t: TestApp;
  let api: ApiClient;
  let ds: DataSource;
  let old: { id: string; number: string };
  const NEWER = 50_100;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'ticket_search' });
    api = new ApiClient(t.app);
    ds = t.app.get(DataSource);
    // The oldest ticket, through the API: the only one with "站台积水", one of the few with "偶见词".
    old = await api.createTicket('dispatcher1', { subject: '站台积水 偶见词', content: '乘客反映站台积水。' });
    // 50,100 newer ones, a second apart: all say "常见词"; every 4,000th also "偶见词" (12 of them),
    // every 1,000th up to S45000 is closed (45; the newest 5,000 are in progress, below). In the
    // content, for the walk's two stretches (431 tickets, then the rest of 4,305; the indexes
    // first, for at most 129 matches, when the first finds none): every 150th says "间隔词" (3 in
    // the first stretch, 334 in all), every 200th up to S49600 "稀疏词" (none in the first stretch,
    // 248 in all, 20 in the rest of the walk), every 250th up to S40000 "远期词" (160, none walked).
    await ds.query(
      `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content,
                            status, initiator, received_at, created_at, updated_at, closed_at, version)
       SELECT 'S' || i, 'group_hotline', 'A', 'phone', 'complaint', 'normal',
              '常见词 ' || i || CASE WHEN i % 4000 = 0 THEN ' 偶见词' ELSE '' END,
              '乘客来电反映。' || CASE WHEN i % 150 = 0 THEN ' 间隔词' ELSE '' END
                || CASE WHEN i % 200 = 0 AND i <= 49600 THEN ' 稀疏词' ELSE '' END
                || CASE WHEN i % 250 = 0 AND i <= 40000 THEN ' 远期词' ELSE '' END,
              CASE WHEN i % 1000 = 0 THEN 'closed' ELSE 'registered' END, 'dispatcher1',
              c.at + i * interval '1 second', c.at + i * interval '1 second', c.at + i * interval '1 second',
              CASE WHEN i % 1000 = 0 THEN c.at + i * interval '1 second' END, 1
         FROM generate_series(1, $1::int) AS i, (SELECT created_at AS at FROM tickets WHERE id = $2) AS c`,
      [NEWER, old.id],
    );
    // X-9: the oldest ticket dispatched (green), and the newest 5,000 in progress with a green
    // open assignment each (only a ticket in progress has open work): more than the search walks
    // among one light's tickets. Deadlines in milliseconds, as the product writes them (the light
    // order's cursor carries a deadline in milliseconds).
    await api.ok('dispatcher1', old.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
    await ds.query(
      `INSERT INTO assignments (ticket_id, unit_code, role, status, dispatched_at, dispatched_by, reply_deadline, seq, updated_at)
       SELECT id, 'branch2', 'sole', 'pending_accept', created_at, 'dispatcher1',
              date_trunc('milliseconds', created_at) + interval '30 days', 0, created_at
         FROM tickets WHERE number LIKE 'S%' AND substr(number, 2)::int > $1`,
      [NEWER - 5_000],
    );
    await ds.query(
      `UPDATE tickets SET status = 'in_progress', closed_at = NULL
        WHERE number LIKE 'S%' AND substr(number, 2)::int > $1`,
      [NEWER - 5_000],
    );
    // VACUUM too: the update left the new rows in the trigram indexes' pending lists, which the
    // planner counts against reading them.
    await ds.query('VACUUM ANALYZE tickets');
  });
  afterAll(() => t.close());

  /** Every match, newest first, by plain SQL. */
  async function expected(q: string, status?: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await ds.query(
      `SELECT id FROM tickets
        WHERE (subject ILIKE '%' || $1 || '%' OR content ILIKE '%' || $1 || '%' OR number = $1)
          AND ($2::text IS NULL OR status = $2)
        ORDER BY created_at DESC, id DESC`,
      [q, status ?? null],
    );
    return rows.map((r) => r.id);
  }

  /** Every match with an open assignment (all of them green here), newest first, by plain SQL. */
  async function expectedOpen(q: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await ds.query(
      `SELECT id FROM tickets t
        WHERE (subject ILIKE '%' || $1 || '%' OR content ILIKE '%' || $1 || '%' OR number = $1)
          AND EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id AND a.status = 'pending_accept')
        ORDER BY created_at DESC, id DESC`,
      [q],
    );
    return rows.map((r) => r.id);
  }

  /** Every page of the search, in turn (the ticket list's, or the ledger's). */
  async function pages(query: string, list = '/api/tickets'): Promise<string[][]> {
    const out: string[][] = [];
    let cursor: string | null = null;
    do {
      const r = await api.get('dispatcher1', `${list}?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      out.push(r.body.items.map((x: { id: string }) => x.id));
      cursor = r.body.nextCursor;
    } while (cursor && out.length < 50);
    return out;
  }

  it('R-15: a subject only the oldest ticket has is found past 50,000 newer tickets', async () => {
    expect(await pages(`q=${encodeURIComponent('站台积水')}`)).toEqual([[old.id]]);
  });

  it('R-15: a search with letters ignores their case; one without any finds the same tickets', async () => {
    const route = await api.createTicket('dispatcher1', {
      subject: 'Route BRT-3 乘客反映车门故障',
      content: '车门 Door 故障。',
    });
    for (const q of ['route brt', 'ROUTE BRT-3', 'door', 'brt-3 乘客反映', '车门故障']) {
      expect([q, await pages(`q=${encodeURIComponent(q)}`)]).toEqual([q, [[route.id]]]);
      // The ledger searches by the same rule (searchSql).
      const ledger = await api.get('dispatcher1', `/api/ledger?q=${encodeURIComponent(q)}`);
      expect([q, ledger.body.items.map((x: { id: string }) => x.id)]).toEqual([q, [route.id]]);
    }
  });

  it('R-15: the oldest ticket is found by its number', async () => {
    expect(await pages(`q=${old.number}`)).toEqual([[old.id]]);
  });

  it('R-15: a common term gives the newest matches, page by page', async () => {
    const all = await expected('常见词');
    expect(all).toHaveLength(NEWER);
    const first = await api.get('dispatcher1', `/api/tickets?limit=20&q=${encodeURIComponent('常见词')}`);
    expect(first.body.items.map((x: { id: string }) => x.id)).toEqual(all.slice(0, 20));
    const second = await api.get(
      'dispatcher1',
      `/api/tickets?limit=20&q=${encodeURIComponent('常见词')}&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((x: { id: string }) => x.id)).toEqual(all.slice(20, 40));
  });

  it('R-15: a term with fewer matches in the walk than a page gives every match, newest first', async () => {
    const all = await expected('偶见词');
    expect(all).toHaveLength(13);
    expect(await pages(`limit=20&q=${encodeURIComponent('偶见词')}`)).toEqual([all]);
    // Pages of 5 (the first walks to its cursor, the others from theirs): none missed, none twice.
    const paged = await pages(`limit=5&q=${encodeURIComponent('偶见词')}`);
    expect(paged.flat()).toEqual(all);
    expect(paged.map((p) => p.length)).toEqual([5, 5, 3]);
  });

  it('R-15: a term the first stretch of the walk finds is walked on, past the stretch, page by page', async () => {
    const all = await expected('间隔词');
    expect(all).toHaveLength(334);
    const paged = await pages(`limit=20&q=${encodeURIComponent('间隔词')}`);
    expect(paged.flat()).toEqual(all);
    expect(paged[0]).toEqual(all.slice(0, 20));
  });

  it('R-15: a term the first stretch does not find, with more matches than the indexes are asked for first, is walked on', async () => {
    const all = await expected('稀疏词');
    expect(all).toHaveLength(248);
    const paged = await pages(`limit=20&q=${encodeURIComponent('稀疏词')}`);
    expect(paged.flat()).toEqual(all);
    expect(paged.map((p) => p.length).slice(0, 2)).toEqual([20, 20]);
    // None walked at all, more than the cap: every match by the indexes, newest first.
    const far = await expected('远期词');
    expect(far).toHaveLength(160);
    expect((await pages(`limit=20&q=${encodeURIComponent('远期词')}`)).flat()).toEqual(far);
  });

  it('R-15: the ledger searches as the list does: every page equals plain SQL, past the walk too', async () => {
    const ledgerPages = (query: string) => pages(query, '/api/ledger');
    // The received time is the creation time here: the ledger's order is the list's.
    for (const q of ['站台积水', '偶见词', '间隔词', '稀疏词', '远期词', old.number, '没有这句话']) {
      const all = await expected(q);
      const paged = await ledgerPages(`limit=20&q=${encodeURIComponent(q)}`);
      expect([q, paged.flat()]).toEqual([q, all]);
    }
    // A common term: the newest first, then the next page from its cursor.
    const common = await ledgerPages(`limit=20&q=${encodeURIComponent('常见词')}`);
    expect(common.slice(0, 2)).toEqual([
      (await expected('常见词')).slice(0, 20),
      (await expected('常见词')).slice(20, 40),
    ]);
    // An export's total (LedgerRepository.count) by the text's indexes: every match counted.
    const ledger = t.app.get(LedgerRepository);
    const clock = { now: new Date(), yellowShare: 0.8 };
    for (const q of ['站台积水', '偶见词', '间隔词', '常见词', '积', '积水', 'S1', old.number, '没有这句话']) {
      expect([q, await ledger.count({ kind: 'all' }, { q }, clock)]).toEqual([q, (await expected(q)).length]);
    }
    expect(await ledger.count({ kind: 'all' }, { q: '偶见词', status: 'closed' }, clock)).toBe(
      (await expected('偶见词', 'closed')).length,
    );
    // A unit filter and a unit's scope are tested on the search's matches (the oldest ticket is
    // branch1's, past the walk; the newest 5,000 are branch2's).
    expect((await ledgerPages(`limit=20&unit=branch1&q=${encodeURIComponent('站台积水')}`)).flat()).toEqual([old.id]);
    expect((await ledgerPages(`limit=20&unit=branch2&q=${encodeURIComponent('站台积水')}`)).flat()).toEqual([]);
    const branch = (unit: string, q: string) =>
      ledger.page({ kind: 'units', unitCodes: [unit] }, { q }, 20, undefined, clock).then((r) => r.map((x) => x.id));
    expect(await branch('branch1', '偶见词')).toEqual([old.id]);
    const inBranch2 = (await expectedOpen('偶见词')).filter((id) => id !== old.id);
    expect(await branch('branch2', '偶见词')).toEqual(inBranch2);
    expect(await branch('branch2', '常见词')).toEqual((await expectedOpen('常见词')).slice(0, 20));
    // With a status filter, past the walk (the rows the ledger's filters keep).
    expect((await ledgerPages(`limit=20&status=closed&q=${encodeURIComponent('偶见词')}`)).flat()).toEqual(
      await expected('偶见词', 'closed'),
    );
  });

  it('R-15: with a status filter the walk runs out before its bound, and the page is still every match', async () => {
    const all = await expected('常见词', 'closed');
    expect(all).toHaveLength(45);
    expect(await pages(`limit=50&status=closed&q=${encodeURIComponent('常见词')}`)).toEqual([all]);
    expect(await pages(`limit=50&status=closed&q=${encodeURIComponent('偶见词')}`)).toEqual([
      await expected('偶见词', 'closed'),
    ]);
  });

  it('R-15: a search of one or two characters only old tickets have is found past the walk, by the characters index', async () => {
    // One more old ticket, older than all: letters, for a search that ignores their case.
    const [letters] = await ds.query(
      `INSERT INTO tickets (number, source_code, chain, channel, category_code, urgency, subject, content,
                            status, initiator, received_at, created_at, updated_at, version)
       SELECT 'L1', source_code, chain, channel, category_code, urgency, 'Qz 站台', '乘客来电。', 'registered',
              initiator, received_at, created_at - interval '1 second', created_at - interval '1 second', 1
         FROM tickets WHERE id = $1
       RETURNING id`,
      [old.id],
    );
    for (const q of ['积', '积水', '台积', 'qZ', 'QZ', 'z ', 'S1', '犇']) {
      const all = await expected(q);
      expect([q, await pages(`limit=20&q=${encodeURIComponent(q)}`)]).toEqual([q, [all]]);
    }
    expect(await expected('qz')).toEqual([letters.id]);
    expect(await expected('积水')).toEqual([old.id]);
    // The second phase's condition is the one the characters index answers (its expression spelled
    // as the migration's); with three characters in a row, the trigram condition as it is.
    const shares = await readCharShares(ds);
    const plan = async (q: string): Promise<string> => {
      const params: unknown[] = [];
      const rows: Array<Record<string, string>> = await ds.query(
        `EXPLAIN SELECT id FROM tickets t WHERE ${searchIndexSql(q, params, shares)}`,
        params,
      );
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    };
    expect(await plan('积水')).toContain('tickets_chars');
    expect(await plan('qZ')).toContain('tickets_chars');
    expect(await plan('站台积水')).not.toContain('tickets_chars');
    await ds.query(`DELETE FROM tickets WHERE id = $1`, [letters.id]);
  });

  it('R-15: past the walk, the rarest three characters of the search are the trigram index\u2019s first key', async () => {
    // Every ticket says 常见词 and has digits; 13 say 偶见词. ANALYZE (beforeAll) gave the
    // characters index its statistics.
    const shares = await readCharShares(ds);
    expect(shares).not.toBeNull();
    const params: unknown[] = [];
    const cond = searchIndexSql('常见词 4000 偶见词', params, shares);
    const rows: Array<Record<string, string>> = await ds.query(
      `EXPLAIN SELECT id FROM tickets t WHERE ${cond}`,
      params,
    );
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toMatch(/Index Cond: \(\(subject ~~ '%偶见词%'::text\) AND/);
    expect(plan).toContain(`(subject ~~ '%常见词 4000 偶见词%'::text))`);
    // The same tickets either way, through the API: S4000's subject, past the walk.
    for (const q of ['常见词 4000 偶见词', '词 4000 偶', '4000 偶见']) {
      expect([q, await pages(`limit=20&q=${encodeURIComponent(q)}`)]).toEqual([q, [await expected(q)]]);
    }
    expect(await expected('常见词 4000 偶见词')).toHaveLength(1);
  });

  it('R-15: with a unit filter the walk tests the search first and the unit for its matches; every page equals plain SQL', async () => {
    const forUnit = async (q: string, unit: string) =>
      (
        await ds.query(
          `SELECT id FROM tickets t
            WHERE (subject ILIKE '%' || $1 || '%' OR content ILIKE '%' || $1 || '%' OR number = $1)
              AND EXISTS (SELECT 1 FROM assignments a WHERE a.ticket_id = t.id AND a.unit_code = $2)
            ORDER BY created_at DESC, id DESC`,
          [q, unit],
        )
      ).map((r: { id: string }) => r.id);
    // The oldest ticket is branch1's, past the walk; the newest 5,000 are branch2's.
    expect(await pages(`unit=branch1&q=${encodeURIComponent('站台积水')}`)).toEqual([[old.id]]);
    expect(await pages(`unit=branch2&q=${encodeURIComponent('站台积水')}`)).toEqual([[]]);
    const common = await forUnit('常见词', 'branch2');
    expect(common).toHaveLength(5_000);
    const paged = await pages(`limit=20&unit=branch2&q=${encodeURIComponent('常见词')}`);
    expect(paged.slice(0, 2)).toEqual([common.slice(0, 20), common.slice(20, 40)]);
    expect(await pages(`limit=20&unit=branch2&q=${encodeURIComponent('偶见词')}`)).toEqual([
      await forUnit('偶见词', 'branch2'),
    ]);
  });

  it('R-15, X-9: a search among the green tickets finds one past the light walk, and not among the red', async () => {
    expect(await pages(`light=green&q=${encodeURIComponent('站台积水')}`)).toEqual([[old.id]]);
    expect(await pages(`light=green&q=${old.number}`)).toEqual([[old.id]]);
    expect(await pages(`light=red&q=${encodeURIComponent('站台积水')}`)).toEqual([[]]);
  });

  it('R-15, X-9: a common term among the green tickets gives the newest, page by page', async () => {
    const all = await expectedOpen('常见词');
    expect(all).toHaveLength(5_000);
    const paged = await pages(`limit=20&light=green&q=${encodeURIComponent('常见词')}`);
    expect(paged.slice(0, 3)).toEqual([all.slice(0, 20), all.slice(20, 40), all.slice(40, 60)]);
    const rare = await expectedOpen('偶见词');
    expect(rare).toHaveLength(2);
    expect(await pages(`limit=20&light=green&q=${encodeURIComponent('偶见词')}`)).toEqual([rare]);
    // Few matches: read by primary key and tested for the light, page by page.
    expect((await pages(`limit=1&light=green&q=${encodeURIComponent('偶见词')}`)).flat()).toEqual(rare);
    expect(await pages(`limit=20&light=red&q=${encodeURIComponent('偶见词')}`)).toEqual([[]]);
  });

  it('R-15, X-9: a term with fewer matches among the open tickets than the cap is found by the indexes of the tickets in progress', async () => {
    const repo = t.app.get(TicketListRepository);
    const params = { now: new Date(), yellowShare: 0.8 };
    const open = (q: string) => repo['openSearchMatches']({ kind: 'all' }, { q }, q, params);
    // 间隔词: every 150th of the 5,000 open tickets, more than a page and fewer than the cap (129).
    const spaced = await expectedOpen('间隔词');
    expect(spaced).toHaveLength(34);
    expect(await open('间隔词')).toEqual(spaced);
    expect(await open('偶见词')).toEqual(await expectedOpen('偶见词'));
    expect(await open('没有这句话')).toEqual([]);
    // Common among the open tickets (more than the cap): the light's walk instead. One or two
    // characters: no trigram to look up.
    expect(await open('常见词')).toBeNull();
    expect(await open('隔词')).toBeNull();
    // Through the API: the green filter page by page, none red; the light order, then the rest.
    expect(await pages(`limit=20&light=green&q=${encodeURIComponent('间隔词')}`)).toEqual([
      spaced.slice(0, 20),
      spaced.slice(20),
    ]);
    expect(await pages(`limit=20&light=red&q=${encodeURIComponent('间隔词')}`)).toEqual([[]]);
    const byLight = await expectedByLight('间隔词');
    expect(byLight.slice(0, 34)).toEqual(expect.arrayContaining(spaced));
    const sorted = await pages(`limit=20&sort=light&q=${encodeURIComponent('间隔词')}`);
    expect(sorted.flat()).toEqual(byLight);
    // The condition with the ticket's status is one the indexes of the tickets in progress answer.
    const shares = await readCharShares(ds);
    const cond: unknown[] = [];
    const rows: Array<Record<string, string>> = await ds.query(
      `EXPLAIN SELECT id FROM tickets t WHERE t.status = 'in_progress' AND ${searchIndexSql('间隔词', cond, shares)}`,
      cond,
    );
    expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('tickets_in_progress_content_trgm');
  });

  /**
   * Every match in light order by plain SQL: the tickets with open assignments first (all of them
   * green here) by their earliest open deadline, then by id; then the others, newest first.
   */
  async function expectedByLight(q: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await ds.query(
      `SELECT t.id FROM tickets t
         LEFT JOIN LATERAL (SELECT min(a.reply_deadline) AS deadline FROM assignments a
                             WHERE a.ticket_id = t.id AND a.status = 'pending_accept') o ON true
        WHERE (subject ILIKE '%' || $1 || '%' OR content ILIKE '%' || $1 || '%' OR number = $1)
        ORDER BY o.deadline IS NULL, o.deadline, CASE WHEN o.deadline IS NOT NULL THEN t.id END,
                 t.created_at DESC, t.id DESC`,
      [q],
    );
    return rows.map((r) => r.id);
  }

  it('R-15, X-9: in light order a term with few matches gives its open tickets by deadline, then the rest newest first', async () => {
    const all = await expectedByLight('偶见词');
    expect(all).toHaveLength(13);
    // The oldest ticket and S48000 are open (green); S48000's deadline is 30 days after its creation.
    expect(all.slice(0, 2)).toEqual(expect.arrayContaining([old.id]));
    const whole = await api.get('dispatcher1', `/api/tickets?limit=20&sort=light&q=${encodeURIComponent('偶见词')}`);
    expect(whole.body.items.map((x: { id: string }) => x.id)).toEqual(all);
    expect(whole.body.items.slice(0, 2).map((x: { light: string }) => x.light)).toEqual(['green', 'green']);
    expect(whole.body.items[2].light).toBeNull();
    // Pages of 5 and of 1: none missed, none twice, across the open phase and the rest.
    expect((await pages(`limit=5&sort=light&q=${encodeURIComponent('偶见词')}`)).flat()).toEqual(all);
    expect((await pages(`limit=1&sort=light&q=${encodeURIComponent('偶见词')}`)).flat()).toEqual(all);
    // One match only, past the walk; no match at all.
    expect(await pages(`sort=light&q=${encodeURIComponent('站台积水')}`)).toEqual([[old.id]]);
    expect(await pages(`sort=light&q=${encodeURIComponent('没有这句话')}`)).toEqual([[]]);
    // The green filter in light order: the open ones only.
    expect(await pages(`sort=light&light=green&q=${encodeURIComponent('偶见词')}`)).toEqual([all.slice(0, 2)]);
  });

  it('R-15, X-9: the light order sorts a rare term\u2019s matches found by the search, a common term\u2019s open tickets as before', async () => {
    const repo = t.app.get(TicketListRepository);
    const params = { now: new Date(), yellowShare: 0.8 };
    const few = (q: string, limit = 20) => repo['fewSearchMatches']({ kind: 'all' }, { q }, q, limit, params);
    // Past the walk: every match, by the indexes.
    expect(new Set(await few('偶见词'))).toEqual(new Set(await expected('偶见词')));
    expect(await few('站台积水')).toEqual([old.id]);
    // More than a page, none walked: every match, by the indexes (past their cap).
    expect(new Set(await few('远期词'))).toEqual(new Set(await expected('远期词')));
    // None in the walk's first stretch, fewer than the cap: every match, though more than a page.
    expect(new Set(await few('偶见词', 1))).toEqual(new Set(await expected('偶见词')));
    // A page's worth in the walk: the open phase sorts the open assignments and tests the search.
    expect(await few('常见词')).toBeNull();
    expect(await few('间隔词')).toBeNull();
    expect(await few('稀疏词')).toBeNull();
    const far = await expectedByLight('远期词');
    expect((await pages(`limit=20&sort=light&q=${encodeURIComponent('远期词')}`)).flat()).toEqual(far);
    const common = await expectedByLight('常见词');
    const paged = await pages(`limit=20&sort=light&q=${encodeURIComponent('常见词')}`);
    expect(paged.slice(0, 2)).toEqual([common.slice(0, 20), common.slice(20, 40)]);
  });
});
