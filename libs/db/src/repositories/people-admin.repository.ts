import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export type RoleChangeVia = 'admin' | 'setting' | 'org_sync';

export interface RoleChangeRow {
  id: number;
  at: Date;
  changedBy: string | null;
  changedByName: string | null;
  via: RoleChangeVia;
  userid: string;
  name: string | null;
  before: string[];
  after: string[];
}

export interface AdminPersonRow {
  userid: string;
  name: string;
  title: string | null;
  active: boolean;
  roles: string[];
  /** Seen by a sync or a DingTalk sign-in (a row made from ADMIN_USERIDS alone has no unionid yet). */
  synced: boolean;
  receiverByAdmin: boolean;
  units: Array<{ code: string; name: string; isLeader: boolean }>;
}

export interface PeopleFilter {
  q?: string;
  role?: string;
  unit?: string;
  after?: { name: string; userid: string };
  limit: number;
}

export interface AdminUnitRow {
  code: string;
  name: string;
  kind: 'ops' | 'office' | 'branch' | 'department';
  dingtalkDeptId: number | null;
  dingtalkName: string | null;
  active: boolean;
  deactivatedBy: 'admin' | 'sync' | null;
  members: number;
}

export type ConfigEntity = 'unit' | 'source' | 'category';

const PERSON_COLUMNS = `p.userid, p.name, p.title, p.active, p.roles, p.unionid IS NOT NULL AS synced,
  p.receiver_by_admin AS "receiverByAdmin",
  COALESCE((SELECT json_agg(json_build_object('code', u.code, 'name', u.name, 'isLeader', um.is_leader) ORDER BY u.code)
              FROM unit_memberships um JOIN units u ON u.code = um.unit_code WHERE um.userid = p.userid), '[]') AS units`;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The admin's pages (issue 13.3): people and their roles with the append-only role audit, units,
 * sources and categories with the append-only config audit. Every write takes the application's
 * clock time from the caller.
 */
@Injectable()
export class PeopleAdminRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  // ---- people -----------------------------------------------------------------------------------

  /** Keyset-paged on (name, userid); `q` matches name or userid, case-insensitive. */
  async listPeople(f: PeopleFilter): Promise<AdminPersonRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.q) {
      const pattern = p(`%${likeEscape(f.q)}%`);
      where.push(`(p.name ILIKE ${pattern} OR p.userid ILIKE ${pattern})`);
    }
    if (f.role) where.push(`${p(f.role)} = ANY(p.roles)`);
    if (f.unit)
      where.push(
        `EXISTS (SELECT 1 FROM unit_memberships um WHERE um.userid = p.userid AND um.unit_code = ${p(f.unit)})`,
      );
    if (f.after) where.push(`(p.name, p.userid) > (${p(f.after.name)}, ${p(f.after.userid)})`);
    const rows = await this.ds.query(
      `SELECT ${PERSON_COLUMNS} FROM people p
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY p.name, p.userid LIMIT ${p(f.limit)}`,
      params,
    );
    return rows as AdminPersonRow[];
  }

  async person(userid: string, m: EntityManager = this.ds.manager): Promise<AdminPersonRow | null> {
    const rows = await m.query(`SELECT ${PERSON_COLUMNS} FROM people p WHERE p.userid = $1`, [userid]);
    return (rows[0] as AdminPersonRow | undefined) ?? null;
  }

  /** Locks the person's row for a role change; null when there is no such person. */
  async lockPerson(m: EntityManager, userid: string): Promise<{ roles: string[]; active: boolean } | null> {
    const rows = await m.query(`SELECT roles, active FROM people WHERE userid = $1 FOR UPDATE`, [userid]);
    return rows[0] ?? null;
  }

  /**
   * The active admins, their rows locked: two admins removing each other at once are serialised
   * here, and the second one sees that only one admin is left.
   */
  async lockActiveAdmins(m: EntityManager): Promise<string[]> {
    const rows = await m.query(
      `SELECT userid FROM people WHERE active AND 'admin' = ANY(roles) ORDER BY userid FOR UPDATE`,
    );
    return rows.map((r: { userid: string }) => r.userid);
  }

  async setRoles(
    m: EntityManager,
    userid: string,
    roles: string[],
    receiverByAdmin: boolean,
    now: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE people SET roles = $2, receiver_by_admin = receiver_by_admin OR $3, updated_at = $4 WHERE userid = $1`,
      [userid, roles, receiverByAdmin, now],
    );
  }

  async recordRoleChange(
    m: EntityManager,
    c: { at: Date; changedBy: string | null; via: RoleChangeVia; userid: string; before: string[]; after: string[] },
  ): Promise<void> {
    await m.query(
      `INSERT INTO role_changes (at, changed_by, via, userid, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
      [c.at, c.changedBy, c.via, c.userid, c.before, c.after],
    );
  }

  /** Newest first; one person's or everyone's. */
  async roleChanges(f: { userid?: string; beforeId?: number; limit: number }): Promise<RoleChangeRow[]> {
    const rows = await this.ds.query(
      `SELECT c.id, c.at, c.changed_by, a.name AS changed_by_name, c.via, c.userid, p.name, c.before, c.after
         FROM role_changes c
         LEFT JOIN people a ON a.userid = c.changed_by
         LEFT JOIN people p ON p.userid = c.userid
        WHERE ($1::text IS NULL OR c.userid = $1) AND ($2::bigint IS NULL OR c.id < $2)
        ORDER BY c.id DESC LIMIT $3`,
      [f.userid ?? null, f.beforeId ?? null, f.limit],
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      at: new Date(r.at),
      changedBy: r.changed_by,
      changedByName: r.changed_by_name,
      via: r.via,
      userid: r.userid,
      name: r.name,
      before: r.before,
      after: r.after,
    }));
  }

  /**
   * ADMIN_USERIDS (issue 13.1): each userid gets the admin role; a userid nobody has synced yet
   * gets a minimal person row (name = userid, no unionid, no units) that the next org sync or the
   * person's first DingTalk sign-in fills in. Safe when several processes boot at once: the insert
   * is ON CONFLICT DO NOTHING and the role change happens under the row's lock, so exactly one
   * process grants and audits it. Returns the userids that were granted now.
   */
  async grantConfiguredAdmins(userids: string[], now: Date, m?: EntityManager): Promise<string[]> {
    const run = async (tx: EntityManager) => {
      const granted: string[] = [];
      for (const userid of userids) {
        await tx.query(
          `INSERT INTO people (userid, name, roles, created_at, updated_at) VALUES ($1, $1, '{}', $2, $2)
           ON CONFLICT (userid) DO NOTHING`,
          [userid, now],
        );
        const row = await this.lockPerson(tx, userid);
        if (!row || row.roles.includes('admin')) continue;
        const after = [...row.roles, 'admin'];
        await tx.query(`UPDATE people SET roles = $2, updated_at = $3 WHERE userid = $1`, [userid, after, now]);
        await this.recordRoleChange(tx, { at: now, changedBy: null, via: 'setting', userid, before: row.roles, after });
        granted.push(userid);
      }
      return granted;
    };
    return m ? run(m) : this.ds.transaction(run);
  }

  // ---- units ------------------------------------------------------------------------------------

  async listUnits(): Promise<AdminUnitRow[]> {
    const rows = await this.ds.query(
      `SELECT u.code, u.name, u.kind, u.dingtalk_dept_id, u.dingtalk_name, u.active, u.deactivated_by,
              (SELECT count(*)::int FROM unit_memberships um JOIN people p ON p.userid = um.userid
                WHERE um.unit_code = u.code AND p.active) AS members
         FROM units u ORDER BY u.active DESC, u.dingtalk_dept_id NULLS LAST, u.code`,
    );
    return rows.map((r: Record<string, any>) => this.unitRow(r));
  }

  async lockUnit(m: EntityManager, code: string): Promise<AdminUnitRow | null> {
    const rows = await m.query(
      `SELECT u.code, u.name, u.kind, u.dingtalk_dept_id, u.dingtalk_name, u.active, u.deactivated_by, 0 AS members
         FROM units u WHERE u.code = $1 FOR UPDATE`,
      [code],
    );
    return rows[0] ? this.unitRow(rows[0]) : null;
  }

  async unitByDept(m: EntityManager, deptId: number): Promise<string | null> {
    const rows = await m.query(`SELECT code FROM units WHERE dingtalk_dept_id = $1`, [deptId]);
    return rows[0]?.code ?? null;
  }

  async activeUnitOfKind(m: EntityManager, kind: string): Promise<{ code: string; name: string } | null> {
    const rows = await m.query(`SELECT code, name FROM units WHERE kind = $1 AND active`, [kind]);
    return rows[0] ?? null;
  }

  async updateUnit(
    m: EntityManager,
    code: string,
    u: {
      name: string;
      kind: string;
      dingtalkDeptId: number | null;
      active: boolean;
      deactivatedBy: 'admin' | 'sync' | null;
    },
    now: Date,
  ): Promise<void> {
    await m.query(
      `UPDATE units SET name = $2, kind = $3, dingtalk_dept_id = $4, active = $5, deactivated_by = $6, updated_at = $7
        WHERE code = $1`,
      [code, u.name, u.kind, u.dingtalkDeptId, u.active, u.deactivatedBy, now],
    );
  }

  // ---- sources and categories ---------------------------------------------------------------------

  async lockSource(
    m: EntityManager,
    code: string,
  ): Promise<{ code: string; name: string; chain: string; active: boolean } | null> {
    const rows = await m.query(`SELECT code, name, chain, active FROM sources WHERE code = $1 FOR UPDATE`, [code]);
    return rows[0] ?? null;
  }

  async insertSource(m: EntityManager, s: { code: string; name: string; chain: string }, now: Date): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO sources (code, name, chain, sort, created_at)
       VALUES ($1, $2, $3, (SELECT COALESCE(max(sort), 0) + 1 FROM sources), $4)
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [s.code, s.name, s.chain, now],
    );
    return rows.length === 1;
  }

  async updateSource(
    m: EntityManager,
    s: { code: string; name: string; chain: string; active: boolean },
  ): Promise<void> {
    await m.query(`UPDATE sources SET name = $2, chain = $3, active = $4 WHERE code = $1`, [
      s.code,
      s.name,
      s.chain,
      s.active,
    ]);
  }

  async lockCategory(m: EntityManager, code: string): Promise<{ code: string; name: string; active: boolean } | null> {
    const rows = await m.query(`SELECT code, name, active FROM categories WHERE code = $1 FOR UPDATE`, [code]);
    return rows[0] ?? null;
  }

  async insertCategory(m: EntityManager, c: { code: string; name: string }): Promise<boolean> {
    const rows = await m.query(
      `INSERT INTO categories (code, name, sort) VALUES ($1, $2, (SELECT COALESCE(max(sort), 0) + 1 FROM categories))
       ON CONFLICT (code) DO NOTHING RETURNING code`,
      [c.code, c.name],
    );
    return rows.length === 1;
  }

  async updateCategory(m: EntityManager, c: { code: string; name: string; active: boolean }): Promise<void> {
    await m.query(`UPDATE categories SET name = $2, active = $3 WHERE code = $1`, [c.code, c.name, c.active]);
  }

  async recordConfigChange(
    m: EntityManager,
    c: { at: Date; changedBy: string; entity: ConfigEntity; code: string; before: unknown; after: unknown },
  ): Promise<void> {
    await m.query(
      `INSERT INTO config_changes (at, changed_by, entity, code, before, after) VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        c.at,
        c.changedBy,
        c.entity,
        c.code,
        c.before === null ? null : JSON.stringify(c.before),
        JSON.stringify(c.after),
      ],
    );
  }

  async configChanges(f: { entity?: ConfigEntity; code?: string; limit: number }): Promise<
    Array<{
      id: number;
      at: Date;
      changedBy: string;
      entity: ConfigEntity;
      code: string;
      before: unknown;
      after: unknown;
    }>
  > {
    const rows = await this.ds.query(
      `SELECT id, at, changed_by, entity, code, before, after FROM config_changes
        WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR code = $2)
        ORDER BY id DESC LIMIT $3`,
      [f.entity ?? null, f.code ?? null, f.limit],
    );
    return rows.map((r: Record<string, any>) => ({
      id: Number(r.id),
      at: new Date(r.at),
      changedBy: r.changed_by,
      entity: r.entity,
      code: r.code,
      before: r.before,
      after: r.after,
    }));
  }

  private unitRow(r: Record<string, any>): AdminUnitRow {
    return {
      code: r.code,
      name: r.name,
      kind: r.kind,
      dingtalkDeptId: r.dingtalk_dept_id === null ? null : Number(r.dingtalk_dept_id),
      dingtalkName: r.dingtalk_name,
      active: r.active,
      deactivatedBy: r.deactivated_by,
      members: Number(r.members),
    };
  }
}
