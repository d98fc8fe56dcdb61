// Issue 19 (reads at city scale): the inbox pages with a cursor through everything waiting, and
// its counts are the true totals. Before, GET /api/inbox stopped at 200 items and the micro-app's
// tab counts said 200 when 12,500 waited.
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

interface Row {
  action: string;
  unit: string | null;
  deadline: string | null;
  ticket: { id: string; number: string };
}

describe('issue 19: the inbox pages through all waiting work, with true counts', () => {
  let t: TestApp;
  let api: ApiClient;
  const registered: string[] = [];
  const dispatched: string[] = [];

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'inbox_paging' });
    api = new ApiClient(t.app);
    // More than the old 200-item stop: 205 tickets wait for a dispatcher to dispatch them.
    for (let i = 0; i < 205; i++) {
      registered.push((await api.createTicket('dispatcher1', { subject: `待派 ${i}` })).id);
    }
    // 13 wait at branch1 to be accepted, some urgent (earlier deadlines), some sharing a deadline.
    for (let i = 0; i < 13; i++) {
      const ticket = await api.createTicket('dispatcher1', {
        subject: `待签收 ${i}`,
        urgency: i % 3 === 0 ? 'urgent' : 'normal',
      });
      await api.ok('dispatcher1', ticket.id, 'dispatch', { assignments: [{ unit: 'branch1', role: 'sole' }] });
      dispatched.push(ticket.id);
    }
  }, 120_000);
  afterAll(() => t.close());

  async function all(userid: string, query: string): Promise<{ rows: Row[]; pages: number; counts?: object }> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let counts: object | undefined;
    do {
      const r = await api.get(userid, `/api/inbox/page?${query}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      rows.push(...r.body.items);
      cursor = r.body.nextCursor;
      counts = r.body.counts;
      pages++;
    } while (cursor && pages < 100);
    return { rows, pages, counts };
  }

  it('issue 19: a dispatcher with 205 tickets to dispatch pages through all of them, each once, and the count says 205', async () => {
    const first = await api.get('dispatcher1', '/api/inbox/page?limit=50&actions=dispatch');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.counts.dispatch).toBe(205);
    const { rows, pages } = await all('dispatcher1', 'limit=50&actions=dispatch');
    expect(pages).toBe(5);
    const ids = rows.map((r) => r.ticket.id);
    expect(new Set(ids).size).toBe(205);
    expect([...ids].sort()).toEqual([...registered].sort());
    // No deadline: by ticket number.
    const numbers = rows.map((r) => r.ticket.number);
    expect(numbers).toEqual([...numbers].sort());
  });

  it('issue 19: pages of a receiver follow the inbox order (soonest deadline first), ties by number, none skipped', async () => {
    const whole = await api.get('b1_receiver', '/api/inbox?limit=200');
    const { rows, pages, counts } = await all('b1_receiver', 'limit=4');
    expect(pages).toBe(4);
    expect(rows.map((r) => r.ticket.id)).toEqual(whole.body.map((r: Row) => r.ticket.id));
    expect(new Set(rows.map((r) => r.ticket.id))).toEqual(new Set(dispatched));
    const keys = rows.map((r) => `${r.deadline}|${r.ticket.number}`);
    expect(keys).toEqual([...keys].sort());
    expect(counts).toEqual({ accept: 13 });
  });

  it('issue 19: a tab (some actions) lists only those, while the counts stay the totals of every action', async () => {
    const r = await api.get('dispatcher1', '/api/inbox/page?limit=200&actions=approve_return,approve_extension');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
    expect(r.body.nextCursor).toBeNull();
    expect(r.body.counts).toEqual({ dispatch: 205 });
    expect(r.body.total).toBe(205);
  });

  it('issue 19: a cursor the API did not give, an unknown action or a bad limit is a 400 naming the field', async () => {
    const bad = await api.get('dispatcher1', '/api/inbox/page?cursor=not-a-cursor');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('cursor');
    const unknown = await api.get('dispatcher1', '/api/inbox/page?actions=dispatch,fly');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('actions');
    const limit = await api.get('dispatcher1', '/api/inbox/page?limit=201');
    expect(limit.status).toBe(400);
    expect(JSON.stringify(limit.body)).toContain('limit');
  });
});
