import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { exec } from './sql';

/** X-8: a bus route and the branch company that operates it. */
export interface TransitRouteRow {
  code: string;
  name: string;
  branchCode: string;
  branchName: string;
  upTerminal: string | null;
  downTerminal: string | null;
}

export interface TransitStopRow {
  routeCode: string;
  direction: 'up' | 'down';
  seq: number;
  name: string;
}

export interface TransitVehicleRow {
  plate: string;
  fleetNumber: string | null;
  routeCode: string | null;
  branchCode: string;
  branchName: string;
}

/** X-8: category and/or keywords → a unit to suggest. */
export interface RoutingRuleRow {
  categoryCode: string | null;
  keywords: string[];
  unitCode: string;
  role: 'sole' | 'lead' | 'co';
  note: string | null;
}

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

@Injectable()
export class TransitRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction('READ COMMITTED', work);
  }

  async routes(q: string | undefined, limit: number): Promise<TransitRouteRow[]> {
    const rows = await this.ds.query(
      `SELECT r.code, r.name, r.branch_code, u.name AS branch_name, r.up_terminal, r.down_terminal
         FROM transit_routes r JOIN units u ON u.code = r.branch_code
        WHERE r.active AND ($1::text IS NULL OR r.code ILIKE $2 OR r.name ILIKE $2)
        ORDER BY (r.code = $1) DESC, length(r.code), r.code LIMIT $3`,
      [q ?? null, like(q ?? ''), limit],
    );
    return rows.map((r: Record<string, any>) => ({
      code: r.code,
      name: r.name,
      branchCode: r.branch_code,
      branchName: r.branch_name,
      upTerminal: r.up_terminal,
      downTerminal: r.down_terminal,
    }));
  }

  async route(code: string): Promise<TransitRouteRow | null> {
    const rows = await this.ds.query(
      `SELECT r.code, r.name, r.branch_code, u.name AS branch_name, r.up_terminal, r.down_terminal
         FROM transit_routes r JOIN units u ON u.code = r.branch_code WHERE r.code = $1 AND r.active`,
      [code],
    );
    const r = rows[0];
    return r
      ? {
          code: r.code,
          name: r.name,
          branchCode: r.branch_code,
          branchName: r.branch_name,
          upTerminal: r.up_terminal,
          downTerminal: r.down_terminal,
        }
      : null;
  }

  async stops(routeCode: string | undefined, q: string | undefined, limit: number): Promise<TransitStopRow[]> {
    const rows = await this.ds.query(
      `SELECT route_code, direction, seq, name FROM transit_stops
        WHERE ($1::text IS NULL OR route_code = $1) AND ($2::text IS NULL OR name ILIKE $3)
        ORDER BY route_code, direction, seq LIMIT $4`,
      [routeCode ?? null, q ?? null, like(q ?? ''), limit],
    );
    return rows.map((r: Record<string, any>) => ({
      routeCode: r.route_code,
      direction: r.direction,
      seq: r.seq,
      name: r.name,
    }));
  }

  async vehicles(q: string | undefined, limit: number): Promise<TransitVehicleRow[]> {
    const rows = await this.ds.query(
      `SELECT v.plate, v.fleet_number, v.route_code, v.branch_code, u.name AS branch_name
         FROM transit_vehicles v JOIN units u ON u.code = v.branch_code
        WHERE ($1::text IS NULL OR v.plate ILIKE $2 OR v.fleet_number ILIKE $2)
        ORDER BY (v.plate = $1 OR v.fleet_number = $1) DESC, v.plate LIMIT $3`,
      [q ?? null, like(q ?? ''), limit],
    );
    return rows.map((r: Record<string, any>) => ({
      plate: r.plate,
      fleetNumber: r.fleet_number,
      routeCode: r.route_code,
      branchCode: r.branch_code,
      branchName: r.branch_name,
    }));
  }

  async existingRouteCodes(codes: string[], m: EntityManager = this.ds.manager): Promise<Set<string>> {
    const { rows } = await exec<{ code: string }>(m, `SELECT code FROM transit_routes WHERE code = ANY($1)`, [codes]);
    return new Set(rows.map((r) => r.code));
  }

  /** `step` learns the rows written so far (issue 19: an import's progress; it may stop the import). */
  async upsertRoutes(
    m: EntityManager,
    rows: Omit<TransitRouteRow, 'branchName'>[],
    now: Date,
    step: (done: number) => Promise<void> = noStep,
  ): Promise<void> {
    for (const [i, r] of rows.entries()) {
      await step(i);
      await exec(
        m,
        `INSERT INTO transit_routes (code, name, branch_code, up_terminal, down_terminal, active, updated_at)
         VALUES ($1,$2,$3,$4,$5,true,$6)
         ON CONFLICT (code) DO UPDATE SET name = $2, branch_code = $3, up_terminal = $4, down_terminal = $5,
                active = true, updated_at = $6`,
        [r.code, r.name, r.branchCode, r.upTerminal, r.downTerminal, now],
      );
    }
  }

  /** The stops of each route and direction in the file replace the ones on record. */
  async replaceStops(
    m: EntityManager,
    rows: TransitStopRow[],
    step: (done: number) => Promise<void> = noStep,
  ): Promise<void> {
    const keys = [...new Set(rows.map((r) => `${r.routeCode}\u0000${r.direction}`))];
    for (const k of keys) {
      const [route, direction] = k.split('\u0000');
      await exec(m, `DELETE FROM transit_stops WHERE route_code = $1 AND direction = $2`, [route, direction]);
    }
    for (const [i, r] of rows.entries()) {
      await step(i);
      await exec(m, `INSERT INTO transit_stops (route_code, direction, seq, name) VALUES ($1,$2,$3,$4)`, [
        r.routeCode,
        r.direction,
        r.seq,
        r.name,
      ]);
    }
  }

  async upsertVehicles(
    m: EntityManager,
    rows: Omit<TransitVehicleRow, 'branchName'>[],
    now: Date,
    step: (done: number) => Promise<void> = noStep,
  ): Promise<void> {
    for (const [i, v] of rows.entries()) {
      await step(i);
      await exec(
        m,
        `INSERT INTO transit_vehicles (plate, fleet_number, route_code, branch_code, updated_at) VALUES ($1,$2,$3,$4,$5)
         ON CONFLICT (plate) DO UPDATE SET fleet_number = $2, route_code = $3, branch_code = $4, updated_at = $5`,
        [v.plate, v.fleetNumber, v.routeCode, v.branchCode, now],
      );
    }
  }

  async vehicle(plateOrFleet: string): Promise<TransitVehicleRow | null> {
    const rows = await this.ds.query(
      `SELECT v.plate, v.fleet_number, v.route_code, v.branch_code, u.name AS branch_name
         FROM transit_vehicles v JOIN units u ON u.code = v.branch_code
        WHERE v.plate = $1 OR v.fleet_number = $1 ORDER BY (v.plate = $1) DESC LIMIT 1`,
      [plateOrFleet],
    );
    const r = rows[0];
    return r
      ? {
          plate: r.plate,
          fleetNumber: r.fleet_number,
          routeCode: r.route_code,
          branchCode: r.branch_code,
          branchName: r.branch_name,
        }
      : null;
  }

  async rules(m: EntityManager = this.ds.manager): Promise<RoutingRuleRow[]> {
    const { rows } = await exec<Record<string, any>>(
      m,
      `SELECT category_code, keywords, unit_code, role, note FROM routing_rules ORDER BY id`,
    );
    return rows.map((r) => ({
      categoryCode: r.category_code,
      keywords: r.keywords,
      unitCode: r.unit_code,
      role: r.role,
      note: r.note,
    }));
  }

  async replaceRules(m: EntityManager, rules: RoutingRuleRow[]): Promise<void> {
    await exec(m, `DELETE FROM routing_rules`);
    for (const r of rules) {
      await exec(
        m,
        `INSERT INTO routing_rules (category_code, keywords, unit_code, role, note) VALUES ($1,$2,$3,$4,$5)`,
        [r.categoryCode, r.keywords, r.unitCode, r.role, r.note],
      );
    }
  }

  async countRules(m: EntityManager = this.ds.manager): Promise<number> {
    const { rows } = await exec<{ n: number }>(m, `SELECT count(*)::int AS n FROM routing_rules`);
    return rows[0].n;
  }
}

const noStep = async (): Promise<void> => undefined;
