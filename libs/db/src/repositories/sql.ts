import type { EntityManager } from 'typeorm';

/** Runs SQL on the manager's connection and returns rows and the affected row count. */
export async function exec<T = Record<string, unknown>>(
  m: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<{ rows: T[]; affected: number }> {
  const runner = m.queryRunner ?? m.connection.createQueryRunner();
  try {
    const res = await runner.query(sql, params, true);
    return { rows: (res.records ?? []) as T[], affected: res.affected ?? 0 };
  } finally {
    if (!m.queryRunner) await runner.release();
  }
}

export const iso = (d: Date | null | undefined): Date | null => (d ? d : null);
export const toDate = (v: unknown): Date | undefined =>
  v === null || v === undefined ? undefined : new Date(v as string);
