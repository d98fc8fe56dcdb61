import type { SecurityRepository } from '@hotline/db';
import type { Clock } from '../clock';

/** What @nestjs/throttler's guard expects of its storage (ThrottlerStorageRecord). */
export interface RateLimitRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * Issue 17, item 3: the sign-in limiter's counters live in PostgreSQL, so every api replica counts
 * against one limit (the throttler's in-memory default gave each replica its own). A sliding
 * window: this window's attempts plus the previous window's, weighted by how much of it still
 * overlaps the last `ttl`, so a burst across a window boundary does not get twice the limit.
 * Times come from the application clock.
 */
export class SignInRateLimitStore {
  constructor(
    private readonly security: SecurityRepository,
    private readonly clock: Clock,
  ) {}

  async increment(key: string, ttlMs: number, limit: number): Promise<RateLimitRecord> {
    const now = this.clock.now().getTime();
    const start = Math.floor(now / ttlMs) * ttlMs;
    const { hits, previous } = await this.security.rateLimitHit(key, new Date(start), new Date(start - ttlMs));
    const overlap = 1 - (now - start) / ttlMs;
    const totalHits = hits + Math.floor(previous * overlap);
    const secondsLeft = Math.max(1, Math.ceil((start + ttlMs - now) / 1000));
    const isBlocked = totalHits > limit;
    return { totalHits, timeToExpire: secondsLeft, isBlocked, timeToBlockExpire: isBlocked ? secondsLeft : 0 };
  }
}
