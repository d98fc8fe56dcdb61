// search tokens for Chinese text without a dictionary. Chinese has no spaces, so every run of
// Han characters becomes its overlapping character bigrams (公交车 → 公交, 交车) and its single
// characters (小狗 must meet 猫、狗); ASCII letters and digits become words (12路 → 12; K1 → k1).
// The ranking's idf weighs the common ones down. Measured against pg_trgm on the fixture in
// test/intake-kb.e2e-spec.ts; the numbers are in docs/intake.md.

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/gu;
const WORD = /[a-z0-9]+/g;

/** Distinct tokens of a text, in first-seen order. */
export function searchTokens(text: string): string[] {
  const norm = text.normalize('NFKC').toLowerCase();
  const out = new Set<string>();
  for (const run of norm.match(HAN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i] + chars[i + 1]);
    for (const c of chars) out.add(c);
  }
  for (const w of norm.match(WORD) ?? []) out.add(w);
  return [...out];
}
