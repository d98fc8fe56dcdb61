import { searchStretches, searchWalk } from './ticket-search';

describe('R-15: a search walk in two stretches (searchStretches)', () => {
  it('R-15: at 10 M tickets the first stretch is a tenth of the 50,000-ticket walk, the cap what the rest costs', () => {
    const bound = searchWalk('偶见词', 10_000_000);
    expect(bound).toBe(50_000);
    // The rest of the walk, 45,000 tickets at 0.5 µs, against 15 µs a match for the indexes.
    expect(searchStretches(bound)).toEqual({ first: 5_000, cap: 1_500 });
  });

  it('R-15: a short walk has a first stretch of at least 100 tickets, and never more than the walk', () => {
    expect(searchStretches(searchWalk('Door', 1_000))).toEqual({ first: 100, cap: 7 });
    expect(searchStretches(50)).toEqual({ first: 50, cap: 1 });
  });
});
