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
  tryTake(t: number = this.now()): number {
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

/** Client-side allowance per API: `burst + perSecond × T` calls in any T seconds. */
export interface RateSpec {
  perSecond: number;
  burst: number;
}

/**
 * Issue 16.4: what every DingTalk call draws on. The client asks it before each HTTP request; with
 * one implementation shared by every process (PostgreSQL, `libs/tickets`), api replicas and
 * workers together stay within DingTalk's per-API limit and the monthly quota.
 */
export interface DingTalkCallBudget {
  /**
   * Takes one call of `api` at `nowMs` (the client's clock): 0 when taken, otherwise the ms to
   * wait before one may be free (nothing taken).
   */
  takeRate(api: string, nowMs: number, rate: RateSpec): Promise<number>;
  /** Counts one call in `month` ('YYYY-MM') if fewer than `quota` were counted; false (nothing counted) otherwise. */
  takeQuota(month: string, quota: number): Promise<boolean>;
}

/** The budget of one process alone: a token bucket per API and a count per month, in memory. */
export class InProcessCallBudget implements DingTalkCallBudget {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly months = new Map<string, number>();

  async takeRate(api: string, nowMs: number, rate: RateSpec): Promise<number> {
    let bucket = this.buckets.get(api);
    if (!bucket) {
      bucket = new TokenBucket(rate.perSecond, rate.burst, () => nowMs);
      this.buckets.set(api, bucket);
    }
    return bucket.tryTake(nowMs);
  }

  async takeQuota(month: string, quota: number): Promise<boolean> {
    const used = this.months.get(month) ?? 0;
    if (used >= quota) return false;
    this.months.set(month, used + 1);
    return true;
  }
}

/**
 * Waits for the budget before each call. Within one process the callers of one API queue here,
 * so each process has at most one request per API out to the budget (no stampede on a shared
 * store); it sleeps for the wait the budget names instead of asking again at once.
 */
export class BudgetRateLimiter {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly budget: DingTalkCallBudget,
    private readonly rate: RateSpec,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {
    if (!(rate.perSecond > 0) || !(rate.burst >= 1)) throw new RangeError('rate needs perSecond > 0 and burst >= 1');
  }

  /**
   * Resolves when a call to `api` may be sent. Grants are taken at the time they happen (not
   * reserved ahead), so a late timer can never bunch calls above the limit.
   */
  acquire(api: string): Promise<void> {
    const previous = this.queues.get(api) ?? Promise.resolve();
    const mine = previous.then(() => this.take(api));
    const settled = mine.catch(() => undefined);
    this.queues.set(api, settled);
    void settled.then(() => {
      if (this.queues.get(api) === settled) this.queues.delete(api);
    });
    return mine;
  }

  private async take(api: string): Promise<void> {
    for (;;) {
      const waitMs = await this.budget.takeRate(api, this.now(), this.rate);
      if (waitMs <= 0) return;
      await this.sleep(waitMs);
    }
  }
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

/**
 * ref §8: token, sign-in (免登) and contacts calls do not count against a standard-edition
 * company's monthly quota. The jsapi ticket is not named there, so it counts (the stricter reading).
 */
const QUOTA_EXEMPT_APIS: ReadonlySet<string> = new Set([
  'GET /gettoken',
  'POST /v1.0/oauth2/accessToken',
  'POST /topapi/v2/user/getuserinfo',
  'POST /topapi/v2/user/get',
  'POST /topapi/v2/user/list',
  'POST /topapi/v2/department/listsub',
  'POST /topapi/user/getbyunionid',
]);

/** Whether a call of `api` (method + path template) counts against the monthly quota. */
export function countsAgainstQuota(api: string): boolean {
  return !QUOTA_EXEMPT_APIS.has(api);
}
