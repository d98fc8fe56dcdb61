import { HolidayNoticeError, parseHolidayNotice, type NoticeIssue } from './holiday-notice.parser';

// All arrangements below are TEST DATA written for these tests, not State Council notices.
const issuesOf = (run: () => unknown): NoticeIssue[] => {
  try {
    run();
  } catch (error) {
    if (error instanceof HolidayNoticeError) return error.issues;
    throw error;
  }
  throw new Error('expected a HolidayNoticeError');
};

describe('parseHolidayNotice: text', () => {
  it('X-2: reads ranges with 至, single days, make-up days, labels, notes and comments', () => {
    const notice = parseHolidayNotice(`
      # 2027 年部分节假日安排（测试数据）
      元旦：2027-01-01 至 2027-01-03 休
      春节：2027-02-05 至 02-13 放假 共9天
      2027-02-20 上班（春节调休）
      2027-4-5 休
    `);
    expect(notice.year).toBe(2027);
    expect(notice.holidays).toEqual([
      '2027-01-01',
      '2027-01-02',
      '2027-01-03',
      ...['05', '06', '07', '08', '09', '10', '11', '12', '13'].map((d) => `2027-02-${d}`),
      '2027-04-05',
    ]);
    expect(notice.workdays).toEqual(['2027-02-20']);
  });

  it('X-2: accepts ~ and 到 as range separators and English kind words', () => {
    const notice = parseHolidayNotice('2027-10-01~2027-10-03 holiday\n2027-10-04 到 10-05 off\n2027-10-09 workday');
    expect(notice.holidays).toHaveLength(5);
    expect(notice.workdays).toEqual(['2027-10-09']);
  });

  it('X-2: a December make-up day belongs to the next year’s notice', () => {
    const notice = parseHolidayNotice('2028-12-30 上班\n2029-01-01 休', { year: 2029 });
    expect(notice).toEqual({ year: 2029, holidays: ['2029-01-01'], workdays: ['2028-12-30'] });
  });

  it('X-2: errors name every bad line', () => {
    const issues = issuesOf(() =>
      parseHolidayNotice(
        [
          '2027-01-01 至 2027-01-03 休',
          '2027-02-30 休',
          '春节放假七天',
          '2027-02-13 至 2027-02-05 休',
          '2027-02-09 上班',
        ].join('\n'),
      ),
    );
    expect(issues.map((i) => [i.where, i.text])).toEqual([
      ['第 2 行', '2027-02-30 休'],
      ['第 3 行', '春节放假七天'],
      ['第 4 行', '2027-02-13 至 2027-02-05 休'],
    ]);
    expect(issues[0].message).toContain('2027-02-30 不存在');
    expect(issues[2].message).toContain('结束日期早于开始日期');
  });

  it('X-2: a make-up day on a weekday, a day both off and working, and a day of another year are refused', () => {
    const issues = issuesOf(() =>
      parseHolidayNotice('2027-01-01 至 2027-01-03 休\n2027-02-09 上班\n2027-01-02 上班\n2026-06-01 休', {
        year: 2027,
      }),
    );
    expect(issues.map((i) => i.where)).toEqual(['第 2 行', '第 3 行', '第 4 行']);
    expect(issues[0].message).toContain('补班日应为周六或周日');
    expect(issues[1].message).toContain('第 1 行矛盾');
    expect(issues[2].message).toContain('不属于 2027 年');
  });

  it('X-2: a notice without any day off, or a typo’d 3-month range, is refused', () => {
    expect(issuesOf(() => parseHolidayNotice('2027-02-20 上班'))[0].where).toBe('通知');
    expect(issuesOf(() => parseHolidayNotice('2027-01-01 至 2027-03-31 休'))[0].message).toContain('超过 31 天');
  });

  it('X-2: the error message lists the lines for the admin', () => {
    expect(() => parseHolidayNotice('2027-01-01 休\nfoo')).toThrow(/第 2 行「foo」/);
  });
});

describe('parseHolidayNotice: JSON and objects', () => {
  it('X-2: reads JSON text with ranges and single days', () => {
    const notice = parseHolidayNotice('{"holidays": ["2027-05-01 至 2027-05-05"], "workdays": ["2027-05-08"]}');
    expect(notice.holidays).toEqual(['2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04', '2027-05-05']);
    expect(notice.workdays).toEqual(['2027-05-08']);
  });

  it('X-2: reads an object; workdays may be omitted', () => {
    expect(parseHolidayNotice({ holidays: ['2027-06-09'] })).toEqual({
      year: 2027,
      holidays: ['2027-06-09'],
      workdays: [],
    });
  });

  it('X-2: bad JSON and bad entries name their position', () => {
    expect(issuesOf(() => parseHolidayNotice('{"holidays": [')).map((i) => i.where)).toEqual(['JSON']);
    const issues = issuesOf(() => parseHolidayNotice({ holidays: ['2027-01-01', 'soon', 7 as never] }));
    expect(issues.map((i) => i.where)).toEqual(['holidays[1]', 'holidays[2]']);
    expect(issuesOf(() => parseHolidayNotice('["2027-01-01"]'))[0].where).toBe('JSON');
  });
});
