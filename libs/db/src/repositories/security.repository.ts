import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CallerCipher } from '../crypto/caller-cipher';
import { exec } from './sql';

export interface SessionRow {
  id: string;
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

  async createSession(userid: string, refreshHash: string, now: Date, expiresAt: Date): Promise<void> {
    await this.ds.query(
      `INSERT INTO auth_sessions (userid, refresh_hash, created_at, expires_at) VALUES ($1,$2,$3,$4)`,
      [userid, refreshHash, now, expiresAt],
    );
  }

  async findSession(refreshHash: string): Promise<SessionRow | null> {
    const rows = await this.ds.query(`SELECT * FROM auth_sessions WHERE refresh_hash = $1`, [refreshHash]);
    const r = rows[0];
    return r
      ? {
          id: r.id,
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

  async revokeSession(id: string, now: Date): Promise<void> {
    await this.ds.query(`UPDATE auth_sessions SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1`, [id, now]);
  }

  /** A refresh token used twice means it leaked: end every session of that person. */
  async revokeAllSessions(userid: string, now: Date): Promise<void> {
    await this.ds.query(`UPDATE auth_sessions SET revoked_at = $2 WHERE userid = $1 AND revoked_at IS NULL`, [
      userid,
      now,
    ]);
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
   * (and any value stored before encryption). Returns how many tickets were rewritten.
   */
  async reencryptCallerData(batch = 500): Promise<number> {
    let done = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    const current = `enc:v1:${this.cipher.currentKeyId}:`;
    for (;;) {
      const rows = await this.ds.query(
        `SELECT id, caller_name, caller_phone, caller_address FROM tickets WHERE id > $1 ORDER BY id LIMIT $2`,
        [after, batch],
      );
      if (rows.length === 0) return done;
      for (const r of rows as Array<Record<string, string | null>>) {
        const values = [r.caller_name, r.caller_phone, r.caller_address];
        if (values.some((v) => v !== null && !v.startsWith(current))) {
          const [name, phone, address] = values.map((v) => this.cipher.decrypt(v));
          await this.ds.query(
            `UPDATE tickets SET caller_name = $2, caller_phone = $3, caller_address = $4, caller_phone_hash = $5
              WHERE id = $1`,
            [
              r.id,
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

  /** Retention: closed tickets whose caller data is due for anonymisation (closed before `cutoff`). */
  async retentionDue(cutoff: Date, limit: number): Promise<{ count: number; oldest: Date | null; sample: string[] }> {
    const rows = await this.ds.query(
      `SELECT count(*)::int AS n, min(closed_at) AS oldest FROM tickets
        WHERE status = 'closed' AND caller_anonymised_at IS NULL AND closed_at < $1`,
      [cutoff],
    );
    const sample = await this.ds.query(
      `SELECT number FROM tickets WHERE status = 'closed' AND caller_anonymised_at IS NULL AND closed_at < $1
        ORDER BY closed_at, id LIMIT $2`,
      [cutoff, limit],
    );
    return {
      count: rows[0].n,
      oldest: rows[0].oldest ? new Date(rows[0].oldest) : null,
      sample: sample.map((r: { number: string }) => r.number),
    };
  }

  /**
   * Anonymises one bounded batch: the caller's name, phone, address and phone hash are erased,
   * the moment is recorded on the ticket and its timeline. Returns the tickets done.
   */
  async anonymiseBatch(cutoff: Date, now: Date, batch: number): Promise<number> {
    return this.ds.transaction(async (m) => {
      const { rows } = await exec<{ id: string }>(
        m,
        `UPDATE tickets SET caller_name = NULL, caller_phone = NULL, caller_address = NULL, caller_phone_hash = NULL,
                caller_anonymised_at = $2
          WHERE id IN (SELECT id FROM tickets
                        WHERE status = 'closed' AND caller_anonymised_at IS NULL AND closed_at < $1
                        ORDER BY closed_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING id`,
        [cutoff, now, batch],
      );
      for (const r of rows) {
        await exec(
          m,
          `INSERT INTO timeline_events (ticket_id, action, actor, at, comment, from_status, to_status)
           VALUES ($1, 'anonymise_caller', 'system', $2, $3, 'closed', 'closed')`,
          [r.id, now, 'retention: caller data erased'],
        );
      }
      return rows.length;
    });
  }
}
