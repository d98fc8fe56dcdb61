import { searchTokens } from './kb-tokenizer';

describe('searchTokens', () => {
  it('X-7: splits Chinese into overlapping bigrams and single characters, and keeps ASCII words', () => {
    expect(searchTokens('12路公交车')).toEqual(['路公', '公交', '交车', '路', '公', '交', '车', '12']);
    expect(searchTokens('K1路 末班车')).toEqual(['路', '末班', '班车', '末', '班', '车', 'k1']);
  });

  it('X-7: full-width letters and digits are folded (NFKC) and duplicates dropped', () => {
    expect(searchTokens('ＩＣ卡 IC卡')).toEqual(['卡', 'ic']);
    expect(searchTokens('')).toEqual([]);
  });
});
