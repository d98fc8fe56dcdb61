import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  OrganisationRepository,
  PeopleAdminRepository,
  type AdminPersonRow,
  type AdminUnitRow,
  type ConfigEntity,
  type RoleChangeRow,
} from '@hotline/db';
import { DomainError } from '@hotline/workflow';
import { requireAccess } from './access/access';
import type { CurrentUser } from './auth/auth.service';
import { CLOCK, type Clock } from './clock';
import { ALL_ROLES, type Role } from './org-sync/roles';
import { decodeCursor, encodeCursor } from './paging';

export interface AdminPersonResponse {
  userid: string;
  name: string;
  title: string | null;
  active: boolean;
  roles: string[];
  units: Array<{ code: string; name: string; isLeader: boolean }>;
  /** Seen by an org sync or a DingTalk sign-in (false: only named in ADMIN_USERIDS so far). */
  synced: boolean;
  /** Named in ADMIN_USERIDS: the admin role comes from the setting and cannot be removed here. */
  configuredAdmin: boolean;
  /** An admin has saved the roles, so the sync no longer derives `receiver`. */
  receiverByAdmin: boolean;
}

export interface RoleInfo {
  role: Role;
  label: string;
  /** `dingtalk`: set by the org sync; `admin`: granted on this page. */
  source: 'dingtalk' | 'admin';
  note: string;
}

export const ROLE_INFO: readonly RoleInfo[] = [
  { role: 'dispatcher', label: '派单员', source: 'admin', note: '运营服务部登记、派单（发起人）' },
  { role: 'ops_head', label: '运营服务部负责人', source: 'admin', note: '审核办结' },
  { role: 'office_reviewer', label: '办公室审核人', source: 'admin', note: '审核政府渠道答复措辞（B 链）' },
  { role: 'admin', label: '管理员', source: 'admin', note: '人员、单位、来源与类型、时限' },
  {
    role: 'receiver',
    label: '接单员',
    source: 'dingtalk',
    note: '同步时给予所在单位的非主管成员；管理员保存过该人员的角色后，以管理员的设置为准',
  },
  { role: 'unit_leader', label: '部门领导', source: 'dingtalk', note: '来自钉钉通讯录的部门主管，每次同步更新' },
];

export const UNIT_KINDS = ['ops', 'office', 'branch', 'department'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  ops: '运营服务部',
  office: '公司办公室',
  branch: '分公司',
  department: '其他部门',
};
const CHAINS = ['A', 'B', 'direct'] as const;
const CODE_RE = /^[a-z][a-z0-9_]{1,39}$/;

export interface UnitPatch {
  name?: string;
  kind?: string;
  dingtalkDeptId?: number | null;
  active?: boolean;
}

export interface SourceResponse {
  code: string;
  name: string;
  chain: string;
  active: boolean;
}
export interface CategoryResponse {
  code: string;
  name: string;
  active: boolean;
}

function validName(name: unknown, field = 'name'): string {
  const v = typeof name === 'string' ? name.trim() : '';
  if (v.length < 1 || v.length > 100) throw new DomainError('VALIDATION', '名称须为 1 到 100 个字。', field);
  return v;
}

function validCode(code: unknown): string {
  if (typeof code !== 'string' || !CODE_RE.test(code)) {
    throw new DomainError('VALIDATION', '代码须以小写字母开头，由 2 到 40 个小写字母、数字或下划线组成。', 'code');
  }
  return code;
}

/**
 * The admin's configuration pages (issue 13.3): people and roles, units, sources and
 * categories. Every method starts with the admin check; every change is audited in the same
 * transaction (role_changes, config_changes) at the application clock's time.
 */
@Injectable()
export class AdminPeopleService {
  constructor(
    private readonly repo: PeopleAdminRepository,
    private readonly org: OrganisationRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  roles(user: CurrentUser): readonly RoleInfo[] {
    requireAccess(user, 'admin.people');
    return ROLE_INFO;
  }

  // ---- people -----------------------------------------------------------------------------------

  async listPeople(
    user: CurrentUser,
    f: { q?: string; role?: string; unit?: string; cursor?: string; limit?: number },
  ): Promise<{ items: AdminPersonResponse[]; nextCursor: string | null }> {
    requireAccess(user, 'admin.people');
    if (f.role !== undefined && !(ALL_ROLES as readonly string[]).includes(f.role)) {
      throw new DomainError('VALIDATION', `未知的角色“${f.role}”。`, 'role');
    }
    const limit = f.limit ?? 50;
    const after = f.cursor
      ? decodeCursor(f.cursor, (p) =>
          typeof p[0] === 'string' && typeof p[1] === 'string' ? { name: p[0], userid: p[1] } : null,
        )
      : undefined;
    const rows = await this.repo.listPeople({
      q: f.q?.trim() || undefined,
      role: f.role,
      unit: f.unit,
      after,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.person(r)),
      nextCursor: rows.length > limit && last ? encodeCursor([last.name, last.userid]) : null,
    };
  }

  /**
   * Sets a person's roles. Refused: unknown roles; a change of unit_leader (DingTalk's leader
   * flag decides it); removing admin from someone named in ADMIN_USERIDS; removing the last
   * active admin. The active admins' rows are locked first, so two admins removing each other at
   * once cannot leave none.
   */
  async setRoles(user: CurrentUser, userid: string, roles: unknown): Promise<AdminPersonResponse> {
    requireAccess(user, 'admin.people');
    if (!Array.isArray(roles) || roles.some((r) => typeof r !== 'string')) {
      throw new DomainError('VALIDATION', 'roles 须为角色列表。', 'roles');
    }
    const unknown = roles.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
    if (unknown.length) throw new DomainError('VALIDATION', `未知的角色：${unknown.join('、')}。`, 'roles');
    const wanted = ALL_ROLES.filter((r) => roles.includes(r));
    const now = this.clock.now();
    await this.repo.transaction(async (m) => {
      const admins = await this.repo.lockActiveAdmins(m);
      // Checked again under the lock: another admin may have just removed this one's role.
      if (!admins.includes(user.userid)) throw new DomainError('FORBIDDEN', '只有管理员可以执行此操作。');
      const before = await this.repo.lockPerson(m, userid);
      if (!before) throw new DomainError('NOT_FOUND', `没有人员“${userid}”。`, 'userid');
      if (before.roles.includes('unit_leader') !== wanted.includes('unit_leader')) {
        throw new DomainError(
          'VALIDATION',
          '“部门领导”来自钉钉通讯录的部门主管设置，请在钉钉中修改后同步，不能在这里更改。',
          'roles',
        );
      }
      const removesAdmin = before.roles.includes('admin') && !wanted.includes('admin');
      if (removesAdmin && this.config.auth.adminUserids.includes(userid)) {
        throw new DomainError(
          'CONFLICT',
          `“${userid}”由设置 ADMIN_USERIDS 指定为管理员，每次启动和同步都会恢复；请先修改该设置。`,
          'roles',
        );
      }
      if (removesAdmin && before.active && admins.length <= 1) {
        throw new DomainError(
          'CONFLICT',
          '不能移除最后一位在职的系统管理员：请先给另一位人员授予管理员角色。',
          'roles',
        );
      }
      if (sameSet(before.roles, wanted)) return;
      await this.repo.setRoles(m, userid, wanted, true, now);
      await this.repo.recordRoleChange(m, {
        at: now,
        changedBy: user.userid,
        via: 'admin',
        userid,
        before: before.roles,
        after: wanted,
      });
    });
    return this.person((await this.repo.person(userid))!);
  }

  async roleChanges(
    user: CurrentUser,
    f: { userid?: string; before?: number; limit?: number },
  ): Promise<{ items: RoleChangeRow[]; nextBefore: number | null }> {
    requireAccess(user, 'admin.people');
    const limit = f.limit ?? 50;
    const items = await this.repo.roleChanges({ userid: f.userid, beforeId: f.before, limit });
    return { items, nextBefore: items.length === limit ? items[items.length - 1]!.id : null };
  }

  // ---- units ------------------------------------------------------------------------------------

  async units(user: CurrentUser): Promise<Array<AdminUnitRow & { kindLabel: string; renamed: boolean }>> {
    requireAccess(user, 'admin.people');
    return (await this.repo.listUnits()).map((u) => ({
      ...u,
      kindLabel: UNIT_KIND_LABEL[u.kind],
      renamed: u.dingtalkName !== null && u.dingtalkName !== u.name,
    }));
  }

  async updateUnit(user: CurrentUser, code: string, patch: UnitPatch): Promise<AdminUnitRow> {
    requireAccess(user, 'admin.people');
    const now = this.clock.now();
    await this.repo.transaction(async (m) => {
      const before = await this.repo.lockUnit(m, code);
      if (!before) throw new DomainError('NOT_FOUND', `没有单位“${code}”。`, 'code');
      const name = patch.name === undefined ? before.name : validName(patch.name);
      const kind = (patch.kind ?? before.kind) as UnitKind;
      if (!UNIT_KINDS.includes(kind)) {
        throw new DomainError('VALIDATION', `单位类别须为 ${UNIT_KINDS.join('、')} 之一。`, 'kind');
      }
      const active = patch.active ?? before.active;
      const deptId = patch.dingtalkDeptId === undefined ? before.dingtalkDeptId : patch.dingtalkDeptId;
      if (deptId !== null && (!Number.isSafeInteger(deptId) || deptId < 2)) {
        throw new DomainError('VALIDATION', '钉钉部门编号须为大于 1 的整数（根部门 1 不是单位）。', 'dingtalkDeptId');
      }
      if (deptId !== null && deptId !== before.dingtalkDeptId) {
        const holder = await this.repo.unitByDept(m, deptId);
        if (holder) {
          throw new DomainError(
            'CONFLICT',
            `钉钉部门 ${deptId} 已对应单位“${holder}”，请先解除该对应。`,
            'dingtalkDeptId',
          );
        }
      }
      if (active && (kind === 'ops' || kind === 'office')) {
        const holder = await this.repo.activeUnitOfKind(m, kind);
        if (holder && holder.code !== code) {
          throw new DomainError(
            'CONFLICT',
            `“${holder.name}”（${holder.code}）已是${UNIT_KIND_LABEL[kind]}：这一类别只能有一个在用单位，请先把它改为其他类别。`,
            'kind',
          );
        }
      }
      // An admin's deactivation is the admin's (the sync does not undo it); reactivating clears it.
      const deactivatedBy = active ? null : before.active ? 'admin' : (before.deactivatedBy ?? 'admin');
      const after = { name, kind, dingtalkDeptId: deptId, active };
      if (
        after.name === before.name &&
        after.kind === before.kind &&
        after.dingtalkDeptId === before.dingtalkDeptId &&
        after.active === before.active
      ) {
        return;
      }
      await this.repo.updateUnit(m, code, { ...after, deactivatedBy }, now);
      await this.audit(m, user, 'unit', code, pick(before, ['name', 'kind', 'dingtalkDeptId', 'active']), after, now);
    });
    return (await this.repo.listUnits()).find((u) => u.code === code)!;
  }

  // ---- sources and categories ---------------------------------------------------------------------

  /** Every source, active or not (the pickers show active ones only). */
  async sources(user: CurrentUser): Promise<SourceResponse[]> {
    requireAccess(user, 'admin.people');
    return this.org.listSources();
  }

  async categories(user: CurrentUser): Promise<CategoryResponse[]> {
    requireAccess(user, 'admin.people');
    return this.org.listCategories();
  }

  async createSource(user: CurrentUser, s: { code: unknown; name: unknown; chain: unknown }): Promise<SourceResponse> {
    requireAccess(user, 'admin.people');
    const row = { code: validCode(s.code), name: validName(s.name), chain: validChain(s.chain) };
    const now = this.clock.now();
    await this.repo.transaction(async (m) => {
      if (!(await this.repo.insertSource(m, row, now))) {
        throw new DomainError('CONFLICT', `来源代码“${row.code}”已存在。`, 'code');
      }
      await this.audit(m, user, 'source', row.code, null, { ...row, active: true }, now);
    });
    return { ...row, active: true };
  }

  async updateSource(
    user: CurrentUser,
    code: string,
    patch: { name?: unknown; chain?: unknown; active?: boolean },
  ): Promise<SourceResponse> {
    requireAccess(user, 'admin.people');
    const now = this.clock.now();
    return this.repo.transaction(async (m) => {
      const before = await this.repo.lockSource(m, code);
      if (!before) throw new DomainError('NOT_FOUND', `没有来源“${code}”。`, 'code');
      const after = {
        code,
        name: patch.name === undefined ? before.name : validName(patch.name),
        // A chain change applies to tickets registered from now on; a ticket keeps the chain it started on.
        chain: patch.chain === undefined ? before.chain : validChain(patch.chain),
        active: patch.active ?? before.active,
      };
      if (after.name !== before.name || after.chain !== before.chain || after.active !== before.active) {
        await this.repo.updateSource(m, after);
        await this.audit(m, user, 'source', code, before, after, now);
      }
      return after;
    });
  }

  async createCategory(user: CurrentUser, c: { code: unknown; name: unknown }): Promise<CategoryResponse> {
    requireAccess(user, 'admin.people');
    const row = { code: validCode(c.code), name: validName(c.name) };
    const now = this.clock.now();
    await this.repo.transaction(async (m) => {
      if (!(await this.repo.insertCategory(m, row))) {
        throw new DomainError('CONFLICT', `事项类型代码“${row.code}”已存在。`, 'code');
      }
      await this.audit(m, user, 'category', row.code, null, { ...row, active: true }, now);
    });
    return { ...row, active: true };
  }

  async updateCategory(
    user: CurrentUser,
    code: string,
    patch: { name?: unknown; active?: boolean },
  ): Promise<CategoryResponse> {
    requireAccess(user, 'admin.people');
    const now = this.clock.now();
    return this.repo.transaction(async (m) => {
      const before = await this.repo.lockCategory(m, code);
      if (!before) throw new DomainError('NOT_FOUND', `没有事项类型“${code}”。`, 'code');
      const after = {
        code,
        name: patch.name === undefined ? before.name : validName(patch.name),
        active: patch.active ?? before.active,
      };
      if (after.name !== before.name || after.active !== before.active) {
        await this.repo.updateCategory(m, after);
        await this.audit(m, user, 'category', code, before, after, now);
      }
      return after;
    });
  }

  async configChanges(user: CurrentUser, f: { entity?: ConfigEntity; code?: string; limit?: number }) {
    requireAccess(user, 'admin.people');
    return this.repo.configChanges({ ...f, limit: f.limit ?? 50 });
  }

  private audit(
    m: Parameters<PeopleAdminRepository['recordConfigChange']>[0],
    user: CurrentUser,
    entity: ConfigEntity,
    code: string,
    before: unknown,
    after: unknown,
    now: Date,
  ): Promise<void> {
    return this.repo.recordConfigChange(m, { at: now, changedBy: user.userid, entity, code, before, after });
  }

  private person(r: AdminPersonRow): AdminPersonResponse {
    return {
      userid: r.userid,
      name: r.name,
      title: r.title,
      active: r.active,
      roles: ALL_ROLES.filter((role) => r.roles.includes(role)),
      units: r.units,
      synced: r.synced,
      configuredAdmin: this.config.auth.adminUserids.includes(r.userid),
      receiverByAdmin: r.receiverByAdmin,
    };
  }
}

/**
 * ADMIN_USERIDS at every boot of the api, the worker and the standalone process (issue 13.1).
 * Several replicas booting at once grant and audit it once (PeopleAdminRepository).
 */
@Injectable()
export class ConfiguredAdminsBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger('ConfiguredAdmins');

  constructor(
    private readonly repo: PeopleAdminRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const userids = this.config.auth.adminUserids;
    if (userids.length === 0) return;
    const granted = await this.repo.grantConfiguredAdmins(userids, this.clock.now());
    if (granted.length) this.logger.log(`ADMIN_USERIDS: admin role granted to ${granted.join(', ')}`);
  }
}

function validChain(chain: unknown): string {
  if (typeof chain !== 'string' || !(CHAINS as readonly string[]).includes(chain)) {
    throw new DomainError(
      'VALIDATION',
      '派单链须为 A（钉钉派单）、B（政府渠道，经办公室审核）或 direct（直接办理）。',
      'chain',
    );
  }
  return chain;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}
