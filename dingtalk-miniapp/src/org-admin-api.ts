// Issue 13.3: the admin's calls for people and roles, units, sources and categories.
import { apiRequest as request } from './api-client';

export type RoleName = 'dispatcher' | 'ops_head' | 'office_reviewer' | 'admin' | 'receiver' | 'unit_leader';

export interface RoleInfo {
  role: RoleName;
  label: string;
  /** dingtalk: set by the org sync; admin: granted on this page. */
  source: 'dingtalk' | 'admin';
  note: string;
}

export interface AdminPerson {
  userid: string;
  name: string;
  title: string | null;
  active: boolean;
  roles: RoleName[];
  units: Array<{ code: string; name: string; isLeader: boolean }>;
  synced: boolean;
  configuredAdmin: boolean;
  receiverByAdmin: boolean;
}

export interface RoleChange {
  id: number;
  at: string;
  changedBy: string | null;
  changedByName: string | null;
  via: 'admin' | 'setting' | 'org_sync';
  userid: string;
  name: string | null;
  before: RoleName[];
  after: RoleName[];
}

export type UnitKind = 'ops' | 'office' | 'branch' | 'department';

export interface AdminUnit {
  code: string;
  name: string;
  kind: UnitKind;
  kindLabel: string;
  dingtalkDeptId: number | null;
  dingtalkName: string | null;
  renamed: boolean;
  active: boolean;
  deactivatedBy: 'admin' | 'sync' | null;
  members: number;
}

export interface AdminSource {
  code: string;
  name: string;
  chain: 'A' | 'B' | 'direct';
  active: boolean;
}

export interface AdminCategory {
  code: string;
  name: string;
  active: boolean;
}

function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const orgAdminApi = {
  roles: () => request<RoleInfo[]>('GET', '/api/admin/roles'),
  people: (q: { q?: string; role?: string; unit?: string; cursor?: string }) =>
    request<{ items: AdminPerson[]; nextCursor: string | null }>(
      'GET',
      `/api/admin/people${query({ ...q, limit: 30 })}`,
    ),
  setRoles: (userid: string, roles: RoleName[]) =>
    request<AdminPerson>('PUT', `/api/admin/people/${encodeURIComponent(userid)}/roles`, { body: { roles } }),
  roleChanges: (userid?: string) =>
    request<{ items: RoleChange[]; nextBefore: number | null }>(
      'GET',
      `/api/admin/role-changes${query({ userid, limit: 20 })}`,
    ),
  units: () => request<AdminUnit[]>('GET', '/api/admin/units'),
  updateUnit: (code: string, patch: Partial<Pick<AdminUnit, 'name' | 'kind' | 'dingtalkDeptId' | 'active'>>) =>
    request<AdminUnit>('PATCH', `/api/admin/units/${encodeURIComponent(code)}`, { body: patch }),
  sources: () => request<AdminSource[]>('GET', '/api/admin/sources'),
  createSource: (s: Omit<AdminSource, 'active'>) => request<AdminSource>('POST', '/api/admin/sources', { body: s }),
  updateSource: (code: string, patch: Partial<Omit<AdminSource, 'code'>>) =>
    request<AdminSource>('PATCH', `/api/admin/sources/${encodeURIComponent(code)}`, { body: patch }),
  categories: () => request<AdminCategory[]>('GET', '/api/admin/categories'),
  createCategory: (c: Omit<AdminCategory, 'active'>) =>
    request<AdminCategory>('POST', '/api/admin/categories', { body: c }),
  updateCategory: (code: string, patch: Partial<Omit<AdminCategory, 'code'>>) =>
    request<AdminCategory>('PATCH', `/api/admin/categories/${encodeURIComponent(code)}`, { body: patch }),
};

export const CHAIN_LABEL: Record<AdminSource['chain'], string> = {
  A: 'A 链（钉钉派单）',
  B: 'B 链（政府渠道，办公室审核）',
  direct: '直接办理',
};

export const UNIT_KIND_LABEL: Record<UnitKind, string> = {
  ops: '运营服务部',
  office: '公司办公室',
  branch: '分公司',
  department: '其他部门',
};

export const CHANGE_VIA: Record<RoleChange['via'], string> = {
  admin: '管理员',
  setting: '设置 ADMIN_USERIDS',
  org_sync: '钉钉同步',
};
