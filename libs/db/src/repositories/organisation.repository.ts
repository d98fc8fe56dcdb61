import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface PersonRow {
  userid: string;
  unionid: string | null;
  name: string;
  title: string | null;
  roles: string[];
  active: boolean;
  units: Array<{ code: string; name: string; isLeader: boolean }>;
}

export interface UnitRow {
  code: string;
  name: string;
  kind: 'ops' | 'office' | 'department' | 'branch';
  dingtalkDeptId: number | null;
  active: boolean;
}

export interface SourceRow {
  code: string;
  name: string;
  chain: 'A' | 'B' | 'direct';
  active: boolean;
}

export interface CategoryRow {
  code: string;
  name: string;
  active: boolean;
}

/** Units, people, sources and categories: the organisation and reference data. */
@Injectable()
export class OrganisationRepository {
  constructor(private readonly ds: DataSource) {}

  async findPerson(userid: string, m: EntityManager = this.ds.manager): Promise<PersonRow | null> {
    const rows = await m.query(
      `SELECT p.userid, p.unionid, p.name, p.title, p.roles, p.active,
              COALESCE(json_agg(json_build_object('code', u.code, 'name', u.name, 'isLeader', um.is_leader)
                         ORDER BY u.code) FILTER (WHERE u.code IS NOT NULL), '[]') AS units
         FROM people p
         LEFT JOIN unit_memberships um ON um.userid = p.userid
         LEFT JOIN units u ON u.code = um.unit_code
        WHERE p.userid = $1
        GROUP BY p.userid`,
      [userid],
    );
    return rows[0] ?? null;
  }

  /**
   * A bearer token's person and whether its session family is still signed in (issue 17, item 5),
   * in one round trip (issue 19 goal 1): every request asks both.
   */
  async findPersonForSession(userid: string, family: string): Promise<{ person: PersonRow | null; alive: boolean }> {
    const sid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(family) ? family : null;
    const rows = await this.ds.query(
      `SELECT s.alive, p.*
         FROM (SELECT (SELECT revoked_at IS NULL FROM auth_sessions WHERE id = $2::uuid) AS alive) s
         LEFT JOIN LATERAL (
           SELECT p.userid, p.unionid, p.name, p.title, p.roles, p.active,
                  COALESCE(json_agg(json_build_object('code', u.code, 'name', u.name, 'isLeader', um.is_leader)
                             ORDER BY u.code) FILTER (WHERE u.code IS NOT NULL), '[]') AS units
             FROM people p
             LEFT JOIN unit_memberships um ON um.userid = p.userid
             LEFT JOIN units u ON u.code = um.unit_code
            WHERE p.userid = $1
            GROUP BY p.userid) p ON true`,
      [userid, sid],
    );
    const { alive, ...person } = rows[0] as Record<string, unknown>;
    return { person: person.userid ? (person as unknown as PersonRow) : null, alive: alive === true };
  }

  async findPersonByUnionId(unionid: string): Promise<PersonRow | null> {
    const rows = await this.ds.query(`SELECT userid FROM people WHERE unionid = $1`, [unionid]);
    return rows[0] ? this.findPerson(rows[0].userid) : null;
  }

  async listUnits(): Promise<UnitRow[]> {
    const rows = await this.ds.query(
      `SELECT code, name, kind, dingtalk_dept_id, active FROM units ORDER BY dingtalk_dept_id NULLS LAST, code`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      code: r.code,
      name: r.name,
      kind: r.kind,
      dingtalkDeptId: r.dingtalk_dept_id === null ? null : Number(r.dingtalk_dept_id),
      active: r.active,
    }));
  }

  async listSources(): Promise<SourceRow[]> {
    return this.ds.query(`SELECT code, name, chain, active FROM sources ORDER BY sort, code`);
  }

  async listCategories(): Promise<CategoryRow[]> {
    return this.ds.query(`SELECT code, name, active FROM categories ORDER BY sort, code`);
  }

  async findSource(code: string, m: EntityManager = this.ds.manager): Promise<SourceRow | null> {
    const rows = await m.query(`SELECT code, name, chain, active FROM sources WHERE code = $1`, [code]);
    return rows[0] ?? null;
  }

  async findCategory(code: string, m: EntityManager = this.ds.manager): Promise<CategoryRow | null> {
    const rows = await m.query(`SELECT code, name, active FROM categories WHERE code = $1`, [code]);
    return rows[0] ?? null;
  }

  async existingUnitCodes(codes: string[], m: EntityManager = this.ds.manager): Promise<Set<string>> {
    const rows = await m.query(`SELECT code FROM units WHERE code = ANY($1) AND active`, [codes]);
    return new Set(rows.map((r: { code: string }) => r.code));
  }

  /** Active people of a unit holding a role there (receivers or leaders). */
  async peopleOfUnit(
    unitCode: string,
    role: 'receiver' | 'unit_leader',
    m: EntityManager = this.ds.manager,
  ): Promise<string[]> {
    const rows = await m.query(
      `SELECT p.userid FROM people p JOIN unit_memberships um ON um.userid = p.userid
        WHERE um.unit_code = $1 AND p.active AND $2 = ANY(p.roles) ORDER BY p.userid`,
      [unitCode, role],
    );
    return rows.map((r: { userid: string }) => r.userid);
  }

  async peopleWithRole(role: string, m: EntityManager = this.ds.manager): Promise<string[]> {
    const rows = await m.query(`SELECT userid FROM people WHERE active AND $1 = ANY(roles) ORDER BY userid`, [role]);
    return rows.map((r: { userid: string }) => r.userid);
  }

  async countPeople(): Promise<number> {
    const rows = await this.ds.query(`SELECT count(*)::int AS n FROM people`);
    return rows[0].n;
  }

  async upsertUnit(
    u: { code: string; name: string; kind: string; dingtalkDeptId: number | null },
    m: EntityManager = this.ds.manager,
  ): Promise<void> {
    await m.query(
      `INSERT INTO units (code, name, kind, dingtalk_dept_id, dingtalk_name) VALUES ($1, $2, $3, $4, CASE WHEN $4::bigint IS NULL THEN NULL ELSE $2 END)
       ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,
         dingtalk_dept_id = EXCLUDED.dingtalk_dept_id, dingtalk_name = EXCLUDED.dingtalk_name,
         active = true, deactivated_by = NULL, updated_at = now()`,
      [u.code, u.name, u.kind, u.dingtalkDeptId],
    );
  }

  async upsertPerson(
    p: {
      userid: string;
      unionid: string | null;
      name: string;
      title: string | null;
      roles: string[];
      units: Array<{ code: string; isLeader: boolean }>;
    },
    m: EntityManager = this.ds.manager,
  ): Promise<void> {
    await m.query(
      `INSERT INTO people (userid, unionid, name, title, roles) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (userid) DO UPDATE SET unionid = EXCLUDED.unionid, name = EXCLUDED.name,
         title = EXCLUDED.title, roles = EXCLUDED.roles, active = true, updated_at = now()`,
      [p.userid, p.unionid, p.name, p.title, p.roles],
    );
    await m.query(`DELETE FROM unit_memberships WHERE userid = $1 AND NOT (unit_code = ANY($2))`, [
      p.userid,
      p.units.map((u) => u.code),
    ]);
    for (const u of p.units) {
      await m.query(
        `INSERT INTO unit_memberships (userid, unit_code, is_leader) VALUES ($1, $2, $3)
         ON CONFLICT (userid, unit_code) DO UPDATE SET is_leader = EXCLUDED.is_leader`,
        [p.userid, u.code, u.isLeader],
      );
    }
  }

  async upsertSource(
    s: { code: string; name: string; chain: string; sort: number },
    m: EntityManager = this.ds.manager,
  ): Promise<void> {
    await m.query(
      `INSERT INTO sources (code, name, chain, sort) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING`,
      [s.code, s.name, s.chain, s.sort],
    );
  }

  async upsertCategory(
    c: { code: string; name: string; sort: number },
    m: EntityManager = this.ds.manager,
  ): Promise<void> {
    await m.query(`INSERT INTO categories (code, name, sort) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING`, [
      c.code,
      c.name,
      c.sort,
    ]);
  }
}
