// Issue 6 item 4: the deadline a dispatch would compute, previewed on the new-ticket form before
// saving. Through HTTP against real PostgreSQL with a set clock; the preview must agree with what
// the dispatch then stores, and must write nothing.
import { parseShanghai, formatShanghai } from '@hotline/calendar';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const at = (text: string) => parseShanghai(text);
const fmt = (iso: string) => formatShanghai(new Date(iso));
const FRIDAY_EVENING = '2026-12-04 17:45';

describe('GET /api/deadlines/preview', () => {
  let t: TestApp;
  let api: ApiClient;

  beforeAll(async () => {
    t = await createTestApp({ dbSuffix: 'deadline_preview', start: at(FRIDAY_EVENING) });
    api = new ApiClient(t.app);
  });
  afterAll(async () => {
    await t.close();
  });

  const preview = (userid: string, query: Record<string, string>) =>
    api.get(userid, `/api/deadlines/preview?${new URLSearchParams(query).toString()}`);

  it('X-1, X-2: a complaint received Friday after hours counts from Monday 08:30: 5 working days', async () => {
    t.clock.set(at(FRIDAY_EVENING));
    const r = await preview('dispatcher1', { source: 'group_hotline', category: 'complaint', urgency: 'normal' });
    expect(r.status).toBe(200);
    // The clock starts Monday 08:30; the day it starts on is not counted: Monday + 5 → next Monday 17:30.
    expect(fmt(r.body.replyDeadline)).toBe('2026-12-14 17:30');
    expect(fmt(r.body.acceptDeadline)).toBe('2026-12-08 17:30');
    expect(r.body.limit).toEqual({ amount: 5, unit: 'working_days' });
    expect(r.body.policy).toMatchObject({ source: 'policy', sourceCode: null, categoryCode: null, urgency: null });
    expect(r.body.calendarVersion).toMatch(/^cal1-[0-9a-f]{16}$/);
    expect(r.body.missingYears).toEqual([]);
  });

  it('X-1: an urgent matter gets 2 working hours, from the next opening time', async () => {
    t.clock.set(at(FRIDAY_EVENING));
    const r = await preview('ops_head', { source: 'group_hotline', category: 'complaint', urgency: 'urgent' });
    expect(r.status).toBe(200);
    expect(fmt(r.body.replyDeadline)).toBe('2026-12-07 10:30');
    expect(r.body.limit).toEqual({ amount: 2, unit: 'working_hours' });
    expect(r.body.policy).toMatchObject({ source: 'policy', urgency: 'urgent', note: '紧急：2个工作小时' });
    // Accept: 30 minutes, never later than the reply deadline.
    expect(fmt(r.body.acceptDeadline)).toBe('2026-12-07 09:00');
  });

  it('X-3, issue 15.5: an upstream deadline caps it four working days earlier (one per review step)', async () => {
    t.clock.set(at(FRIDAY_EVENING));
    const upstream = at('2026-12-15 17:30').toISOString();
    const r = await preview('dispatcher1', {
      source: 'mayor_hotline',
      category: 'complaint',
      urgency: 'normal',
      upstreamDeadline: upstream,
    });
    expect(r.status).toBe(200);
    expect(fmt(r.body.replyDeadline)).toBe('2026-12-09 17:30');
    expect(fmt(r.body.coReplyDeadline)).toBe('2026-12-08 17:30');
    expect(r.body.policy).toMatchObject({
      source: 'upstream_margin',
      upstreamDeadline: upstream,
      marginWorkingDays: 4,
    });
    expect(fmt(r.body.policy.policyDeadline)).toBe('2026-12-14 17:30');
  });

  it('agrees with the deadline the dispatch then stores', async () => {
    t.clock.set(at('2026-12-07 09:10'));
    const shown = await preview('dispatcher1', { source: 'group_hotline', category: 'consultation' });
    const ticket = await api.createTicket('dispatcher1', { category: 'consultation' });
    const view = await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: [{ unit: 'branch1', role: 'sole' }],
    });
    expect(view.assignments[0].replyDeadline).toBe(shown.body.replyDeadline);
    expect(view.assignments[0].acceptDeadline).toBe(shown.body.acceptDeadline);
    expect(shown.body.limit).toEqual({ amount: 3, unit: 'working_days' });
  });

  it('R-6, issue 15.4: co units get the earlier deadline the preview shows, the lead the later one', async () => {
    t.clock.set(at('2026-12-07 09:10'));
    const shown = await preview('dispatcher1', { source: 'group_hotline', category: 'complaint' });
    expect(fmt(shown.body.replyDeadline)).toBe('2026-12-14 17:30');
    expect(fmt(shown.body.coReplyDeadline)).toBe('2026-12-11 17:30');
    expect(shown.body.coLeadWorkingDays).toBe(1);
    const ticket = await api.createTicket('dispatcher1', { category: 'complaint' });
    const view = await api.ok('dispatcher1', ticket.id, 'dispatch', {
      assignments: [
        { unit: 'branch1', role: 'lead' },
        { unit: 'branch2', role: 'co' },
      ],
    });
    const lead = view.assignments.find((a: any) => a.role === 'lead');
    const co = view.assignments.find((a: any) => a.role === 'co');
    expect(lead.replyDeadline).toBe(shown.body.replyDeadline);
    expect(co.replyDeadline).toBe(shown.body.coReplyDeadline);
    expect(co.deadlineBasis).toMatchObject({ coLeadWorkingDays: 1, leadDeadline: shown.body.replyDeadline });
  });

  it("R-6, X-3, issues 15.4 and 15.5: the admin sets the co units' lead time and the margin; a margin short of the review limits is a 400", async () => {
    const before = (await api.get('admin', '/api/admin/time-limits')).body;
    const rows = before.map((p: any) => ({
      sourceCode: p.sourceCode,
      categoryCode: p.categoryCode,
      urgency: p.urgency,
      accept: p.accept,
      reply: p.reply,
      review: p.review,
      coLeadWorkingDays: p.coLeadWorkingDays,
      upstreamMarginWorkingDays: p.upstreamMarginWorkingDays,
      note: p.note,
    }));
    const i = rows.findIndex((p: any) => !p.sourceCode && !p.categoryCode && !p.urgency);
    expect(rows[i]).toMatchObject({ coLeadWorkingDays: 1, upstreamMarginWorkingDays: 4 });
    const put = (policies: unknown[]) => api.call('admin', 'PUT', '/api/admin/time-limits', { policies });
    const short = await put(rows.map((p: any, j: number) => (j === i ? { ...p, upstreamMarginWorkingDays: 3 } : p)));
    expect(short).toMatchObject({ status: 400, body: { field: `policies[${i}].upstreamMarginWorkingDays` } });
    const longerReview = await put(
      rows.map((p: any, j: number) => (j === i ? { ...p, review: { amount: 2, unit: 'working_days' } } : p)),
    );
    expect(longerReview).toMatchObject({ status: 400, body: { field: `policies[${i}].upstreamMarginWorkingDays` } });
    const badLead = await put(rows.map((p: any, j: number) => (j === i ? { ...p, coLeadWorkingDays: -1 } : p)));
    expect(badLead).toMatchObject({ status: 400, body: { field: `policies[${i}].coLeadWorkingDays` } });

    const edited = rows.map((p: any, j: number) =>
      j === i ? { ...p, coLeadWorkingDays: 2, upstreamMarginWorkingDays: 5 } : p,
    );
    expect((await put(edited)).status).toBe(200);
    try {
      t.clock.set(at(FRIDAY_EVENING));
      const r = await preview('dispatcher1', {
        source: 'mayor_hotline',
        category: 'complaint',
        urgency: 'normal',
        upstreamDeadline: at('2026-12-16 17:30').toISOString(),
      });
      // Five working days before Wednesday 12-16; co units two working days before that.
      expect(r.body.policy.marginWorkingDays).toBe(5);
      expect(fmt(r.body.replyDeadline)).toBe('2026-12-09 17:30');
      expect(fmt(r.body.coReplyDeadline)).toBe('2026-12-07 17:30');
    } finally {
      expect((await put(rows)).status).toBe(200);
    }
  });

  it('only the ops department previews; unknown codes are a 400 naming the field', async () => {
    const q = { source: 'group_hotline', category: 'complaint' };
    for (const who of ['b1_receiver', 'b1_leader', 'office_reviewer', 'admin']) {
      expect((await preview(who, q)).status).toBe(403);
    }
    expect((await preview(null as never, q)).status).toBe(401);
    const badSource = await preview('dispatcher1', { ...q, source: 'nowhere' });
    expect(badSource).toMatchObject({ status: 400, body: { field: 'source' } });
    const badCategory = await preview('dispatcher1', { ...q, category: 'nothing' });
    expect(badCategory).toMatchObject({ status: 400, body: { field: 'category' } });
    const badUrgency = await preview('dispatcher1', { ...q, urgency: 'soon' });
    expect(badUrgency).toMatchObject({ status: 400, body: { field: 'urgency' } });
    const badDate = await preview('dispatcher1', { ...q, upstreamDeadline: 'tomorrow' });
    expect(badDate).toMatchObject({ status: 400, body: { field: 'upstreamDeadline' } });
    const missing = await preview('dispatcher1', { source: 'group_hotline' });
    expect(missing).toMatchObject({ status: 400, body: { field: 'category' } });
  });
});
