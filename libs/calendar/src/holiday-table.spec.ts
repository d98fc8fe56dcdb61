import * as chineseDays from 'chinese-days';
import { chineseDaysTable, holidayTableFrom } from './holiday-table';
import { dayFromYmd, dayKey } from './shanghai-time';

const table = chineseDaysTable();

describe('holiday table from chinese-days', () => {
  it('X-2: the covered years are found in the data: every year 2004–2026, not 2027', () => {
    const years = [...table.years].sort((a, b) => a - b);
    expect(years[0]).toBe(2004);
    expect(years.at(-1)).toBe(2026);
    expect(years).toHaveLength(2026 - 2004 + 1);
    expect(table.years.has(2027)).toBe(false);
  });

  it('X-2: the 2026 make-up working days match the State Council notice', () => {
    const workdays2026 = [...table.workdays.keys()].filter((d) => d.startsWith('2026-')).sort();
    expect(workdays2026).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
    expect(table.holidays.get('2026-10-01')).toBe('国庆节');
  });

  it('X-2: known trap: the package itself calls 2027-01-01 a working day without complaint', () => {
    expect(chineseDays.isWorkday('2027-01-01')).toBe(true);
  });

  // The package's functions read dates back in the process time zone; compare only when this
  // process's zone lets them answer for the date they were asked about.
  const packageAnswersRightDate = chineseDays.getDayDetail('2026-10-10').date === '2026-10-10';
  (packageAnswersRightDate ? it : it.skip)(
    'X-2: the table agrees with the package’s isWorkday for every day 2004–2026',
    () => {
      const disagreements: string[] = [];
      for (let day = dayFromYmd(2004, 1, 1); day <= dayFromYmd(2026, 12, 31); day += 1) {
        const date = dayKey(day);
        const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
        const fromTable = table.workdays.has(date) || (!table.holidays.has(date) && !weekend);
        if (fromTable !== chineseDays.isWorkday(date)) disagreements.push(date);
      }
      expect(disagreements).toEqual([]);
    },
  );

  it('X-2: a table built from other data reports that data’s years and a different digest', () => {
    const other = holidayTableFrom(
      { holidays: { '2031-01-01': "New Year's Day,元旦,1" }, workdays: { '2030-12-29': '元旦' } },
      'test',
    );
    expect([...other.years]).toEqual([2031]);
    expect(other.holidays.get('2031-01-01')).toBe('元旦');
    expect(other.digest).not.toBe(table.digest);
  });
});
