import { copiedLedgerRowOf, copyTime, ledgerRowOf, PAGE_FIELDS } from './ledger-sql';

/** What pg's own parser makes of a timestamptz text (the page's way). */
const pgTime = (s: string) => {
  const m = /^(.*?)([+-]\d\d)(?::(\d\d))?(?::(\d\d))?$/.exec(s)!;
  const seconds = m[4] ? Number(m[4]) : 0;
  const base = new Date(`${m[1].replace(' ', 'T')}${m[2]}:${m[3] ?? '00'}`);
  return new Date(base.getTime() - Math.sign(Number(`${m[2]}1`)) * seconds * 1000);
};

describe('issue 19 goal 3: the export reads COPY text as the page reads rows', () => {
  it.each([
    '2026-01-01 08:00:00+08',
    '2026-01-01 08:00:00.5+08',
    '2026-01-01 08:00:00.123456+08',
    '2026-12-31 23:59:59.999999+08',
    '2026-06-30 10:15:07.04-03:30',
    '1999-12-31 23:59:59.999+00',
    '2026-03-01 00:00:00+05:45',
  ])('R-15: the timestamp %s', (s) => {
    expect(copyTime(s).getTime()).toBe(pgTime(s).getTime());
  });

  it('R-15: a timestamp of another shape (an offset with seconds) goes the general way', () => {
    expect(copyTime('1890-01-01 00:00:00+08:05:43').toISOString()).toBe('1889-12-31T15:54:17.000Z');
    expect(copyTime('2026-01-01 08:00:00.123+08').toISOString()).toBe('2026-01-01T00:00:00.123Z');
  });

  /** A COPY row (text, `null` for \N) → the values pg's type parsers give the page. */
  const asPage = (fields: Array<string | null>) => {
    const r: Record<string, unknown> = {};
    PAGE_FIELDS.forEach(([name, kind], i) => {
      const v = fields[i];
      r[name] =
        v === null
          ? null
          : kind === 'time'
            ? pgTime(v)
            : kind === 'bool'
              ? v === 't'
              : kind === 'int'
                ? Number(v)
                : kind === 'json'
                  ? JSON.parse(v)
                  : v;
    });
    return ledgerRowOf(r);
  };
  const full: Record<string, string | null> = {
    id: '0b6f0d0e-0000-4000-8000-000000000001',
    number: 'RX20261201-0001',
    received_at: '2026-12-01 09:30:00.25+08',
    source: '12345 热线',
    channel: 'phone',
    category: '投诉',
    subject: '公交车未进站',
    status: 'closed',
    step: 'closed',
    route: '12',
    closed_at: '2026-12-03 17:00:00+08',
    responsibility: 'at_fault',
    responsible_unit: '第一分公司',
    units: '第一分公司（主办）、第二分公司（会办）',
    overdue: 't',
    returns: '1',
    extensions: '2',
    rework: '0',
    direct_answer: '已直接答复：末班车时间为 22:30',
    direct_unit: '运营服务部',
    direct_handler: '钱调度',
    direct_at: '2026-12-01 09:40:00.5+08',
    unit_replies: JSON.stringify([
      {
        unit: '第一分公司',
        role: '主办',
        handler: '赵强',
        handledAt: '2026-12-02T10:00:00.123456+08:00',
        approvedAt: '2026-12-02T11:00:00+08:00',
        content: '已处理',
        callerAnswer: '电话：已告知',
      },
    ]),
    merged_into_id: '0b6f0d0e-0000-4000-8000-000000000002',
    merged_into_number: 'RX20261201-0002',
    visit_status: 'reached',
    visit_solved: 't',
    visit_satisfaction: 'satisfied',
  };

  it('R-15: a full row reads the same both ways', () => {
    const fields = PAGE_FIELDS.map(([name]) => full[name]);
    expect(PAGE_FIELDS.every(([name]) => name in full)).toBe(true);
    expect(copiedLedgerRowOf(fields)).toEqual(asPage(fields));
  });

  it('R-15: a row with every optional field empty reads the same both ways', () => {
    const required = new Set(['id', 'number', 'received_at', 'source', 'channel', 'category', 'subject', 'status']);
    const fields = PAGE_FIELDS.map(([name]) => (required.has(name) ? full[name] : null));
    const copied = copiedLedgerRowOf(fields);
    expect(copied).toEqual(asPage(fields));
    expect(copied).toMatchObject({
      units: '',
      unitReplies: [],
      mergedInto: null,
      handledAt: null,
      directAnswer: false,
      visitSolved: null,
    });
  });

  /** A reply of the query's JSON list. */
  const reply = (unit: string, role: string, approvedAt: string | null) => ({
    unit,
    role,
    handler: `${unit}经办人`,
    handledAt: '2026-12-02T10:00:00+08:00',
    approvedAt,
    content: `${unit}的答复`,
    callerAnswer: '电话：已告知',
  });
  /** The answer for the ticket of a row with these replies and no direct answer, read both ways. */
  const answer = (replies: ReturnType<typeof reply>[]) => {
    const fields = PAGE_FIELDS.map(([name]) =>
      name.startsWith('direct_') ? null : name === 'unit_replies' ? JSON.stringify(replies) : full[name],
    );
    const copied = copiedLedgerRowOf(fields);
    expect(copied).toEqual(asPage(fields));
    return { unit: copied.handlerUnit, reply: copied.reply, direct: copied.directAnswer };
  };

  it("R-6c, R-7: the answer for the ticket is the lead unit's reply approved last, a co unit's only when no other has one", () => {
    const lead = reply('第一分公司', '主办', '2026-12-02T11:00:00+08:00');
    const co = reply('第二分公司', '会办', '2026-12-03T09:00:00+08:00');
    expect(answer([lead, co])).toEqual({ unit: '第一分公司', reply: '第一分公司的答复', direct: false });
    expect(answer([co, lead])).toEqual({ unit: '第一分公司', reply: '第一分公司的答复', direct: false });
    expect(answer([co])).toEqual({ unit: '第二分公司', reply: '第二分公司的答复', direct: false });
    // Two sole units' replies (a unit changed, 改派): the later approval answers.
    const first = reply('第一分公司', '承办', '2026-12-02T11:00:00+08:00');
    const later = reply('第三分公司', '承办', '2026-12-02T11:00:00.5+08:00');
    expect(answer([first, later]).unit).toBe('第三分公司');
    expect(answer([later, first]).unit).toBe('第三分公司');
    expect(answer([])).toEqual({ unit: null, reply: null, direct: false });
  });

  it('R-7: a direct answer is the answer, by whom the timeline names', () => {
    const fields = PAGE_FIELDS.map(([name]) => full[name]);
    expect(copiedLedgerRowOf(fields)).toMatchObject({
      directAnswer: true,
      reply: '已直接答复：末班车时间为 22:30',
      callerAnswer: '直接答复来电人',
      handlerUnit: '运营服务部',
      handler: '钱调度',
      handledAt: new Date('2026-12-01T01:40:00.500Z'),
    });
  });

  it('R-15: a row of another width is refused, not misread', () => {
    expect(() => copiedLedgerRowOf(['x'])).toThrow('1 fields');
  });
});
