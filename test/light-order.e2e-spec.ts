// X-9: the ticket list sorted by light (red, yellow, green by deadline, then nothing open), keyset
// paged with the lights frozen at the first page, against real PostgreSQL with a set clock.
import { parseShanghai } from '@hotline/calendar';
import { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const at = (text: string) => parseShanghai(text);

describe('X-9: the ticket list in light order', () => {
  let t: TestApp;
  let api: ApiClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'light_order', start: at('2026-11-30 08:30') });
    api = new ApiClient(t.app);
    const dispatched = async (name: string, clock: string, urgency: string, replyDeadline?: string) => {
      t.clock.set(at(clock));
      const ticket = await api.createTicket('dispatcher1', { urgency, subject: `排序测试${name}` });
      await api.ok('dispatcher1', ticket.id, 'dispatch', {
        assignments: [{ unit: 'branch1', role: 'sole' }],
        ...(replyDeadline ? { replyDeadline: at(replyDeadline).toISOString() } : {}),
      });
      ids[name] = ticket.id;
    };
    const registered = async (name: string, clock: string) => {
      t.clock.set(at(clock));
      ids[name] = (await api.createTicket('dispatcher1', { subject: `排序测试${name}` })).id;
    };
    // Urgent: 2 working hours. A is due 10:30, B 11:00; C (5 working days) the next Monday 17:30;
    // D's dispatcher set an earlier deadline, Friday 17:30.
    await dispatched('A', '2026-11-30 08:30', 'urgent');
    await dispatched('B', '2026-11-30 09:00', 'urgent');
    await dispatched('C', '2026-11-30 09:30', 'normal');
    await dispatched('D', '2026-11-30 09:40', 'normal', '2026-12-04 17:30');
    await dispatched('G', '2026-11-30 09:50', 'normal');
    await registered('E', '2026-11-30 10:00');
    await registered('F', '2026-11-30 10:10');
  });
  afterAll(() => t.close());

  const name = (id: string) => Object.keys(ids).find((k) => ids[k] === id) ?? `other:${id}`;
  async function page(query: string) {
    const r = await api.get('dispatcher1', `/api/tickets?sort=light&${query}`);
    expect(r.status).toBe(200);
    return {
      items: r.body.items.map((x: { id: string; light: string | null }) => [name(x.id), x.light]),
      next: r.body.nextCursor as string | null,
    };
  }

  it('X-9: red first, then yellow, then green, each by earliest deadline, then the rest newest first', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const all = await page('q=排序测试&limit=100');
    expect(all.items).toEqual([
      ['A', 'red'],
      ['B', 'yellow'],
      ['D', 'green'],
      ...[
        ['C', 'green'],
        ['G', 'green'],
      ].sort((x, y) => (ids[x[0]!]! < ids[y[0]!]! ? -1 : 1)),
      ['F', null],
      ['E', null],
    ]);
    expect(all.next).toBeNull();
  });

  it('X-9: paging one ticket at a time, ties included, lists every ticket exactly once in the same order', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const whole = (await page('q=排序测试&limit=100')).items;
    const walked: unknown[] = [];
    let next: string | null = null;
    do {
      const p = await page(`q=排序测试&limit=1${next ? `&cursor=${next}` : ''}`);
      walked.push(...p.items);
      next = p.next;
    } while (next && walked.length < 20);
    expect(walked).toEqual(whole);
  });

  it('X-9: pages keep the first page’s lights, so a ticket turning red between pages is shown once', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const whole = (await page('q=排序测试&limit=100')).items;
    const p1 = await page('q=排序测试&limit=2');
    expect(p1.items).toEqual([
      ['A', 'red'],
      ['B', 'yellow'],
    ]);
    // B turns red at 11:00; the next pages still follow the 10:35 order.
    t.clock.set(at('2026-11-30 11:05'));
    const p2 = await page(`q=排序测试&limit=3&cursor=${p1.next}`);
    const p3 = await page(`q=排序测试&limit=3&cursor=${p2.next}`);
    expect([...p1.items, ...p2.items, ...p3.items]).toEqual(whole);
    expect(p3.next).toBeNull();
    // A new listing sees both reds, earliest deadline first.
    expect((await page('q=排序测试&limit=2')).items).toEqual([
      ['A', 'red'],
      ['B', 'red'],
    ]);
  });

  it('X-9: sort and light filter together list only that light, in deadline order', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const greens = await page('q=排序测试&light=green&limit=1');
    expect(greens.items).toEqual([['D', 'green']]);
    const rest = await page(`q=排序测试&light=green&limit=5&cursor=${greens.next}`);
    expect(rest.items.map((x: unknown[]) => x[0]).sort()).toEqual(['C', 'G']);
    expect(rest.next).toBeNull();
  });

  it('X-9: a receiver’s light-ordered list holds only its unit’s tickets', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const r = await api.get('b2_receiver', '/api/tickets?sort=light&q=排序测试');
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([]);
  });

  it('issue 19: the whole office’s list without filters (walked one light at a time along the open deadlines) has the same order, paged or not', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    // With q= the open tickets are ordered by the aggregate of their open assignments; without
    // any filter by the walk (TicketListRepository.openByWalk): the same tickets, the same order.
    const filtered = (await page('q=排序测试&limit=100')).items;
    const whole = (await page('limit=100')).items;
    expect(whole.filter(([n]: string[]) => !n!.startsWith('other:'))).toEqual(filtered);
    const walked: unknown[] = [];
    let next: string | null = null;
    do {
      const p = await page(`limit=1${next ? `&cursor=${next}` : ''}`);
      walked.push(...p.items);
      next = p.next;
    } while (next && walked.length < 50);
    expect(walked).toEqual(whole);
    for (const light of ['red', 'yellow', 'green']) {
      const one = (await page(`light=${light}&limit=100`)).items;
      expect(one).toEqual(whole.filter((x: unknown[]) => x[1] === light));
    }
  });

  it('issue 19: q= finds a substring of the subject or the content, Chinese included, with % and _ taken literally', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const found = async (q: string) =>
      (await api.get('dispatcher1', `/api/tickets?limit=100&q=${encodeURIComponent(q)}`)).body.items.map(
        (x: { id: string }) => name(x.id),
      );
    const promo = (await api.createTicket('dispatcher1', { subject: '优惠活动50%_折扣咨询' })).id;
    expect(await found('测试C')).toEqual(['C']);
    expect(await found('50%_折扣')).toEqual([`other:${promo}`]);
    expect(await found('%_')).toEqual([`other:${promo}`]);
    expect(await found('排序%试')).toEqual([]);
    expect(await found('排序_试')).toEqual([]);
  });

  it('X-9: a cursor from the other order, a forged cursor and an unknown sort are refused with 400 naming the field', async () => {
    t.clock.set(at('2026-11-30 10:35'));
    const newest = await api.get('dispatcher1', '/api/tickets?q=排序测试&limit=1');
    const crossed = await api.get('dispatcher1', `/api/tickets?sort=light&cursor=${newest.body.nextCursor}`);
    expect(crossed).toMatchObject({ status: 400, body: { field: 'cursor' } });
    const lightFirst = await page('q=排序测试&limit=1');
    const back = await api.get('dispatcher1', `/api/tickets?cursor=${lightFirst.next}`);
    expect(back).toMatchObject({ status: 400, body: { field: 'cursor' } });
    const forged = Buffer.from(JSON.stringify(['L', 'x', 'open', 9, null, 'y', 'z'])).toString('base64url');
    expect(await api.get('dispatcher1', `/api/tickets?sort=light&cursor=${forged}`)).toMatchObject({
      status: 400,
      body: { field: 'cursor' },
    });
    const unknown = await api.get('dispatcher1', '/api/tickets?sort=deadline');
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).toContain('sort');
  });

  it('X-9, issue 19: a light filter newest first (walked along the open assignments of that light by ticket creation) lists each ticket of that light once, its worst light deciding, paged or not, with the other filters and a unit scope', async () => {
    const ds = t.app.get(DataSource);
    const coHandled = async (name: string, clock: string) => {
      t.clock.set(at(clock));
      const ticket = await api.createTicket('dispatcher1', { urgency: 'urgent', subject: `排序测试${name}` });
      await api.ok('dispatcher1', ticket.id, 'dispatch', {
        assignments: [
          { unit: 'branch1', role: 'lead' },
          { unit: 'branch2', role: 'co' },
        ],
      });
      ids[name] = ticket.id;
    };
    const moveDeadline = (name: string, unit: string, deadline: string) =>
      ds.query(`UPDATE assignments SET reply_deadline = $3 WHERE ticket_id = $1 AND unit_code = $2`, [
        ids[name],
        unit,
        at(deadline),
      ]);
    // At 11:05: H red at both units (one row per ticket, not per unit); I red at branch2 with a green
    // co-unit; J yellow at branch1 (due 11:20, more than 2/3 of its time used) and green at branch2;
    // K red at branch1 and yellow at branch2.
    await coHandled('H', '2026-11-30 08:40');
    t.clock.set(at('2026-11-30 08:45'));
    const i = await api.createTicket('dispatcher1', { urgency: 'urgent', subject: '排序测试I' });
    await api.ok('dispatcher1', i.id, 'dispatch', {
      assignments: [
        { unit: 'branch2', role: 'lead' },
        { unit: 'branch1', role: 'co' },
      ],
    });
    ids.I = i.id;
    await moveDeadline('I', 'branch1', '2026-12-10 17:30');
    await coHandled('J', '2026-11-30 09:20');
    await moveDeadline('J', 'branch2', '2026-12-10 17:30');
    await coHandled('K', '2026-11-30 09:25');
    await moveDeadline('K', 'branch1', '2026-11-30 11:00');
    // A co-unit's own deadline comes before the lead's (10:25 here): moved to 11:25, yellow at 11:05.
    await moveDeadline('K', 'branch2', '2026-11-30 11:25');
    t.clock.set(at('2026-11-30 11:05'));
    const created = new Map<string, number>();
    const all = await api.get('dispatcher1', '/api/tickets?limit=100');
    for (const x of all.body.items as { id: string; createdAt: string }[])
      created.set(name(x.id), Date.parse(x.createdAt));
    const newest = async (query: string, userid = 'dispatcher1') => {
      const r = await api.get(userid, `/api/tickets?${query}`);
      expect(r.status).toBe(200);
      return { items: r.body.items.map((x: { id: string }) => name(x.id)), next: r.body.nextCursor as string | null };
    };
    const expected: Record<string, string[]> = {};
    for (const light of ['red', 'yellow', 'green']) {
      // The oracle: the tickets of that light in the light order (the ticket's worst light), newest first.
      const ofLight = (await page(`light=${light}&limit=100`)).items.map(([n]: string[]) => n);
      expected[light] = [...ofLight].sort((p, q) => created.get(q)! - created.get(p)! || (p < q ? 1 : -1));
      expect((await newest(`light=${light}&limit=100`)).items).toEqual(expected[light]);
      const walked: string[] = [];
      let next: string | null = null;
      do {
        const p = await newest(`light=${light}&limit=1${next ? `&cursor=${next}` : ''}`);
        walked.push(...p.items);
        next = p.next;
      } while (next && walked.length < 50);
      expect(walked).toEqual(expected[light]);
    }
    expect(expected.red).toEqual(expect.arrayContaining(['A', 'B', 'H', 'I', 'K']));
    expect(expected.yellow).toEqual(expect.arrayContaining(['J']));
    expect(expected.yellow).not.toContain('K');
    expect(expected.green).toEqual(expect.arrayContaining(['C', 'G']));
    expect(expected.green).not.toEqual(expect.arrayContaining(['I']));
    expect(expected.green).not.toEqual(expect.arrayContaining(['J']));
    expect((await newest('light=red&unit=branch2&limit=100')).items).toEqual(['K', 'I', 'H']);
    expect((await newest(`light=red&q=${encodeURIComponent('排序测试H')}&limit=100`)).items).toEqual(['H']);
    expect((await newest('light=red&status=closed&limit=100')).items).toEqual([]);
    expect((await newest(`light=yellow&q=${encodeURIComponent('排序测试J')}&limit=100`)).items).toEqual(['J']);
    // b2_receiver sees only branch2's tickets.
    expect((await newest('light=red&limit=100', 'b2_receiver')).items).toEqual(['K', 'I', 'H']);
    expect((await newest('light=yellow&limit=100', 'b2_receiver')).items).toEqual(['J']);
  });
});
