import type { TicketScope } from '@hotline/db';
import { DomainError, type Role } from '@hotline/workflow';

// The one home of "which role may do what" outside the workflow (STYLE habit 3). Every service
// method asks `requireAccess(user, permission)` or `can(user, permission)`; no service lists
// roles itself. Who may take a workflow action on a ticket *now* (accept, approve, return …) is
// not here: that is the transition rows of libs/workflow/src/actions, asked through
// `allowedActions` / `decide`.

/** The people who can see a person's caller data and every ticket: the ops department (运营服务部). */
export const OPS_ROLES = ['dispatcher', 'ops_head'] as const satisfies readonly Role[];
/**
 * The company-level roles (运营服务部, 管理员, 公司办公室): they see a confidential ticket's caller
 * (R-19, 保密件 are hidden from the handling units only).
 */
export const OFFICE_ROLES = [...OPS_ROLES, 'admin', 'office_reviewer'] as const satisfies readonly Role[];
/** The people of a handling unit (承办单位): they see their own units' tickets. */
export const UNIT_ROLES = ['receiver', 'unit_leader'] as const satisfies readonly Role[];

const ADMIN = ['admin'] as const satisfies readonly Role[];
const DISPATCHER = ['dispatcher'] as const satisfies readonly Role[];

const ADMIN_ONLY = '只有管理员可以执行此操作。';
const NO_TICKET_ROLE = '您的账号没有可查看工单的角色，请联系管理员。';

interface Rule {
  roles: readonly Role[];
  /** The 403's message when refused (Chinese, names the rule). */
  refusal: string;
  /** Why (requirement / article), shown in the test table. */
  rule: string;
}

/**
 * Named permissions × the roles granted them. The spec (`access.spec.ts`) prints this table
 * against every role; change a grant here and nowhere else.
 */
export const PERMISSIONS = {
  // who sees which tickets (the list, the detail, attachments, the ledger, notices).
  'tickets.view_all': { roles: [...OPS_ROLES, 'admin'], refusal: NO_TICKET_ROLE, rule: 'R-19' },
  'tickets.view_chain_b': { roles: ['office_reviewer'], refusal: NO_TICKET_ROLE, rule: 'R-4, R-19' },
  'tickets.view_own_units': { roles: UNIT_ROLES, refusal: NO_TICKET_ROLE, rule: 'R-19' },
  // the dispatcher registers tickets (and is the only possible initiator of an intake key).
  'tickets.register': { roles: DISPATCHER, refusal: '只有派单员可以登记工单。', rule: 'R-7' },
  'tickets.attach_any': {
    roles: DISPATCHER,
    refusal: '只有当前可以办理本工单的人员或派单员可以添加附件。',
    rule: 'R-7',
  },
  // a confidential ticket's caller is hidden from the handling units entirely.
  'caller.see_confidential': { roles: OFFICE_ROLES, refusal: NO_TICKET_ROLE, rule: 'R-19' },
  // the clear caller data, each with its basis (caller-reveal-basis.ts adds the ticket's state).
  'caller.reveal': { roles: DISPATCHER, refusal: '您的工作不需要查看该来电人的信息（R-19）。', rule: 'R-19' },
  'caller.reveal_follow_up': {
    roles: ['ops_head'],
    refusal: '您的工作不需要查看该来电人的信息（R-19）。',
    rule: 'R-19, X-5',
  },
  'caller.reveal_open_assignment': {
    roles: UNIT_ROLES,
    refusal: '您的工作不需要查看该来电人的信息（R-19）。',
    rule: 'R-19',
  },
  'caller.reveal_log': { roles: ADMIN, refusal: '只有管理员可以查看查阅记录。', rule: 'R-19' },
  // answering the callers joined by a merge.
  'callers.answer': { roles: OPS_ROLES, refusal: '只有运营服务部可以答复并单的来电人。', rule: 'X-6, R-13' },
  // the intake desk's repeat panel and the upstream import are the dispatcher's.
  'intake.repeats': { roles: DISPATCHER, refusal: '只有派单员可以查看重复来电。', rule: 'X-6' },
  'intake.upstream_import': { roles: DISPATCHER, refusal: '只有派单员可以导入上级转办事项。', rule: 'X-3' },
  'kb.edit': { roles: OPS_ROLES, refusal: '只有派单员和运营服务部负责人可以编辑办事指南。', rule: 'X-7' },
  'routing_rules.view': {
    roles: [...ADMIN, ...OPS_ROLES],
    refusal: '派单规则仅供管理员和运营服务部查看。',
    rule: 'X-8',
  },
  'deadlines.preview': { roles: OPS_ROLES, refusal: '只有运营服务部可以预览期限。', rule: 'X-1' },
  'time_limits.view': {
    roles: [...ADMIN, ...OPS_ROLES],
    refusal: '只有运营服务部和管理员可以查看时限设置。',
    rule: 'X-1',
  },
  // the follow-up call queue.
  'follow_up.work': { roles: OPS_ROLES, refusal: '只有运营服务部可以执行此操作。', rule: 'X-5' },
  // the figures, the ledger's export and its record.
  'figures.view': {
    roles: [...OPS_ROLES, 'admin', 'office_reviewer', 'unit_leader'],
    refusal: '统计数据仅供运营服务部、管理员、公司办公室和部门领导查看。',
    rule: 'R-18, X-10',
  },
  'ledger.export': {
    roles: [...OPS_ROLES, 'admin', 'unit_leader'],
    refusal: '台账导出仅限运营服务部、管理员和部门领导。',
    rule: 'R-15',
  },
  'ledger.exports_view': {
    roles: [...OPS_ROLES, 'admin'],
    refusal: '导出记录仅供运营服务部和管理员查看。',
    rule: 'R-15',
  },
  // R-16: the case library; unit people see their own units' cases.
  'case_files.view_all': { roles: OFFICE_ROLES, refusal: '您的账号没有可查看案例档案的角色。', rule: 'R-16, R-19' },
  'case_files.view_own_units': { roles: UNIT_ROLES, refusal: '您的账号没有可查看案例档案的角色。', rule: 'R-16, R-19' },
  // Issue 13.3 and the admin page: configuration, each audited by its service.
  'admin.people': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'issue 13.3' },
  'admin.dingtalk': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'R-5' },
  'admin.calendar': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'X-2' },
  'admin.time_limits': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'X-1' },
  'admin.routing_rules': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'X-8' },
  'admin.intake_keys': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'X-3' },
  'admin.retention': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'R-19' },
  'admin.health_details': { roles: ADMIN, refusal: ADMIN_ONLY, rule: 'issue 13.3' },
} as const satisfies Record<string, Rule>;

export type Permission = keyof typeof PERMISSIONS;

/** Only the roles matter here; a person row, a session's user or a workflow actor will do. */
export interface RoleHolder {
  roles: readonly string[];
}

export function can(user: RoleHolder, permission: Permission): boolean {
  const granted: readonly string[] = PERMISSIONS[permission].roles;
  return user.roles.some((r) => granted.includes(r));
}

/** Every service method's first line (STYLE habit 3): a 403 with the rule's message when refused. */
export function requireAccess(user: RoleHolder, permission: Permission): void {
  if (!can(user, permission)) refuse(permission);
}

/** The 403 of a permission, for a check that combines it with the ticket's facts. */
export function refuse(permission: Permission): never {
  throw new DomainError('FORBIDDEN', PERMISSIONS[permission].refusal);
}

/** A person with no role at all (a newcomer before the admin or the org sync grants one). */
export function requireSomeRole(user: RoleHolder): void {
  if (user.roles.length === 0) throw new DomainError('FORBIDDEN', '您的账号还没有角色，请联系管理员。');
}

/**
 * the tickets a person may see, as the repositories' scope: the ops department and the
 * admin all; the office chain B; unit people their units' tickets; anyone else none (null).
 */
export function scopeFor(user: RoleHolder & { unitCodes: readonly string[] }): TicketScope | null {
  if (can(user, 'tickets.view_all')) return { kind: 'all' };
  if (can(user, 'tickets.view_chain_b')) return { kind: 'chain', chain: 'B' };
  if (can(user, 'tickets.view_own_units') && user.unitCodes.length > 0) {
    return { kind: 'units', unitCodes: [...user.unitCodes] };
  }
  return null;
}

/** `scopeFor`, refusing a person who sees no ticket at all. */
export function requireScope(user: RoleHolder & { unitCodes: readonly string[] }): TicketScope {
  const scope = scopeFor(user);
  if (!scope) throw new DomainError('FORBIDDEN', NO_TICKET_ROLE);
  return scope;
}
