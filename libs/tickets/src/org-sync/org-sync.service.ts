import { Inject, Injectable } from '@nestjs/common';
import { OrganisationRepository, OrgSyncRepository, type SyncedPerson } from '@hotline/db';
import type { DingTalkClient, DingTalkDepartment, DingTalkUser } from '@hotline/dingtalk';
import { CLOCK, type Clock } from '../clock';
import { DINGTALK_CLIENT } from '../dingtalk/dingtalk-client.provider';

export interface OrgSyncSummary {
  departments: number;
  units: { created: number; updated: number; deactivated: number };
  people: { created: number; updated: number; deactivated: number };
}

const ROOT_DEPT = 1;
const MAX_DEPARTMENTS = 5000;
const GLOBAL_ROLES = ['dispatcher', 'ops_head', 'office_reviewer', 'admin'];

/**
 * DingTalk's departments → units, people → people with unit memberships, leader_in_dept →
 * unit leader (issue 4, item 6). Idempotent; people who left are deactivated, never deleted;
 * the roles an admin gave (dispatcher, ops head, office reviewer, admin) are kept.
 */
@Injectable()
export class OrgSyncService {
  constructor(
    @Inject(DINGTALK_CLIENT) private readonly client: DingTalkClient,
    private readonly repo: OrgSyncRepository,
    private readonly org: OrganisationRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(trigger: 'schedule' | 'admin'): Promise<OrgSyncSummary> {
    const runId = await this.repo.startRun(trigger, this.clock.now());
    try {
      const summary = await this.sync();
      await this.repo.finishRun(runId, 'ok', summary, this.clock.now());
      return summary;
    } catch (err) {
      await this.repo.finishRun(
        runId,
        'failed',
        { error: err instanceof Error ? err.message : String(err) },
        this.clock.now(),
      );
      throw err;
    }
  }

  private async departments(): Promise<DingTalkDepartment[]> {
    const all: DingTalkDepartment[] = [];
    const queue = [ROOT_DEPT];
    while (queue.length > 0 && all.length < MAX_DEPARTMENTS) {
      const subs = await this.client.listSubDepartments(queue.shift()!);
      for (const d of subs) {
        all.push(d);
        queue.push(d.dept_id);
      }
    }
    return all;
  }

  private async sync(): Promise<OrgSyncSummary> {
    // Read everything from DingTalk first; then write in one transaction.
    const depts = await this.departments();
    const users = new Map<string, { user: DingTalkUser; depts: Map<number, boolean> }>();
    for (const d of depts) {
      for (const u of await this.client.listAllUsers(d.dept_id)) {
        const entry = users.get(u.userid) ?? { user: u, depts: new Map<number, boolean>() };
        entry.depts.set(
          d.dept_id,
          Boolean(u.leader) || Boolean(u.leader_in_dept?.some((l) => l.dept_id === d.dept_id && l.leader)),
        );
        users.set(u.userid, entry);
      }
    }
    const summary: OrgSyncSummary = {
      departments: depts.length,
      units: { created: 0, updated: 0, deactivated: 0 },
      people: { created: 0, updated: 0, deactivated: 0 },
    };
    await this.repo.transaction(async (m) => {
      const unitsByDept = await this.repo.unitsByDept(m);
      for (const d of depts) {
        const existing = unitsByDept.get(d.dept_id);
        if (!existing) {
          const unit = {
            code: `dept_${d.dept_id}`,
            name: d.name,
            kind: d.name.includes('分公司') ? 'branch' : 'department',
            deptId: d.dept_id,
          };
          await this.repo.upsertUnit(m, unit);
          unitsByDept.set(d.dept_id, { code: unit.code, name: unit.name, deptId: d.dept_id, active: true });
          summary.units.created++;
        } else if (existing.name !== d.name || !existing.active) {
          await this.repo.upsertUnit(m, { code: existing.code, name: d.name, kind: 'department', deptId: d.dept_id });
          summary.units.updated++;
        }
      }
      const seenDepts = new Set(depts.map((d) => d.dept_id));
      for (const [deptId, unit] of unitsByDept) {
        if (!seenDepts.has(deptId) && unit.active) {
          await this.repo.deactivateUnit(m, unit.code);
          summary.units.deactivated++;
        }
      }

      const people = await this.repo.people(m);
      for (const { user, depts: userDepts } of users.values()) {
        const units = [...userDepts.entries()]
          .filter(([deptId]) => unitsByDept.has(deptId))
          .map(([deptId, isLeader]) => ({ code: unitsByDept.get(deptId)!.code, isLeader }));
        const before = people.get(user.userid);
        const leads = units.some((u) => u.isLeader);
        const globalRoles = (before?.roles ?? []).filter((r) => GLOBAL_ROLES.includes(r));
        const wasReceiver = before ? before.roles.includes('receiver') : !leads && globalRoles.length === 0;
        const roles = [...globalRoles, ...(wasReceiver ? ['receiver'] : []), ...(leads ? ['unit_leader'] : [])];
        const next: SyncedPerson = {
          userid: user.userid,
          unionid: user.unionid,
          name: user.name,
          title: user.title ?? null,
          roles,
          active: true,
          units,
        };
        if (before && samePerson(before, next)) continue;
        await this.org.upsertPerson(next, m);
        if (before) summary.people.updated++;
        else summary.people.created++;
      }
      for (const p of people.values()) {
        if (p.active && p.unionid && !users.has(p.userid)) {
          await this.repo.deactivatePerson(m, p.userid);
          summary.people.deactivated++;
        }
      }
    });
    return summary;
  }
}

function samePerson(a: SyncedPerson, b: SyncedPerson): boolean {
  const units = (p: SyncedPerson) => JSON.stringify([...p.units].sort((x, y) => x.code.localeCompare(y.code)));
  return (
    a.active === b.active &&
    a.unionid === b.unionid &&
    a.name === b.name &&
    (a.title ?? null) === (b.title ?? null) &&
    JSON.stringify([...a.roles].sort()) === JSON.stringify([...b.roles].sort()) &&
    units(a) === units(b)
  );
}
