import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

export interface SyncedUnit {
  code: string;
  name: string;
  /** DingTalk's name as last seen; the admin may have renamed the unit (`name`). */
  dingtalkName: string | null;
  deptId: number;
  active: boolean;
  deactivatedBy: 'admin' | 'sync' | null;
}

export interface SyncedPerson {
  userid: string;
  unionid: string | null;
  name: string;
  title: string | null;
  roles: string[];
  active: boolean;
  units: Array<{ code: string; isLeader: boolean }>;
  /** An admin has saved this person's roles: the sync no longer derives `receiver`. */
  receiverByAdmin?: boolean;
}

/** Reads and writes for the DingTalk organisation sync (issue 4, item 6). */
@Injectable()
export class OrgSyncRepository {
  constructor(private readonly ds: DataSource) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.ds.transaction(work);
  }

  async unitsByDept(m: EntityManager = this.ds.manager): Promise<Map<number, SyncedUnit>> {
    const rows = await m.query(
      `SELECT code, name, dingtalk_name, dingtalk_dept_id, active, deactivated_by FROM units WHERE dingtalk_dept_id IS NOT NULL`,
    );
    return new Map(
      rows.map((r: Record<string, any>) => [
        Number(r.dingtalk_dept_id),
        {
          code: r.code,
          name: r.name,
          dingtalkName: r.dingtalk_name,
          deptId: Number(r.dingtalk_dept_id),
          active: r.active,
          deactivatedBy: r.deactivated_by,
        },
      ]),
    );
  }

  async people(m: EntityManager = this.ds.manager): Promise<Map<string, SyncedPerson>> {
    const rows = await m.query(
      `SELECT p.userid, p.unionid, p.name, p.title, p.roles, p.active, p.receiver_by_admin AS "receiverByAdmin",
              COALESCE(json_agg(json_build_object('code', um.unit_code, 'isLeader', um.is_leader) ORDER BY um.unit_code)
                FILTER (WHERE um.unit_code IS NOT NULL), '[]') AS units
         FROM people p LEFT JOIN unit_memberships um ON um.userid = p.userid GROUP BY p.userid`,
    );
    return new Map(rows.map((r: SyncedPerson) => [r.userid, r]));
  }

  /** A department the sync has not seen before becomes a unit (the admin sets its kind later). */
  async insertUnit(
    m: EntityManager,
    u: { code: string; name: string; kind: string; deptId: number },
    now: Date,
  ): Promise<void> {
    await m.query(
      `INSERT INTO units (code, name, kind, dingtalk_dept_id, dingtalk_name, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $2, $5, $5)`,
      [u.code, u.name, u.kind, u.deptId, now],
    );
  }

  /**
   * DingTalk renamed the department or it is back: the unit's own name follows DingTalk's unless
   * an admin renamed it; only a unit the sync itself deactivated comes back (an admin's
   * deactivation stands).
   */
  async refreshUnit(m: EntityManager, code: string, dingtalkName: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE units SET name = CASE WHEN name = dingtalk_name OR dingtalk_name IS NULL THEN $2 ELSE name END,
              dingtalk_name = $2,
              active = CASE WHEN deactivated_by = 'sync' THEN true ELSE active END,
              deactivated_by = CASE WHEN deactivated_by = 'sync' THEN NULL ELSE deactivated_by END,
              updated_at = $3
        WHERE code = $1`,
      [code, dingtalkName, now],
    );
  }

  async deactivateUnit(m: EntityManager, code: string, now: Date): Promise<void> {
    await m.query(
      `UPDATE units SET active = false, deactivated_by = 'sync', updated_at = $2 WHERE code = $1 AND active`,
      [code, now],
    );
  }

  async deactivatePerson(m: EntityManager, userid: string, now: Date): Promise<void> {
    await m.query(`UPDATE people SET active = false, updated_at = $2 WHERE userid = $1`, [userid, now]);
  }

  async startRun(trigger: 'schedule' | 'admin', now: Date): Promise<number> {
    const rows = await this.ds.query(
      `INSERT INTO org_sync_runs (trigger, started_at, status) VALUES ($1, $2, 'running') RETURNING id`,
      [trigger, now],
    );
    return Number(rows[0].id);
  }

  async finishRun(id: number, status: 'ok' | 'partial' | 'failed', summary: unknown, now: Date): Promise<void> {
    await this.ds.query(`UPDATE org_sync_runs SET status = $2, summary = $3, finished_at = $4 WHERE id = $1`, [
      id,
      status,
      JSON.stringify(summary),
      now,
    ]);
  }

  async lastRun(): Promise<{
    id: number;
    trigger: string;
    startedAt: Date;
    finishedAt: Date | null;
    status: string;
    summary: unknown;
  } | null> {
    const rows = await this.ds.query(`SELECT * FROM org_sync_runs ORDER BY id DESC LIMIT 1`);
    const r = rows[0];
    return r
      ? {
          id: Number(r.id),
          trigger: r.trigger,
          startedAt: new Date(r.started_at),
          finishedAt: r.finished_at ? new Date(r.finished_at) : null,
          status: r.status,
          summary: r.summary,
        }
      : null;
  }
}
