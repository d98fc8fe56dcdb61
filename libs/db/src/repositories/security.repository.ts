import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CallerCipher } from '../crypto/caller-cipher';
import { CALLER_DATA_TABLES, type CallerDataTable } from '../crypto/caller-data-tables';
import { exec } from './sql';

export interface SessionRow {
  id: string;
  /** The sign-in this session descends from (the first session's id); access tokens carry it as `sid`. */
  family: string;
  userid: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export interface CallerRow {
  ticketId: string;
  confidential: boolean;
  name: string | null;
  phone: string | null;
  address: string | null;
}

export interface RevealRow {
  id: number;
  ticketId: string;
  ticketNumber: string;
  userid: string;
  name: string;
  at: Date;
  reason: string;
  basis: string;
}

/** Refresh-token sessions, the caller's clear data and the audit of who saw it. */
@Injectable()
export class SecurityRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: CallerCipher,
  ) {}

  /** A new session; a refresh passes the family it continues, a sign-in starts one. Returns the family. */
  async createSession(
    userid: string,
    refreshHash: string,
    now: Date,
    expiresAt: Date,
    family: string | null = null,
  ): Promise<string> {
    const rows = await this.ds.query(
      `INSERT INTO auth_sessions (id, family, userid, refresh_hash, created_at, expires_at)
       SELECT g, COALESCE($5::uuid, g), $1, $2, $3, $4 FROM gen_random_uuid() g RETURNING family`,
      [userid, refreshHash, now, expiresAt, family],
    );
    return rows[0].family;
  }

  /** Signing out: every session of the family ends, so its access tokens die with it. */
  async revokeFamily(family: string, now: Date): Promise<void> {
    await this.ds.query(`UPDATE auth_sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE family = $1`, [
      family,
      now,
    ]);
  }

  async findSession(refreshHash: string): Promise<SessionRow | null> {
    const rows = await this.ds.query(`SELECT * FROM auth_sessions WHERE refresh_hash = $1`, [refreshHash]);
    const r = rows[0];
    return r
      ? {
          id: r.id,
          family: r.family,
          userid: r.userid,
          expiresAt: new Date(r.expires_at),
          rotatedAt: r.rotated_at ? new Date(r.rotated_at) : null,
          revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
        }
      : null;
  }

  /** Marks a session used (rotation); false when someone else used it first. */
  async rotateSession(id: string, now: Date): Promise<boolean> {
    const { affected } = await exec(
      this.ds.manager,
      `UPDATE auth_sessions SET rotated_at = $2 WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL`,
      [id, now],
    );
    return affected === 1;
  }

  /** A refresh token used twice means it leaked: end every session of that person. */
  async revokeAllSessions(userid: string, now: Date): Promise<void> {
    await this.ds.query(`UPDATE auth_sessions SET revoked_at = $2 WHERE userid = $1 AND revoked_at IS NULL`, [
      userid,
      now,
    ]);
  }

  /**
   * Issue 17, item 3: counts one attempt of `key` in the window starting at `windowStart` (shared by
   * every replica: one upsert) and returns it with the previous window's count; windows older than
   * the previous one are forgotten.
   */
  async rateLimitHit(key: string, windowStart: Date, previousStart: Date): Promise<{ hits: number; previous: number }> {
    const rows = await this.ds.query(
      `WITH gone AS (DELETE FROM rate_limit_hits WHERE window_start < $3)
       INSERT INTO rate_limit_hits AS r (key, window_start, hits) VALUES ($1, $2, 1)
       ON CONFLICT (key, window_start) DO UPDATE SET hits = r.hits + 1
       RETURNING r.hits,
         (SELECT p.hits FROM rate_limit_hits p WHERE p.key = $1 AND p.window_start = $3) AS previous`,
      [key, windowStart, previousStart],
    );
    return { hits: rows[0].hits, previous: rows[0].previous ?? 0 };
  }

  async callerOf(ticketId: string): Promise<CallerRow | null> {
    const rows = await this.ds.query(
      `SELECT id, confidential, caller_name, caller_phone, caller_address FROM tickets WHERE id = $1`,
      [ticketId],
    );
    const r = rows[0];
    return r
      ? {
          ticketId: r.id,
          confidential: r.confidential,
          name: this.cipher.decrypt(r.caller_name),
          phone: this.cipher.decrypt(r.caller_phone),
          address: this.cipher.decrypt(r.caller_address),
        }
      : null;
  }

  async recordReveal(ticketId: string, userid: string, at: Date, reason: string, basis: string): Promise<void> {
    await this.ds.query(`INSERT INTO caller_reveals (ticket_id, userid, at, reason, basis) VALUES ($1,$2,$3,$4,$5)`, [
      ticketId,
      userid,
      at,
      reason,
      basis,
    ]);
  }

  async reveals(limit: number, beforeId?: number, ticketId?: string): Promise<RevealRow[]> {
    const rows = await this.ds.query(
      `SELECT r.id, r.ticket_id, t.number, r.userid, p.name, r.at, r.reason, r.basis
         FROM caller_reveals r JOIN tickets t ON t.id = r.ticket_id JOIN people p ON p.userid = r.userid
        WHERE ($2::bigint IS NULL OR r.id < $2) AND ($3::uuid IS NULL OR r.ticket_id = $3)
        ORDER BY r.id DESC LIMIT $1`,
      [limit, beforeId ?? null, ticketId ?? null],
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      ticketId: r.ticket_id,
      ticketNumber: r.number,
      userid: r.userid,
      name: r.name,
      at: new Date(r.at),
      reason: r.reason,
      basis: r.basis,
    }));
  }

  /**
   * Key rotation: re-encrypts, in bounded batches, every caller value not under the current key
   * (and any value stored before encryption) in every table of CALLER_DATA_TABLES. Returns how
   * many rows were rewritten.
   */
  async reencryptCallerData(batch = 500): Promise<number> {
    let done = 0;
    for (const t of CALLER_DATA_TABLES) done += await this.reencryptTable(t, batch);
    return done + (await this.reencryptIntakeSecrets());
  }

  /** Issue 17.2: the upstream systems' signing secrets are encrypted with the same keys. */
  private async reencryptIntakeSecrets(): Promise<number> {
    const rows: Array<{ code: string; secret_enc: string }> = await this.ds.query(
      `SELECT code, secret_enc FROM intake_clients
        WHERE secret_enc IS NOT NULL AND NOT starts_with(secret_enc, $1)`,
      [`enc:v1:${this.cipher.currentKeyId}:`],
    );
    for (const r of rows) {
      await this.ds.query(`UPDATE intake_clients SET secret_enc = $3 WHERE code = $1 AND secret_enc = $2`, [
        r.code,
        r.secret_enc,
        this.cipher.encrypt(this.cipher.decrypt(r.secret_enc)),
      ]);
    }
    return rows.length;
  }

  private async reencryptTable(t: CallerDataTable, batch: number): Promise<number> {
    let done = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    const current = `enc:v1:${this.cipher.currentKeyId}:`;
    const [nameCol, phoneCol, addressCol] = t.encrypted;
    for (;;) {
      const rows = await this.ds.query(
        `SELECT id, ${nameCol} AS n, ${phoneCol} AS p, ${addressCol} AS a FROM ${t.table}
          WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, batch],
      );
      if (rows.length === 0) return done;
      for (const r of rows as Array<Record<string, string | null>>) {
        const values = [r.n, r.p, r.a];
        if (values.some((v) => v !== null && !v.startsWith(current))) {
          const [name, phone, address] = values.map((v) => this.cipher.decrypt(v));
          // Compare-and-set on the old values: a row changed meanwhile (retention) is left alone.
          await this.ds.query(
            `UPDATE ${t.table} SET ${nameCol} = $5, ${phoneCol} = $6, ${addressCol} = $7, ${t.phoneHash} = $8
              WHERE id = $1 AND ${nameCol} IS NOT DISTINCT FROM $2 AND ${phoneCol} IS NOT DISTINCT FROM $3
                AND ${addressCol} IS NOT DISTINCT FROM $4`,
            [
              r.id,
              r.n,
              r.p,
              r.a,
              this.cipher.encrypt(name),
              this.cipher.encrypt(phone),
              this.cipher.encrypt(address),
              this.cipher.phoneHash(phone),
            ],
          );
          done++;
        }
      }
      after = rows[rows.length - 1].id as string;
    }
  }

  /**
   * Retention: closed tickets whose caller data is due for anonymisation (closed before `cutoff`),
   * and the merged callers (ticket_callers) of such tickets.
   */
  async retentionDue(
    cutoff: Date,
    limit: number,
  ): Promise<{ count: number; callers: number; oldest: Date | null; sample: string[] }> {
    const rows = await this.ds.query(
      `SELECT count(*)::int AS n, min(closed_at) AS oldest FROM tickets x WHERE ${TICKETS.retentionDue}`,
      [cutoff],
    );
    const sample = await this.ds.query(
      `SELECT number FROM tickets x WHERE ${TICKETS.retentionDue} ORDER BY closed_at, id LIMIT $2`,
      [cutoff, limit],
    );
    let callers = 0;
    for (const t of CALLER_DATA_TABLES) {
      if (t === TICKETS) continue;
      const [c] = await this.ds.query(`SELECT count(*)::int AS n FROM ${t.table} x WHERE ${t.retentionDue}`, [cutoff]);
      callers += c.n;
    }
    return {
      count: rows[0].n,
      callers,
      oldest: rows[0].oldest ? new Date(rows[0].oldest) : null,
      sample: sample.map((r: { number: string }) => r.number),
    };
  }

  /**
   * Anonymises one bounded batch of every table in CALLER_DATA_TABLES: the caller's name, phone,
   * address and phone hash are erased, the moment is recorded on the row and, for a ticket's own
   * caller, on its timeline. Returns the tickets and the other rows (merged callers) done.
   */
  async anonymiseBatch(cutoff: Date, now: Date, batch: number): Promise<{ tickets: number; callers: number }> {
    return this.ds.transaction(async (m) => {
      const done = { tickets: 0, callers: 0 };
      for (const t of CALLER_DATA_TABLES) {
        const erase = [...t.encrypted, t.phoneHash].map((c) => `${c} = NULL`).join(', ');
        const { rows } = await exec<{ ticket_id: string }>(
          m,
          `UPDATE ${t.table} SET ${erase}, ${t.anonymisedAt} = $2
            WHERE id IN (SELECT id FROM ${t.table} x WHERE ${t.retentionDue} LIMIT $3 FOR UPDATE SKIP LOCKED)
            RETURNING ${t.ticketId} AS ticket_id`,
          [cutoff, now, batch],
        );
        if (t !== TICKETS) {
          done.callers += rows.length;
          continue;
        }
        done.tickets += rows.length;
        for (const r of rows) {
          await exec(
            m,
            `INSERT INTO timeline_events (ticket_id, action, actor, at, comment, from_status, to_status)
             VALUES ($1, 'anonymise_caller', 'system', $2, $3, 'closed', 'closed')`,
            [r.ticket_id, now, 'retention: caller data erased'],
          );
        }
      }
      return done;
    });
  }
}

const TICKETS = CALLER_DATA_TABLES.find((t) => t.table === 'tickets')!;
