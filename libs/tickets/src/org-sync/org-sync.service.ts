import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { OrganisationRepository, OrgSyncRepository, PeopleAdminRepository, type SyncedPerson } from '@hotline/db';
import type { DingTalkClient, DingTalkDepartment, DingTalkUser } from '@hotline/dingtalk';
import { CLOCK, type Clock } from '../clock';
import { DINGTALK_CLIENT } from '../dingtalk/dingtalk-client.provider';
import { GRANTED_ROLES } from './roles';

export interface OrgSyncSummary {
  departments: number;
  /** False when a limit cut the read short: then nobody and no unit was deactivated. */
  complete: boolean;
  /** Why the read stopped early (complete false). */
  incompleteReason?: string;
  units: { created: number; updated: number; deactivated: number };
  people: { created: number; updated: number; deactivated: number };
  /** ADMIN_USERIDS that became admins in this run. */
  adminsGranted: number;
}

const ROOT_DEPT = 1;
// ref §3.3: user/list pages hold at most 100.
const PAGE_SIZE = 100;

interface ReadResult {
  depts: DingTalkDepartment[];
  users: Map<string, { user: DingTalkUser; depts: Map<number, boolean> }>;
  complete: boolean;
  incompleteReason?: string;
}

/**
 * DingTalk's departments → units, people → people with unit memberships, leader_in_dept → unit
 * leader (issue 4 item 6, issue 13.4). The root department's own members are people too (no
 * unit); hidden (access-restricted) employees are read with `contain_access_limit`. Everything
 * is read first and written in one transaction. A person or unit is deactivated only by a
 * complete read that no longer sees them: a read that fails writes nothing, and one cut short by
 * a limit updates what it saw but deactivates nobody (run status `partial`). The roles an admin
 * grants (dispatcher, ops head, office reviewer, admin) are never touched; `unit_leader` follows
 * DingTalk's leader flag; `receiver` is derived for people whose roles no admin has saved.
 * ADMIN_USERIDS are applied on every run.
 */
@Injectable()
export class OrgSyncService {
  /** Safety limits of one run (tests lower them). */
  limits = { departments: 5000, people: 100_000 };

  constructor(
    @Inject(DINGTALK_CLIENT) private readonly client: DingTalkClient,
    private readonly repo: OrgSyncRepository,
    private readonly org: OrganisationRepository,
    private readonly peopleAdmin: PeopleAdminRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(trigger: 'schedule' | 'admin'): Promise<OrgSyncSummary> {
    const runId = await this.repo.startRun(trigger, this.clock.now());
    try {
      const summary = await this.sync();
      await this.repo.finishRun(runId, summary.complete ? 'ok' : 'partial', summary, this.clock.now());
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

  /** Walks the tree from the root and reads every department's direct members, root included. */
  private async read(): Promise<ReadResult> {
    const depts: DingTalkDepartment[] = [];
    const users: ReadResult['users'] = new Map();
    const queue = [ROOT_DEPT];
    let stop: string | undefined;
    while (queue.length > 0) {
      if (depts.length >= this.limits.departments) {
        stop = `more than ${this.limits.departments} departments`;
        break;
      }
      for (const d of await this.client.listSubDepartments(queue.shift()!)) {
        depts.push(d);
        queue.push(d.dept_id);
      }
    }
    // The root's own members (a company's leadership often sits there) and every department's.
    for (const deptId of stop ? [] : [ROOT_DEPT, ...depts.map((d) => d.dept_id)]) {
      for (let cursor = 0; ;) {
        const page = await this.client.listUsers({ deptId, cursor, size: PAGE_SIZE, containAccessLimit: true });
        for (const u of page.list) {
          const entry = users.get(u.userid) ?? { user: u, depts: new Map<number, boolean>() };
          entry.depts.set(
            deptId,
            Boolean(u.leader) || Boolean(u.leader_in_dept?.some((l) => l.dept_id === deptId && l.leader)),
          );
          users.set(u.userid, entry);
        }
        if (users.size > this.limits.people) {
          stop = `more than ${this.limits.people} people`;
          break;
        }
        if (!page.has_more || page.next_cursor === undefined) break;
        cursor = page.next_cursor;
      }
      if (stop) break;
    }
    return { depts, users, complete: stop === undefined, ...(stop ? { incompleteReason: stop } : {}) };
  }

  private async sync(): Promise<OrgSyncSummary> {
    const { depts, users, complete, incompleteReason } = await this.read();
    const now = this.clock.now();
    const summary: OrgSyncSummary = {
      departments: depts.length,
      complete,
      ...(incompleteReason ? { incompleteReason } : {}),
      units: { created: 0, updated: 0, deactivated: 0 },
      people: { created: 0, updated: 0, deactivated: 0 },
      adminsGranted: 0,
    };
    await this.repo.transaction(async (m) => {
      const unitsByDept = await this.repo.unitsByDept(m);
      for (const d of depts) {
        const existing = unitsByDept.get(d.dept_id);
        if (!existing) {
          // A new department: a branch company by its name, otherwise a department; the admin
          // says which one is the operations service department and which the company office.
          const unit = {
            code: `dept_${d.dept_id}`,
            name: d.name,
            kind: d.name.includes('分公司') ? 'branch' : 'department',
            deptId: d.dept_id,
          };
          await this.repo.insertUnit(m, unit, now);
          unitsByDept.set(d.dept_id, {
            code: unit.code,
            name: unit.name,
            dingtalkName: unit.name,
            deptId: d.dept_id,
            active: true,
            deactivatedBy: null,
          });
          summary.units.created++;
        } else if (existing.dingtalkName !== d.name || existing.deactivatedBy === 'sync') {
          await this.repo.refreshUnit(m, existing.code, d.name, now);
          summary.units.updated++;
        }
      }
      if (complete) {
        const seenDepts = new Set(depts.map((d) => d.dept_id));
        for (const [deptId, unit] of unitsByDept) {
          if (!seenDepts.has(deptId) && unit.active) {
            await this.repo.deactivateUnit(m, unit.code, now);
            summary.units.deactivated++;
          }
        }
      }

      const people = await this.repo.people(m);
      for (const { user, depts: userDepts } of users.values()) {
        const units = [...userDepts.entries()]
          .filter(([deptId]) => unitsByDept.has(deptId))
          .map(([deptId, isLeader]) => ({ code: unitsByDept.get(deptId)!.code, isLeader }));
        const before = people.get(user.userid);
        const next: SyncedPerson = {
          userid: user.userid,
          unionid: user.unionid,
          name: user.name,
          title: user.title ?? null,
          roles: syncedRoles(before, units),
          active: true,
          units,
        };
        if (before && samePerson(before, next)) continue;
        await this.org.upsertPerson(next, m);
        if (!sameRoles(before?.roles ?? [], next.roles)) {
          await this.peopleAdmin.recordRoleChange(m, {
            at: now,
            changedBy: null,
            via: 'org_sync',
            userid: user.userid,
            before: before?.roles ?? [],
            after: next.roles,
          });
        }
        if (before) summary.people.updated++;
        else summary.people.created++;
      }
      // Only a complete read may conclude that someone has left. A row without a unionid was
      // never seen in DingTalk (an ADMIN_USERIDS entry nobody has synced): left alone.
      if (complete) {
        for (const p of people.values()) {
          if (p.active && p.unionid && !users.has(p.userid)) {
            await this.repo.deactivatePerson(m, p.userid, now);
            summary.people.deactivated++;
          }
        }
      }
      summary.adminsGranted = (
        await this.peopleAdmin.grantConfiguredAdmins(this.config.auth.adminUserids, now, m)
      ).length;
    });
    return summary;
  }
}

/**
 * The roles after a sync: granted roles kept; unit_leader from DingTalk's leader flag; receiver
 * derived (member of a unit, leads none, no granted role) unless an admin has saved the roles.
 */
export function syncedRoles(
  before: Pick<SyncedPerson, 'roles' | 'receiverByAdmin'> | undefined,
  units: Array<{ isLeader: boolean }>,
): string[] {
  const granted = (before?.roles ?? []).filter((r) => (GRANTED_ROLES as readonly string[]).includes(r));
  const leads = units.some((u) => u.isLeader);
  const receiver = before?.receiverByAdmin
    ? before.roles.includes('receiver')
    : units.length > 0 && !leads && granted.length === 0;
  return [...granted, ...(receiver ? ['receiver'] : []), ...(leads ? ['unit_leader'] : [])];
}

function sameRoles(a: string[], b: string[]): boolean {
  return JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());
}

function samePerson(a: SyncedPerson, b: SyncedPerson): boolean {
  const units = (p: SyncedPerson) => JSON.stringify([...p.units].sort((x, y) => x.code.localeCompare(y.code)));
  return (
    a.active === b.active &&
    a.unionid === b.unionid &&
    a.name === b.name &&
    (a.title ?? null) === (b.title ?? null) &&
    sameRoles(a.roles, b.roles) &&
    units(a) === units(b)
  );
}
