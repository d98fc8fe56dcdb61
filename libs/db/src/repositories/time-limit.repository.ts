import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { exec } from './sql';

export type LimitUnitName = 'minutes' | 'working_hours' | 'working_days' | 'calendar_months';

export interface LimitValue {
  amount: number;
  unit: LimitUnitName;
}

/** one time-limit policy row; null source / category / urgency = any. */
export interface TimeLimitPolicyRow {
  id: number;
  sourceCode: string | null;
  categoryCode: string | null;
  urgency: 'normal' | 'urgent' | null;
  accept: LimitValue | null;
  reply: LimitValue;
  review: LimitValue | null;
  /** Issue 15.4 (R-6d): co units' deadline this many working days before the lead's. */
  coLeadWorkingDays: number;
  /** X-3, issue 15.5: the internal deadline at least this many working days before an upstream one. */
  upstreamMarginWorkingDays: number;
  note: string | null;
  updatedBy: string | null;
  updatedAt: Date;
}

export type TimeLimitPolicyInput = Omit<TimeLimitPolicyRow, 'id' | 'updatedBy' | 'updatedAt'>;

const limit = (amount: number | null, unit: string | null): LimitValue | null =>
  amount === null || unit === null ? null : { amount, unit: unit as LimitUnitName };

function toRow(r: Record<string, any>): TimeLimitPolicyRow {
  return {
    id: Number(r.id),
    sourceCode: r.source_code,
    categoryCode: r.category_code,
    urgency: r.urgency,
    accept: limit(r.accept_amount, r.accept_unit),
    reply: limit(r.reply_amount, r.reply_unit)!,
    review: limit(r.review_amount, r.review_unit),
    coLeadWorkingDays: Number(r.co_lead_working_days ?? 1),
    upstreamMarginWorkingDays: Number(r.upstream_margin_working_days ?? 4),
    note: r.note,
    updatedBy: r.updated_by,
    updatedAt: new Date(r.updated_at),
  };
}

// Most specific first: urgency 4, source 2, category 1.
const SPECIFICITY = `((urgency IS NOT NULL)::int * 4 + (source_code IS NOT NULL)::int * 2 + (category_code IS NOT NULL)::int)`;

@Injectable()
export class TimeLimitRepository {
  constructor(private readonly ds: DataSource) {}

  async list(m: EntityManager = this.ds.manager): Promise<TimeLimitPolicyRow[]> {
    const rows = await m.query(
      `SELECT * FROM time_limit_policies ORDER BY ${SPECIFICITY} DESC, source_code NULLS FIRST, category_code NULLS FIRST, urgency NULLS FIRST`,
    );
    return rows.map(toRow);
  }

  /** The policy that applies to a ticket: the most specific matching row (null when none). */
  async match(
    facts: { sourceCode: string; categoryCode: string; urgency: string },
    m: EntityManager = this.ds.manager,
  ): Promise<TimeLimitPolicyRow | null> {
    const rows = await m.query(
      `SELECT * FROM time_limit_policies
        WHERE (source_code IS NULL OR source_code = $1) AND (category_code IS NULL OR category_code = $2)
          AND (urgency IS NULL OR urgency = $3)
        ORDER BY ${SPECIFICITY} DESC LIMIT 1`,
      [facts.sourceCode, facts.categoryCode, facts.urgency],
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async count(m: EntityManager = this.ds.manager): Promise<number> {
    const rows = await m.query(`SELECT count(*)::int AS n FROM time_limit_policies`);
    return rows[0].n;
  }

  /** Replaces every policy (the admin edits the table as a whole). */
  async replaceAll(m: EntityManager, policies: TimeLimitPolicyInput[], by: string | null, now: Date): Promise<void> {
    await exec(m, `DELETE FROM time_limit_policies`);
    for (const p of policies) {
      await exec(
        m,
        `INSERT INTO time_limit_policies (source_code, category_code, urgency, accept_amount, accept_unit,
            reply_amount, reply_unit, review_amount, review_unit, co_lead_working_days,
            upstream_margin_working_days, note, updated_by, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
        [
          p.sourceCode,
          p.categoryCode,
          p.urgency,
          p.accept?.amount ?? null,
          p.accept?.unit ?? null,
          p.reply.amount,
          p.reply.unit,
          p.review?.amount ?? null,
          p.review?.unit ?? null,
          p.coLeadWorkingDays,
          p.upstreamMarginWorkingDays,
          p.note,
          by,
          now,
        ],
      );
    }
  }
}
