import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { CategoryRow, SourceRow } from './organisation.repository';
import { TimeLimitRepository, type TimeLimitPolicyRow } from './time-limit.repository';
import { exec } from './sql';

export interface ReferenceUnit {
  code: string;
  name: string;
  active: boolean;
}

/** The reference data a registration and a dispatch read, as of one reference_revision. */
export interface ReferenceSnapshot {
  revision: number;
  /**
   * calendar_revision, read in the same statement (issue 19 goal 1): CalendarService.current takes
   * it instead of reading it again in the same request.
   */
  calendarRevision: number;
  sources: ReadonlyMap<string, SourceRow>;
  categories: ReadonlyMap<string, CategoryRow>;
  units: ReadonlyMap<string, ReferenceUnit>;
  /** the matching policy per source|category|urgency, read on first use. */
  policies: Map<string, Promise<TimeLimitPolicyRow | null>>;
}

/**
 * Issue 19 goal 1: sources, categories, units and policy matches cached per process and checked
 * against reference_revision (one primary-key read) instead of re-read per request. The revision
 * moves in every transaction that changes those tables (migration 1766340000000), so a request that
 * starts after an admin's edit committed — in this process or another — sees the edit.
 */
@Injectable()
export class ReferenceDataRepository {
  private cached: ReferenceSnapshot | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly limits: TimeLimitRepository,
  ) {}

  async snapshot(m: EntityManager = this.ds.manager): Promise<ReferenceSnapshot> {
    const { rows } = await exec<{ revision: string; calendar: string }>(
      m,
      `SELECT (SELECT revision FROM reference_revision WHERE id = 1) AS revision,
              (SELECT revision FROM calendar_revision WHERE id = 1) AS calendar`,
    );
    const revision = Number(rows[0]?.revision ?? 0);
    const calendarRevision = Number(rows[0]?.calendar ?? 0);
    if (this.cached && this.cached.revision === revision) return { ...this.cached, calendarRevision };
    // Read after the revision: data newer than its label only costs one more reload.
    const sources = await exec<SourceRow>(m, `SELECT code, name, chain, active FROM sources`);
    const categories = await exec<CategoryRow>(m, `SELECT code, name, active FROM categories`);
    const units = await exec<ReferenceUnit>(m, `SELECT code, name, active FROM units`);
    const snapshot: ReferenceSnapshot = {
      revision,
      calendarRevision,
      sources: new Map(sources.rows.map((r) => [r.code, r])),
      categories: new Map(categories.rows.map((r) => [r.code, r])),
      units: new Map(units.rows.map((r) => [r.code, r])),
      policies: new Map(),
    };
    if (!this.cached || this.cached.revision < revision) this.cached = snapshot;
    return snapshot;
  }

  /** The most specific matching policy (TimeLimitRepository.match), once per key and revision. */
  async policy(
    snapshot: ReferenceSnapshot,
    facts: { sourceCode: string; categoryCode: string; urgency: string },
    m?: EntityManager,
  ): Promise<TimeLimitPolicyRow | null> {
    const key = `${facts.sourceCode}|${facts.categoryCode}|${facts.urgency}`;
    let found = snapshot.policies.get(key);
    if (!found) {
      found = this.limits.match(facts, m);
      snapshot.policies.set(key, found);
      // A failed read (its transaction aborted) is not remembered.
      found.catch(() => snapshot.policies.delete(key));
    }
    return found;
  }
}
