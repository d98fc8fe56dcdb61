import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { exec } from './sql';

export interface CalendarOverrideRow {
  date: string;
  kind: 'closed' | 'working';
  note: string | null;
  updatedBy: string | null;
  updatedAt: Date;
}

export interface CalendarYearRow {
  year: number;
  holidays: string[];
  workdays: string[];
  sourceText: string | null;
  updatedBy: string | null;
  updatedAt: Date;
}

export interface MissingYearRow {
  year: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  lastTicketId: string | null;
}

/**
 * the admin's calendar data. Dates travel as 'YYYY-MM-DD' text (never through a JS Date in
 * the process time zone). Every change bumps calendar_revision so each process rebuilds its cache.
 */
@Injectable()
export class CalendarRepository {
  constructor(private readonly ds: DataSource) {}

  async revision(m: EntityManager = this.ds.manager): Promise<number> {
    const rows = await m.query(`SELECT revision FROM calendar_revision WHERE id = 1`);
    return Number(rows[0]?.revision ?? 0);
  }

  private async bump(m: EntityManager): Promise<void> {
    await exec(m, `UPDATE calendar_revision SET revision = revision + 1 WHERE id = 1`);
  }

  async overrides(m: EntityManager = this.ds.manager): Promise<CalendarOverrideRow[]> {
    const rows = await m.query(
      `SELECT date::text AS date, kind, note, updated_by, updated_at FROM calendar_overrides ORDER BY date`,
    );
    return rows.map((r: Record<string, any>) => ({
      date: r.date,
      kind: r.kind,
      note: r.note,
      updatedBy: r.updated_by,
      updatedAt: new Date(r.updated_at),
    }));
  }

  async putOverride(
    m: EntityManager,
    o: { date: string; kind: 'closed' | 'working'; note: string | null },
    by: string,
    now: Date,
  ): Promise<void> {
    await exec(
      m,
      `INSERT INTO calendar_overrides (date, kind, note, updated_by, updated_at) VALUES ($1::date, $2, $3, $4, $5)
       ON CONFLICT (date) DO UPDATE SET kind = EXCLUDED.kind, note = EXCLUDED.note,
         updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [o.date, o.kind, o.note, by, now],
    );
    await this.bump(m);
  }

  async deleteOverride(m: EntityManager, date: string): Promise<boolean> {
    const { affected } = await exec(m, `DELETE FROM calendar_overrides WHERE date = $1::date`, [date]);
    if (affected > 0) await this.bump(m);
    return affected > 0;
  }

  async years(m: EntityManager = this.ds.manager): Promise<CalendarYearRow[]> {
    const rows = await m.query(
      `SELECT year, holidays::text[] AS holidays, workdays::text[] AS workdays, source_text, updated_by, updated_at
         FROM calendar_years ORDER BY year`,
    );
    return rows.map((r: Record<string, any>) => ({
      year: r.year,
      holidays: r.holidays,
      workdays: r.workdays,
      sourceText: r.source_text,
      updatedBy: r.updated_by,
      updatedAt: new Date(r.updated_at),
    }));
  }

  async putYear(
    m: EntityManager,
    y: { year: number; holidays: string[]; workdays: string[]; sourceText: string | null },
    by: string,
    now: Date,
  ): Promise<void> {
    await exec(
      m,
      `INSERT INTO calendar_years (year, holidays, workdays, source_text, updated_by, updated_at)
       VALUES ($1, $2::date[], $3::date[], $4, $5, $6)
       ON CONFLICT (year) DO UPDATE SET holidays = EXCLUDED.holidays, workdays = EXCLUDED.workdays,
         source_text = EXCLUDED.source_text, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
      [y.year, y.holidays, y.workdays, y.sourceText, by, now],
    );
    await this.bump(m);
  }

  async deleteYear(m: EntityManager, year: number): Promise<boolean> {
    const { affected } = await exec(m, `DELETE FROM calendar_years WHERE year = $1`, [year]);
    if (affected > 0) await this.bump(m);
    return affected > 0;
  }

  /** Records years a deadline reached into without data; returns the ones seen for the first time. */
  async recordMissing(m: EntityManager, years: number[], now: Date, ticketId: string | null): Promise<number[]> {
    if (years.length === 0) return [];
    const { rows } = await exec<{ year: number; inserted: boolean }>(
      m,
      `INSERT INTO calendar_missing_years (year, first_seen_at, last_seen_at, last_ticket_id)
       SELECT y, $2, $2, $3 FROM unnest($1::int[]) AS y
       ON CONFLICT (year) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, last_ticket_id = EXCLUDED.last_ticket_id
       RETURNING year, (xmax = 0) AS inserted`,
      [years, now, ticketId],
    );
    return rows.filter((r) => r.inserted).map((r) => r.year);
  }

  async missingYears(m: EntityManager = this.ds.manager): Promise<MissingYearRow[]> {
    const rows = await m.query(`SELECT * FROM calendar_missing_years ORDER BY year`);
    return rows.map((r: Record<string, any>) => ({
      year: r.year,
      firstSeenAt: new Date(r.first_seen_at),
      lastSeenAt: new Date(r.last_seen_at),
      lastTicketId: r.last_ticket_id,
    }));
  }
}
