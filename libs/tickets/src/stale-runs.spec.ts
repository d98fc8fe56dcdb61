import { SettableClock } from './clock';
import { heartbeat, RUN_HEARTBEAT_MS, RUN_STALE_AFTER_MS } from './stale-runs.service';

describe('issue 19 goal 3: a running export or import beats while it runs', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('issue 19: the heartbeat is written every RUN_HEARTBEAT_MS with the clock’s time, and no more once stopped', async () => {
    const clock = new SettableClock(new Date('2026-12-01T02:00:00Z'));
    const beats: string[] = [];
    const beat = heartbeat(clock, async (now) => {
      beats.push(now.toISOString());
    });
    jest.advanceTimersByTime(RUN_HEARTBEAT_MS - 1);
    expect(beats).toEqual([]);
    clock.advance(RUN_HEARTBEAT_MS);
    jest.advanceTimersByTime(1);
    expect(beats).toEqual(['2026-12-01T02:00:30.000Z']);
    clock.advance(RUN_HEARTBEAT_MS);
    jest.advanceTimersByTime(RUN_HEARTBEAT_MS);
    expect(beats).toHaveLength(2);
    beat.stop();
    jest.advanceTimersByTime(10 * RUN_HEARTBEAT_MS);
    expect(beats).toHaveLength(2);
  });

  it('issue 19: a failed write does not stop the beats (the next one writes it again)', async () => {
    const clock = new SettableClock();
    let calls = 0;
    const beat = heartbeat(clock, async () => {
      calls += 1;
      throw new Error('the database is restarting');
    });
    jest.advanceTimersByTime(3 * RUN_HEARTBEAT_MS);
    await Promise.resolve();
    expect(calls).toBe(3);
    beat.stop();
  });

  it('issue 19: a run is stale only after several missed beats', () => {
    expect(RUN_STALE_AFTER_MS).toBeGreaterThanOrEqual(3 * RUN_HEARTBEAT_MS);
  });
});
