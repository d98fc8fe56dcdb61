import { rarestApart, searchIndexSql } from './loop-sql';

/** A 10 M-ticket database's shares: every subject has the Chinese characters, half of them a digit. */
const SHARES = {
  shares: new Map<string, number>([
    ...[...'乘客反映'].map((c): [string, number] => [c, 1]),
    ['9', 0.5241],
    ['8', 0.5246],
    ['7', 0.5204],
    ['6', 0.528],
    ['5', 0.5145],
    ['4', 0.528],
    ['3', 0.524],
  ]),
  floor: 0.005,
};

describe('R-15: the keys of a search past its walk (searchIndexSql)', () => {
  it('R-15: two pieces apart that narrow more together win over the rarest piece alone', () => {
    const pieces = [
      { at: 0, text: 'a', share: 0.144 },
      { at: 1, text: 'b', share: 0.144 },
      { at: 2, text: 'c', share: 0.143 }, // the rarest, between the others
      { at: 3, text: 'd', share: 0.145 },
      { at: 4, text: 'e', share: 0.144 },
    ];
    const chosen = rarestApart(pieces, 3);
    expect(chosen).toHaveLength(2);
    expect(Math.abs(chosen[0]!.at - chosen[1]!.at)).toBeGreaterThanOrEqual(3);
    expect(chosen[0]!.share).toBeLessThanOrEqual(chosen[1]!.share);
  });

  it('R-15: pieces that most tickets have are no key; three apart at most, rarest first', () => {
    expect(
      rarestApart(
        [
          { at: 0, text: 'a', share: 1 },
          { at: 3, text: 'b', share: 0.6 },
        ],
        3,
      ),
    ).toEqual([]);
    const chosen = rarestApart(
      [0, 3, 6, 9, 12].map((at) => ({ at, text: `p${at}`, share: 0.1 + at / 100 })),
      3,
    );
    expect(chosen.map((p) => p.at)).toEqual([0, 3, 6]);
  });

  it('R-15: `乘客反映 9876543` is looked up by two digit pieces apart, then the whole search', () => {
    const params: unknown[] = [];
    const sql = searchIndexSql('乘客反映 9876543', params, SHARES);
    // $1 the whole pattern, $2 the number, then the keys: `765`, the rarest piece here, would
    // leave no other digit piece apart from it.
    expect(params.slice(2)).toEqual(['%543%', '%987%']);
    expect(sql).toContain('t.subject LIKE $3 AND t.subject LIKE $4 AND t.subject LIKE $1');
  });

  it('R-15: the same piece twice is one key: `乘客反映 10000000` is looked up by `100` and `000`, not `000` twice', () => {
    const params: unknown[] = [];
    const shares = { shares: new Map([...SHARES.shares, ['0', 0.52], ['1', 0.55]]), floor: 0.005 };
    searchIndexSql('乘客反映 10000000', params, shares);
    expect(params.slice(2).sort()).toEqual(['%000%', '%100%']);
  });

  it('R-15: a search whose pieces every ticket has is the whole search alone', () => {
    const params: unknown[] = [];
    const sql = searchIndexSql('乘客反映', params, SHARES);
    expect(params).toHaveLength(2);
    expect(sql).toBe('((t.subject LIKE $1) OR (t.content LIKE $1) OR t.number = $2)');
  });
});
