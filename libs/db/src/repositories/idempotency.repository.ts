import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { exec } from './sql';

export interface StoredResponse {
  requestHash: string;
  statusCode: number;
  response: unknown;
}

/** Idempotency-Key records: the first result of an action, replayed to a retry. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly ds: DataSource) {}

  async find(actor: string, key: string): Promise<StoredResponse | null> {
    const rows = await this.ds.query(
      `SELECT request_hash, status_code, response FROM idempotency_keys WHERE actor = $1 AND key = $2`,
      [actor, key],
    );
    return rows[0]
      ? { requestHash: rows[0].request_hash, statusCode: rows[0].status_code, response: rows[0].response }
      : null;
  }

  /** Saves inside the action's transaction; false when a concurrent request saved it first. */
  async save(m: EntityManager, actor: string, key: string, value: StoredResponse): Promise<boolean> {
    const { affected } = await exec(
      m,
      `INSERT INTO idempotency_keys (actor, key, request_hash, status_code, response) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (actor, key) DO NOTHING`,
      [actor, key, value.requestHash, value.statusCode, JSON.stringify(value.response)],
    );
    return affected === 1;
  }
}
