// R-19 (issue 17, item 1): every table that holds caller data is in one list, and retention and
// key rotation both walk it, so a merged caller (并单, ticket_callers) escapes neither.
import { Client } from 'pg';
import {
  CALLER_DATA_TABLES,
  CallerCipher,
  createDataSource,
  IntakeRepository,
  NOT_CALLER_DATA_COLUMNS,
  parseCallerKeys,
  SecurityRepository,
} from '@hotline/db';
import { createTestApp, type TestApp } from './support/app';
import { ApiClient } from './support/api-client';

const key = (n: number) => Buffer.alloc(32, n).toString('base64');
const HASH_KEY = Buffer.alloc(32, 9).toString('base64');
const keysEnv = (spec: string) => ({ CALLER_DATA_KEYS: spec, CALLER_HASH_KEY: HASH_KEY });

async function query<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** A consultation that stays open, and a repeat call by another caller merged into it. */
async function mergedPair(api: ApiClient, phone: string) {
  const open = await api.createTicket('dispatcher1', {
    category: 'consultation',
    caller: { name: '赵六', phone: '13700000001' },
  });
  const repeat = await api.createTicket('dispatcher2', {
    category: 'consultation',
    caller: { name: '钱七', phone, address: '解放路8号' },
  });
  await api.ok('dispatcher2', repeat.id, 'merge', { into: open.id });
  return { open, repeat };
}

describe('the list of tables that hold caller data (R-19)', () => {
  it('R-19: every caller_* column of the schema is in CALLER_DATA_TABLES or declared not to be caller data', async () => {
    const t = await createTestApp({ dbSuffix: 'callertables' });
    try {
      const rows = await query<{ table_name: string; column_name: string }>(
        t.databaseUrl,
        `SELECT table_name, column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND (column_name LIKE 'caller%' OR column_name LIKE '%phone%')
          ORDER BY 1, 2`,
      );
      const inSchema = rows.map((r) => `${r.table_name}.${r.column_name}`);
      const listed = CALLER_DATA_TABLES.flatMap((d) =>
        [...d.encrypted, d.phoneHash, d.anonymisedAt].map((c) => `${d.table}.${c}`),
      );
      expect(inSchema.filter((c) => !listed.includes(c) && !NOT_CALLER_DATA_COLUMNS.includes(c))).toEqual([]);
      // …and the list names nothing that does not exist.
      expect(listed.filter((c) => !inSchema.includes(c))).toEqual([]);
      expect(CALLER_DATA_TABLES.map((d) => d.table)).toEqual(expect.arrayContaining(['tickets', 'ticket_callers']));
    } finally {
      await t.close();
    }
  });
});

describe('key rotation covers merged callers (R-19)', () => {
  it('R-19: after caller-data:reencrypt and dropping the old key, a ticket with a merged caller still reads', async () => {
    // Before the rotation: key k1 only.
    let t: TestApp = await createTestApp({ dbSuffix: 'rotation', env: keysEnv(`k1:${key(1)}`) });
    const url = t.databaseUrl;
    const { open } = await mergedPair(new ApiClient(t.app), '13700000002');
    await t.close();
    expect(
      (
        await query<{ caller_phone: string }>(url, `SELECT caller_phone FROM ticket_callers WHERE ticket_id = $1`, [
          open.id,
        ])
      )[0].caller_phone,
    ).toMatch(/^enc:v1:k1:/);

    // The rotation: k2 in front, the re-encryption (what `npm run caller-data:reencrypt` runs).
    const ds = createDataSource(url, 2);
    await ds.initialize();
    try {
      const cipher = new CallerCipher(parseCallerKeys(`k2:${key(2)},k1:${key(1)}`, HASH_KEY));
      expect(await new SecurityRepository(ds, cipher).reencryptCallerData(1)).toBeGreaterThanOrEqual(3);
      expect(await new SecurityRepository(ds, cipher).reencryptCallerData()).toBe(0);
    } finally {
      await ds.destroy();
    }
    const stored = await query<{ table: string; v: string | null }>(
      url,
      `SELECT 'tickets' AS table, caller_phone AS v FROM tickets UNION ALL SELECT 'ticket_callers', caller_phone FROM ticket_callers`,
    );
    expect(stored.filter((r) => r.v && !r.v.startsWith('enc:v1:k2:'))).toEqual([]);

    // Then the old key is dropped: the merged ticket still reads, its merged caller still matches.
    t = await createTestApp({ dbSuffix: 'rotation', env: keysEnv(`k2:${key(2)}`) });
    try {
      const api = new ApiClient(t.app);
      const view = await api.get('dispatcher1', `/api/tickets/${open.id}`);
      expect(view.status).toBe(200);
      expect(view.body.callers).toEqual([expect.objectContaining({ name: '钱*', phone: '137****0002' })]);
      const panel = await api.get('dispatcher1', '/api/intake/repeats?phone=13700000002');
      expect(panel.body.matches.map((m: { id: string }) => m.id)).toEqual([open.id]);
    } finally {
      await t.close();
    }
  });
});

describe('retention covers merged callers (R-19)', () => {
  it('R-19: retention erases the merged callers of old tickets; the repeat match no longer finds them', async () => {
    const t = await createTestApp({
      dbSuffix: 'mergedretention',
      env: { RETENTION_CALLER_YEARS: '3' },
      start: new Date('2026-03-02T02:00:00Z'),
    });
    try {
      let api = new ApiClient(t.app);
      const { open, repeat } = await mergedPair(api, '13700000003');
      await api.ok('dispatcher1', open.id, 'answer_directly', { answer: '已答复两位来电人' });
      const recent = await mergedPair(api, '13700000004');
      const phoneHash = t.app.get(CallerCipher).phoneHash('13700000003');
      const matches = async () =>
        (
          await t.app
            .get(IntakeRepository)
            .repeats(
              { kind: 'all' },
              { phoneHash, route: null, vehiclePlate: null, stop: null, since: new Date(0), limit: 20 },
            )
        ).map((r) => r.id);
      expect(await matches()).toEqual([open.id]);

      t.clock.advance(3.5 * 365 * 24 * 3600_000);
      api = new ApiClient(t.app);
      const dry = await api.get('admin', '/api/admin/retention');
      expect(dry.body).toMatchObject({ dryRun: true, count: 3, callers: 1 }); // open and both merged matters; 1 merged caller
      const run = await api.post('admin', '/api/admin/retention/run');
      expect(run.body).toMatchObject({ dryRun: false, count: 3, callers: 1 });

      const rows = await query(
        t.databaseUrl,
        `SELECT ticket_id, caller_name, caller_phone, caller_address, caller_phone_hash,
                caller_anonymised_at IS NOT NULL AS erased
           FROM ticket_callers WHERE ticket_id = ANY($1) ORDER BY ticket_id = $2 DESC`,
        [[open.id, recent.open.id], open.id],
      );
      expect(rows[0]).toEqual({
        ticket_id: open.id,
        caller_name: null,
        caller_phone: null,
        caller_address: null,
        caller_phone_hash: null,
        erased: true,
      });
      // The still-open ticket keeps its merged caller.
      expect(rows[1]).toMatchObject({
        ticket_id: recent.open.id,
        erased: false,
        caller_phone: expect.stringMatching(/^enc:/),
      });
      expect(await matches()).toEqual([]);
      const view = (await api.get('dispatcher1', `/api/tickets/${open.id}`)).body;
      expect(view.callers).toEqual([
        expect.objectContaining({ fromTicket: { id: repeat.id, number: repeat.number }, name: null, phone: null }),
      ]);
      expect((await api.post('admin', '/api/admin/retention/run')).body).toMatchObject({ count: 0, callers: 0 });
    } finally {
      await t.close();
    }
  });
});
