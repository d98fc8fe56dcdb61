// Client-side throttling and call counting. ref §8: DingTalk allows 20 calls/s per app and API
// and answers 90018 / HTTP 403 QpsLimitForAppkeyAndApi beyond that; we stay below on our side.

/**
 * A token bucket: at most `burst + perSecond × T` grants in any interval of T seconds. With the
 * defaults (16/s, burst 3) that is 19 in any one second, one below DingTalk's 20.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError('TokenBucket needs perSecond > 0 and burst >= 1');
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token and returns 0, or returns how many ms to wait before one is free (nothing taken). */
  tryTake(): number {
    const t = this.now();
    if (t > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.perSecond) / 1000);
      this.last = t;
    }
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.perSecond));
  }
}

/** One token bucket per API key (e.g. `POST /topapi/v2/user/get`). */
export class PerApiRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * Resolves when a call to `api` may be sent. Grants are taken at the time they happen (not
   * reserved ahead), so a late timer can never bunch calls above the limit.
   */
  async acquire(api: string): Promise<void> {
    let bucket = this.buckets.get(api);
    if (!bucket) {
      bucket = new TokenBucket(this.perSecond, this.burst, this.now);
      this.buckets.set(api, bucket);
    }
    for (;;) {
      const waitMs = bucket.tryTake();
      if (waitMs === 0) return;
      await this.sleep(waitMs);
    }
  }
}

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/** 'YYYY-MM' of an instant in Asia/Shanghai (UTC+8 all year: China has no daylight saving time). */
export function shanghaiMonthKey(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);
}

/**
 * Counts every HTTP request the client sends, per month (Asia/Shanghai) and API. ref §8: a
 * standard-edition org has a monthly call quota, so the app shows these figures.
 */
export class DingTalkCallCounter {
  private readonly months = new Map<string, Map<string, number>>();

  record(api: string, month: string): void {
    let perApi = this.months.get(month);
    if (!perApi) {
      perApi = new Map();
      this.months.set(month, perApi);
    }
    perApi.set(api, (perApi.get(api) ?? 0) + 1);
  }

  /** Calls per API in one month ('YYYY-MM'). */
  forMonth(month: string): Record<string, number> {
    return Object.fromEntries(this.months.get(month) ?? []);
  }

  /** All calls in one month. */
  total(month: string): number {
    let sum = 0;
    for (const n of this.months.get(month)?.values() ?? []) sum += n;
    return sum;
  }

  /** month → API → calls. */
  snapshot(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [month, perApi] of this.months) out[month] = Object.fromEntries(perApi);
    return out;
  }
}
