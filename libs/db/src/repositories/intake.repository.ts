import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { CallerCipher } from '../crypto/caller-cipher';
import { exec } from './sql';
import { scopeSql, type TicketScope } from './ticket.repository';

/** An upstream system allowed to submit matters (its key is kept only as a SHA-256). */
export interface IntakeClientRow {
  code: string;
  name: string;
  sourceCode: string;
  initiator: string;
  keyHint: string;
  /** Issue 17.2: the id the system sends in X-Intake-Key-Id; null for a key of the legacy form. */
  keyId: string | null;
  active: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** A legacy key (its secret sent in X-Intake-Key) is accepted until then; null: never. */
  legacyUntil: Date | null;
  /** Requests that still sent the secret itself: how many, and the last one. */
  legacyUses: number;
  legacyLastUsedAt: Date | null;
}

/** what the repeat panel is told about an earlier matter (caller in clear only for masking). */
export interface RepeatRow {
  id: string;
  number: string;
  subject: string;
  status: string;
  categoryCode: string;
  createdAt: Date;
  route: string | null;
  stop: string | null;
  vehiclePlate: string | null;
  confidential: boolean;
  callerName: string | null;
  callerPhone: string | null;
  byPhone: boolean;
  byVehicle: boolean;
  byRoute: boolean;
  byStop: boolean;
}

export interface RepeatQuery {
  phoneHash: string | null;
  route: string | null;
  vehiclePlate: string | null;
  stop: string | null;
  since: Date;
  limit: number;
}

/** a caller who joined a ticket by a merge (并单), and whether they were answered. */
export interface TicketCallerRow {
  id: string;
  ticketId: string;
  fromTicketId: string;
  fromTicketNumber: string;
  name: string | null;
  phone: string | null;
  address: string | null;
  addedBy: string;
  addedAt: Date;
  answeredAt: Date | null;
  answeredBy: string | null;
  answerMethod: string | null;
  answerSummary: string | null;
}

export interface CallerToAnswerRow {
  callerId: string;
  ticketId: string;
  ticketNumber: string;
  subject: string;
  closedAt: Date;
  addedAt: Date;
  /** The merged matter the caller came from, and the caller in clear (masked by the service). */
  fromTicketId: string;
  fromTicketNumber: string;
  name: string | null;
  phone: string | null;
}

@Injectable()
export class IntakeRepository {
  constructor(
    private readonly ds: DataSource,
    private readonly cipher: CallerCipher,
  ) {}

  // ---- upstream clients, references and signatures ----

  async clientByKeyHash(keyHash: string): Promise<IntakeClientRow | null> {
    const rows = await this.ds.query(`SELECT * FROM intake_clients WHERE key_hash = $1 AND active`, [keyHash]);
    return rows[0] ? clientRow(rows[0]) : null;
  }

  /** Issue 17.2: an active client by the key id it sends, with its secret as stored (encrypted). */
  async clientByKeyId(keyId: string): Promise<{ client: IntakeClientRow; secretEnc: string } | null> {
    const rows = await this.ds.query(`SELECT * FROM intake_clients WHERE key_id = $1 AND active`, [keyId]);
    return rows[0] ? { client: clientRow(rows[0]), secretEnc: rows[0].secret_enc } : null;
  }

  /** Issue 17.2: a request still sent the secret itself (shown as a warning on the admin page). */
  async recordLegacyUse(code: string, now: Date): Promise<void> {
    await this.ds.query(
      `UPDATE intake_clients SET legacy_uses = legacy_uses + 1, legacy_last_used_at = $2 WHERE code = $1`,
      [code, now],
    );
  }

  async clients(): Promise<IntakeClientRow[]> {
    const rows = await this.ds.query(`SELECT * FROM intake_clients ORDER BY code`);
    return rows.map(clientRow);
  }

  /**
   * Creates or re-keys a client (a new key replaces the old one at once). Issue 17.2: a new key is
   * a key id and an encrypted secret; re-keying a legacy client ends its legacy form.
   */
  async saveClient(
    c: {
      code: string;
      name: string;
      sourceCode: string;
      initiator: string;
      keyId: string;
      secretEnc: string;
      keyHint: string;
    },
    now: Date,
  ) {
    await this.ds.query(
      `INSERT INTO intake_clients (code, name, source_code, initiator, key_id, secret_enc, key_hint, active, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,true,$8)
       ON CONFLICT (code) DO UPDATE SET name = $2, source_code = $3, initiator = $4, key_id = $5, secret_enc = $6,
              key_hint = $7, key_hash = NULL, legacy_until = NULL, active = true`,
      [c.code, c.name, c.sourceCode, c.initiator, c.keyId, c.secretEnc, c.keyHint, now],
    );
  }

  async deactivateClient(code: string): Promise<boolean> {
    const { affected } = await exec(this.ds.manager, `UPDATE intake_clients SET active = false WHERE code = $1`, [
      code,
    ]);
    return affected === 1;
  }

  /**
   * Replay protection: true the first time a signature is seen. Signatures older than the window
   * are forgotten (a request that old is refused by its timestamp anyway).
   */
  async claimSignature(signature: string, clientCode: string, now: Date, forgetBefore: Date): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      await exec(m, `DELETE FROM intake_signatures WHERE seen_at < $1`, [forgetBefore]);
      const { rows } = await exec(
        m,
        `INSERT INTO intake_signatures (signature, client_code, seen_at) VALUES ($1,$2,$3)
         ON CONFLICT DO NOTHING RETURNING signature`,
        [signature, clientCode, now],
      );
      await exec(m, `UPDATE intake_clients SET last_used_at = $2 WHERE code = $1`, [clientCode, now]);
      return rows.length === 1;
    });
  }

  /** The ticket holding the reference now (not released by a revoke, issue 15.2). */
  async ticketForRef(sourceCode: string, ref: string, m: EntityManager = this.ds.manager): Promise<string | null> {
    const { rows } = await exec<{ ticket_id: string }>(
      m,
      `SELECT ticket_id FROM intake_refs WHERE source_code = $1 AND ref = $2 AND released_at IS NULL`,
      [sourceCode, ref],
    );
    return rows[0]?.ticket_id ?? null;
  }

  /**
   * For the read-back: the ticket holding the reference, or, when it was released and not
   * submitted again, the ticket that released it last (its status says revoked).
   */
  async lastTicketForRef(sourceCode: string, ref: string): Promise<string | null> {
    const rows = await this.ds.query(
      `SELECT ticket_id FROM intake_refs WHERE source_code = $1 AND ref = $2
        ORDER BY released_at IS NULL DESC, released_at DESC LIMIT 1`,
      [sourceCode, ref],
    );
    return rows[0]?.ticket_id ?? null;
  }

  /** The references of a batch that a ticket holds now (released ones may be imported again). */
  async existingRefs(sourceCode: string, refs: string[]): Promise<Set<string>> {
    const rows = await this.ds.query(
      `SELECT ref FROM intake_refs WHERE source_code = $1 AND ref = ANY($2) AND released_at IS NULL`,
      [sourceCode, refs],
    );
    return new Set(rows.map((r: { ref: string }) => r.ref));
  }

  /** Issue 15.2 (R-9b): a revoked ticket lets go of its upstream reference, in the revoke's transaction. */
  async releaseRefs(m: EntityManager, ticketId: string, now: Date): Promise<number> {
    const { affected } = await exec(
      m,
      `UPDATE intake_refs SET released_at = $2 WHERE ticket_id = $1 AND released_at IS NULL`,
      [ticketId, now],
    );
    return affected;
  }

  /** False when the reference was taken meanwhile (a concurrent retry won). */
  async recordRef(
    m: EntityManager,
    r: { sourceCode: string; ref: string; ticketId: string; clientCode: string | null; via: 'api' | 'excel' },
    now: Date,
  ): Promise<boolean> {
    const { rows } = await exec(
      m,
      `INSERT INTO intake_refs (source_code, ref, ticket_id, client_code, via, created_at) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT DO NOTHING RETURNING ref`,
      [r.sourceCode, r.ref, r.ticketId, r.clientCode, r.via, now],
    );
    return rows.length === 1;
  }

  // ---- repeats and merged callers ----

  /** Earlier matters of the same phone (keyed hash), vehicle, route or stop, newest first, scoped. */
  async repeats(scope: TicketScope, q: RepeatQuery): Promise<RepeatRow[]> {
    const params: unknown[] = [q.phoneHash, q.vehiclePlate, q.route, q.stop, q.since, q.limit];
    const where = scopeSql(scope, params);
    // Tickets keep what the dispatcher typed (12路, 苏A 12345): compared in the normalised form.
    const route = `upper(regexp_replace(t.route, '[[:space:]]|路$', '', 'g'))`;
    const plate = `upper(regexp_replace(t.vehicle_plate, '[[:space:]·-]', '', 'g'))`;
    const rows = await this.ds.query(
      `SELECT * FROM (
         SELECT t.id, t.number, t.subject, t.status, t.category_code, t.received_at AS created_at, t.route, t.stop, t.vehicle_plate,
                t.confidential, t.caller_name, t.caller_phone,
                ($1::text IS NOT NULL AND (t.caller_phone_hash = $1 OR EXISTS (
                   SELECT 1 FROM ticket_callers c WHERE c.ticket_id = t.id AND c.caller_phone_hash = $1))) AS by_phone,
                ($2::text IS NOT NULL AND ${plate} = $2) AS by_vehicle,
                ($3::text IS NOT NULL AND ${route} = $3) AS by_route,
                ($4::text IS NOT NULL AND t.stop = $4) AS by_stop
           FROM tickets t
          WHERE t.received_at >= $5 AND t.merged_into IS NULL AND t.status <> 'revoked' AND ${where}
            AND (($1::text IS NOT NULL AND t.caller_phone_hash = $1)
                 OR ($1::text IS NOT NULL AND t.id IN (SELECT c.ticket_id FROM ticket_callers c WHERE c.caller_phone_hash = $1))
                 OR ${plate} = $2 OR ${route} = $3 OR ($3::text IS NULL AND t.stop = $4))) x
        ORDER BY by_phone DESC, (by_vehicle OR (by_route AND by_stop)) DESC, created_at DESC
        LIMIT $6`,
      params,
    );
    return rows.map((r: Record<string, any>) => ({
      id: r.id,
      number: r.number,
      subject: r.subject,
      status: r.status,
      categoryCode: r.category_code,
      createdAt: new Date(r.created_at),
      route: r.route,
      stop: r.stop,
      vehiclePlate: r.vehicle_plate,
      confidential: r.confidential,
      callerName: this.cipher.decrypt(r.caller_name),
      callerPhone: this.cipher.decrypt(r.caller_phone),
      byPhone: r.by_phone,
      byVehicle: r.by_vehicle,
      byRoute: r.by_route,
      byStop: r.by_stop,
    }));
  }

  /** the merged matter's caller becomes an additional caller of the open ticket (encrypted, R-19). */
  async addCaller(
    m: EntityManager,
    c: {
      ticketId: string;
      fromTicketId: string;
      name: string | null;
      phone: string | null;
      address: string | null;
      addedBy: string;
    },
    now: Date,
  ): Promise<void> {
    await exec(
      m,
      `INSERT INTO ticket_callers (ticket_id, from_ticket_id, caller_name, caller_phone, caller_address,
          caller_phone_hash, added_by, added_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [
        c.ticketId,
        c.fromTicketId,
        this.cipher.encrypt(c.name),
        this.cipher.encrypt(c.phone),
        this.cipher.encrypt(c.address),
        this.cipher.phoneHash(c.phone),
        c.addedBy,
        now,
      ],
    );
  }

  async mergedInto(ticketId: string): Promise<string | null> {
    const rows = await this.ds.query(`SELECT merged_into FROM tickets WHERE id = $1`, [ticketId]);
    return rows[0]?.merged_into ?? null;
  }

  async setMergedInto(m: EntityManager, ticketId: string, into: string): Promise<void> {
    await exec(m, `UPDATE tickets SET merged_into = $2 WHERE id = $1`, [ticketId, into]);
  }

  async callers(ticketId: string, m: EntityManager = this.ds.manager): Promise<TicketCallerRow[]> {
    const { rows } = await exec<Record<string, any>>(
      m,
      `SELECT c.*, f.number AS from_number FROM ticket_callers c JOIN tickets f ON f.id = c.from_ticket_id
        WHERE c.ticket_id = $1 ORDER BY c.added_at, c.id`,
      [ticketId],
    );
    return rows.map((r) => ({
      id: r.id,
      ticketId: r.ticket_id,
      fromTicketId: r.from_ticket_id,
      fromTicketNumber: r.from_number,
      name: this.cipher.decrypt(r.caller_name),
      phone: this.cipher.decrypt(r.caller_phone),
      address: this.cipher.decrypt(r.caller_address),
      addedBy: r.added_by,
      addedAt: new Date(r.added_at),
      answeredAt: r.answered_at ? new Date(r.answered_at) : null,
      answeredBy: r.answered_by,
      answerMethod: r.answer_method,
      answerSummary: r.answer_summary,
    }));
  }

  async markAnswered(
    m: EntityManager,
    a: { ticketId: string; callerId: string; by: string; method: string; summary: string },
    now: Date,
  ): Promise<boolean> {
    const { affected } = await exec(
      m,
      `UPDATE ticket_callers SET answered_at = $3, answered_by = $4, answer_method = $5, answer_summary = $6
        WHERE id = $1 AND ticket_id = $2 AND answered_at IS NULL`,
      [a.callerId, a.ticketId, now, a.by, a.method, a.summary],
    );
    return affected === 1;
  }

  /** the follow-up list: callers of closed tickets who have not been answered yet. */
  async callersToAnswer(limit: number): Promise<CallerToAnswerRow[]> {
    const rows = await this.ds.query(
      `SELECT c.id, c.ticket_id, t.number, t.subject, t.closed_at, c.added_at,
              c.from_ticket_id, f.number AS from_number, c.caller_name, c.caller_phone
         FROM ticket_callers c JOIN tickets t ON t.id = c.ticket_id JOIN tickets f ON f.id = c.from_ticket_id
        WHERE c.answered_at IS NULL AND t.status = 'closed'
        ORDER BY t.closed_at, c.added_at LIMIT $1`,
      [limit],
    );
    return rows.map((r: Record<string, any>) => ({
      callerId: r.id,
      ticketId: r.ticket_id,
      ticketNumber: r.number,
      subject: r.subject,
      closedAt: new Date(r.closed_at),
      addedAt: new Date(r.added_at),
      fromTicketId: r.from_ticket_id,
      fromTicketNumber: r.from_number,
      name: this.cipher.decrypt(r.caller_name),
      phone: this.cipher.decrypt(r.caller_phone),
    }));
  }
}

function clientRow(r: Record<string, any>): IntakeClientRow {
  return {
    code: r.code,
    name: r.name,
    sourceCode: r.source_code,
    initiator: r.initiator,
    keyHint: r.key_hint,
    keyId: r.key_id ?? null,
    active: r.active,
    createdAt: new Date(r.created_at),
    lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
    legacyUntil: r.legacy_until ? new Date(r.legacy_until) : null,
    legacyUses: Number(r.legacy_uses ?? 0),
    legacyLastUsedAt: r.legacy_last_used_at ? new Date(r.legacy_last_used_at) : null,
  };
}
