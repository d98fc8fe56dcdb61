import { Inject, Injectable } from '@nestjs/common';
import {
  OrganisationRepository,
  TransitRepository,
  type RoutingRuleRow,
  type Tx,
  type TransitRouteRow,
  type TransitStopRow,
  type TransitVehicleRow,
  type UnitRow,
} from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import { requireAccess, requireSomeRole } from '../access/access';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { ImportRunTracker, ImportRunsService, type ImportProgress } from './import-runs.service';
import { readTable, type RowError, type TableRow } from './table-file';

export type TransitImportKind = 'routes' | 'stops' | 'vehicles';

export interface ImportReport {
  kind: TransitImportKind;
  /** Rows read from the file (blank lines not counted). */
  rows: number;
  /** Rows written: 0 whenever any row is bad (all or nothing). */
  imported: number;
  dryRun: boolean;
  errors: RowError[];
}

/** what the form fills in and suggests from a route, a plate, a category and the text. */
export interface RoutingSuggestion {
  route: TransitRouteRow | null;
  vehicle: TransitVehicleRow | null;
  /** The branch company that operates the vehicle (first) or the route. */
  branch: { code: string; name: string; from: 'vehicle' | 'route' } | null;
  units: Array<{ code: string; name: string; role: 'sole' | 'lead' | 'co'; reason: string }>;
}

const HEADERS: Record<TransitImportKind, Record<string, string>> = {
  routes: {
    code: 'code',
    线路: 'code',
    线路编号: 'code',
    name: 'name',
    线路名称: 'name',
    branch: 'branch',
    所属分公司: 'branch',
    分公司: 'branch',
    upTerminal: 'upTerminal',
    上行终点: 'upTerminal',
    downTerminal: 'downTerminal',
    下行终点: 'downTerminal',
  },
  stops: {
    route: 'route',
    线路: 'route',
    线路编号: 'route',
    direction: 'direction',
    方向: 'direction',
    seq: 'seq',
    序号: 'seq',
    name: 'name',
    站名: 'name',
    站点: 'name',
  },
  vehicles: {
    plate: 'plate',
    车牌: 'plate',
    车牌号: 'plate',
    fleetNumber: 'fleetNumber',
    自编号: 'fleetNumber',
    车号: 'fleetNumber',
    route: 'route',
    线路: 'route',
    线路编号: 'route',
    branch: 'branch',
    所属分公司: 'branch',
    分公司: 'branch',
  },
};

/** 12路 → 12; K1 → K1 (route numbers as people say them). */
export function routeCode(s: string): string {
  return s.normalize('NFKC').trim().replace(/\s+/g, '').replace(/路$/, '').toUpperCase();
}

/** 苏A 12345 → 苏A12345. */
export function plateOf(s: string): string {
  return s
    .normalize('NFKC')
    .trim()
    .replace(/[\s·-]+/g, '')
    .toUpperCase();
}

@Injectable()
export class TransitService {
  constructor(
    private readonly transit: TransitRepository,
    private readonly org: OrganisationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly runs: ImportRunsService,
  ) {}

  private requireSignedIn(user: CurrentUser): void {
    requireSomeRole(user);
  }

  routes(user: CurrentUser, q?: string) {
    this.requireSignedIn(user);
    return this.transit.routes(q?.trim() ? routeCode(q) : undefined, 20);
  }

  stops(user: CurrentUser, route?: string, q?: string) {
    this.requireSignedIn(user);
    return this.transit.stops(route ? routeCode(route) : undefined, q?.trim() || undefined, 50);
  }

  vehicles(user: CurrentUser, q?: string) {
    this.requireSignedIn(user);
    return this.transit.vehicles(q?.trim() ? plateOf(q) : undefined, 20);
  }

  /**
   * the branch company of the vehicle or route, then units by the category/keyword rules.
   * Only suggestions: the dispatcher picks the units (the dispatch body decides).
   */
  async suggest(
    user: CurrentUser,
    q: { route?: string; vehiclePlate?: string; category?: string; text?: string },
  ): Promise<RoutingSuggestion> {
    this.requireSignedIn(user);
    const vehicle = q.vehiclePlate?.trim() ? await this.transit.vehicle(plateOf(q.vehiclePlate)) : null;
    const routeKey = q.route?.trim() ? routeCode(q.route) : vehicle?.routeCode;
    const route = routeKey ? await this.transit.route(routeKey) : null;
    const branch = vehicle
      ? { code: vehicle.branchCode, name: vehicle.branchName, from: 'vehicle' as const }
      : route
        ? { code: route.branchCode, name: route.branchName, from: 'route' as const }
        : null;
    const units: RoutingSuggestion['units'] = [];
    const names = new Map((await this.org.listUnits()).map((u: UnitRow) => [u.code, u.name]));
    const text = (q.text ?? '').normalize('NFKC');
    for (const r of await this.transit.rules()) {
      if (r.categoryCode && r.categoryCode !== q.category) continue;
      const hit = r.keywords.find((k) => text.includes(k));
      if (r.keywords.length > 0 && !hit) continue;
      if (units.some((u) => u.code === r.unitCode)) continue;
      units.push({
        code: r.unitCode,
        name: names.get(r.unitCode) ?? r.unitCode,
        role: r.role,
        reason: r.note ?? (hit ? `内容含“${hit}”` : '按事项类型'),
      });
    }
    if (branch && !units.some((u) => u.code === branch.code)) {
      units.push({
        code: branch.code,
        name: branch.name,
        role: 'sole',
        reason: branch.from === 'vehicle' ? `车辆 ${vehicle!.plate} 所属分公司` : `${route!.code}路 运营分公司`,
      });
    }
    // R-6d: one unit handles alone; several get one lead (a rule's lead, else the first) and co units.
    if (units.length === 1) units[0].role = 'sole';
    if (units.length > 1) {
      const lead = units.find((u) => u.role === 'lead') ?? units[0];
      for (const u of units) u.role = u === lead ? 'lead' : 'co';
    }
    return { route, vehicle, branch, units };
  }

  async rules(user: CurrentUser): Promise<RoutingRuleRow[]> {
    requireAccess(user, 'routing_rules.view');
    return this.transit.rules();
  }

  async replaceRules(user: CurrentUser, rules: RoutingRuleRow[]): Promise<RoutingRuleRow[]> {
    requireAccess(user, 'admin.routing_rules');
    const units = await this.org.existingUnitCodes(rules.map((r) => r.unitCode));
    for (const [i, r] of rules.entries()) {
      if (!units.has(r.unitCode))
        throw new DomainError('VALIDATION', `未知的承办单位“${r.unitCode}”。`, `rules.${i}.unit`);
      if (r.categoryCode && !(await this.org.findCategory(r.categoryCode))) {
        throw new DomainError('VALIDATION', `未知的事项类型“${r.categoryCode}”。`, `rules.${i}.category`);
      }
      if (!r.categoryCode && r.keywords.length === 0) {
        throw new DomainError('VALIDATION', '每条规则须有事项类型或关键词（X-8）。', `rules.${i}.keywords`);
      }
    }
    await this.transit.transaction((m) => this.transit.replaceRules(m, rules));
    return this.transit.rules();
  }

  /**
   * imports routes, stops or vehicles from an .xlsx or CSV file. Every row is checked first;
   * one bad row and nothing is written (the report names each bad row and field).
   */
  async import(
    user: CurrentUser,
    kind: TransitImportKind,
    file: () => Promise<Buffer>,
    dryRun: boolean,
    progress?: ImportProgress,
  ): Promise<ImportReport> {
    requireAccess(user, 'admin.routing_rules');
    // Issue 19 goal 3: with a progress key, the run is on record from here (while the file uploads).
    const run = await this.runs.begin(user, kind, dryRun, progress);
    return run.track(() => this.importRows(kind, file, dryRun, run));
  }

  private async importRows(
    kind: TransitImportKind,
    file: () => Promise<Buffer>,
    dryRun: boolean,
    run: ImportRunTracker,
  ): Promise<ImportReport> {
    const rows = await readTable(await file(), HEADERS[kind]);
    await run.total(rows.length);
    // Rows are checked one by one, so a long file shows how far the check has come.
    const check = <T>(each: (r: TableRow) => T) => checkRows(rows, run, each);
    const units = await this.org.listUnits();
    const errors: RowError[] = [];
    const err = (line: number, field: string | null, message: string) => errors.push({ line, field, message });
    const branchOf = (line: number, v: string | undefined, required: boolean): string | null => {
      if (!v) {
        if (required) err(line, 'branch', '缺少所属分公司');
        return null;
      }
      const u = units.find((x) => x.code === v || x.name === v);
      if (!u) err(line, 'branch', `未知单位“${v}”`);
      return u?.code ?? null;
    };
    const need = (r: TableRow, field: string, label: string): string => {
      const v = r.values[field] ?? '';
      if (!v) err(r.line, field, `缺少${label}`);
      return v;
    };
    const now = this.clock.now();
    if (rows.length === 0) err(1, null, '文件中没有数据行');

    if (kind === 'routes') {
      const seen = new Set<string>();
      const parsed = await check((r) => {
        const code = routeCode(need(r, 'code', '线路编号'));
        if (code && !/^[0-9A-Z\u4e00-\u9fff-]{1,20}$/u.test(code)) err(r.line, 'code', `线路编号“${code}”不合规`);
        if (code && seen.has(code)) err(r.line, 'code', `线路 ${code} 在文件中重复`);
        seen.add(code);
        return {
          code,
          name: need(r, 'name', '线路名称') || code,
          branchCode: branchOf(r.line, r.values.branch, true) ?? '',
          upTerminal: r.values.upTerminal || null,
          downTerminal: r.values.downTerminal || null,
        };
      });
      return this.finish(kind, rows.length, errors, dryRun, run, (m, step) =>
        this.transit.upsertRoutes(m, parsed, now, step),
      );
    }

    if (kind === 'stops') {
      const routes = await this.transit.existingRouteCodes(rows.map((r) => routeCode(r.values.route ?? '')));
      const seen = new Set<string>();
      const parsed: TransitStopRow[] = await check((r) => {
        const route = routeCode(need(r, 'route', '线路编号'));
        if (route && !routes.has(route)) err(r.line, 'route', `线路 ${route} 未登记，请先导入线路`);
        const d = need(r, 'direction', '方向');
        const direction = ['up', '上行'].includes(d) ? 'up' : ['down', '下行'].includes(d) ? 'down' : null;
        if (d && !direction) err(r.line, 'direction', `方向应为“上行”或“下行”，而不是“${d}”`);
        const seqText = need(r, 'seq', '序号');
        const seq = Number(seqText);
        if (seqText && (!Number.isInteger(seq) || seq < 1)) err(r.line, 'seq', `序号“${seqText}”应为正整数`);
        const key = `${route}/${direction}/${seq}`;
        if (seen.has(key)) err(r.line, 'seq', `序号 ${seq} 在同一线路方向中重复`);
        seen.add(key);
        return { routeCode: route, direction: direction ?? 'up', seq, name: need(r, 'name', '站名') };
      });
      return this.finish(kind, rows.length, errors, dryRun, run, (m, step) =>
        this.transit.replaceStops(m, parsed, step),
      );
    }

    const routeRows = await this.transit.routes(undefined, 10_000);
    const seen = new Set<string>();
    const parsed = await check((r) => {
      const plate = plateOf(need(r, 'plate', '车牌号'));
      if (plate && !/^[^\s]{4,12}$/u.test(plate)) err(r.line, 'plate', `车牌号“${plate}”不合规`);
      if (plate && seen.has(plate)) err(r.line, 'plate', `车牌 ${plate} 在文件中重复`);
      seen.add(plate);
      const route = r.values.route ? routeCode(r.values.route) : null;
      const onRoute = route ? routeRows.find((x) => x.code === route) : undefined;
      if (route && !onRoute) err(r.line, 'route', `线路 ${route} 未登记，请先导入线路`);
      // A vehicle's branch defaults to its route's operator.
      const branch = r.values.branch ? branchOf(r.line, r.values.branch, true) : (onRoute?.branchCode ?? null);
      if (!r.values.branch && !onRoute) err(r.line, 'branch', '缺少所属分公司（或可推断分公司的线路）');
      return { plate, fleetNumber: r.values.fleetNumber || null, routeCode: route, branchCode: branch ?? '' };
    });
    return this.finish(kind, rows.length, errors, dryRun, run, (m, step) =>
      this.transit.upsertVehicles(m, parsed, now, step),
    );
  }

  private async finish(
    kind: TransitImportKind,
    rows: number,
    errors: RowError[],
    dryRun: boolean,
    run: ImportRunTracker,
    write: (m: Tx, step: (done: number) => Promise<void>) => Promise<void>,
  ): Promise<ImportReport> {
    if (errors.length > 0 || dryRun) return { kind, rows, imported: 0, dryRun, errors };
    await run.writing();
    // A cancel (or the client gone) throws from a step: the transaction rolls back, nothing is written.
    await this.transit.transaction(async (m) => {
      await write(m, (done) => run.step(done));
      await run.step(rows);
    });
    return { kind, rows, imported: rows, dryRun, errors };
  }
}

/** Each row checked in turn (with the run told after every row); the checked rows in order. */
async function checkRows<T>(rows: TableRow[], run: ImportRunTracker, each: (r: TableRow) => T): Promise<T[]> {
  const out: T[] = [];
  for (const r of rows) {
    await run.step(out.length);
    out.push(each(r));
  }
  await run.step(out.length);
  return out;
}
