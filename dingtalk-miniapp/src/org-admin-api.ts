// Issue 13.3: the admin's calls for people and roles, units, sources and categories.
import { apiRequest as request } from './api-client';
import type * as api from './api/schema';

// Shapes generated from the API's OpenAPI document (src/api/schema.ts, issue 14.5).
export type RoleName = api.RoleName;
export type RoleInfo = api.RoleInfoResponseDto;
export type AdminPerson = api.AdminPersonResponseDto;
export type RoleChange = api.RoleChangeResponseDto;
export type UnitKind = api.UnitKind;
export type AdminUnit = api.AdminUnitResponseDto;
/** A unit as PATCH /api/admin/units/:code answers: without the list's kindLabel and renamed. */
export type AdminUnitRow = api.AdminUnitRowResponseDto;
export type AdminSource = api.AdminSourceResponseDto;
export type AdminCategory = api.AdminCategoryResponseDto;

function query(q: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const orgAdminApi = {
  roles: () => request<RoleInfo[]>('GET', '/api/admin/roles'),
  people: (q: { q?: string; role?: string; unit?: string; cursor?: string }) =>
    request<api.AdminPeoplePageResponseDto>('GET', `/api/admin/people${query({ ...q, limit: 30 })}`),
  setRoles: (userid: string, roles: RoleName[]) =>
    request<AdminPerson>('PUT', `/api/admin/people/${encodeURIComponent(userid)}/roles`, {
      body: { roles } satisfies api.SetRolesDto,
    }),
  roleChanges: (userid?: string) =>
    request<api.RoleChangePageResponseDto>('GET', `/api/admin/role-changes${query({ userid, limit: 20 })}`),
  units: () => request<AdminUnit[]>('GET', '/api/admin/units'),
  updateUnit: (code: string, patch: api.UnitPatchDto) =>
    request<AdminUnitRow>('PATCH', `/api/admin/units/${encodeURIComponent(code)}`, { body: patch }),
  sources: () => request<AdminSource[]>('GET', '/api/admin/sources'),
  createSource: (s: api.NewSourceDto) => request<AdminSource>('POST', '/api/admin/sources', { body: s }),
  updateSource: (code: string, patch: api.SourcePatchDto) =>
    request<AdminSource>('PATCH', `/api/admin/sources/${encodeURIComponent(code)}`, { body: patch }),
  categories: () => request<AdminCategory[]>('GET', '/api/admin/categories'),
  createCategory: (c: api.NewCategoryDto) => request<AdminCategory>('POST', '/api/admin/categories', { body: c }),
  updateCategory: (code: string, patch: api.CategoryPatchDto) =>
    request<AdminCategory>('PATCH', `/api/admin/categories/${encodeURIComponent(code)}`, { body: patch }),
};

export const CHAIN_LABEL: Record<api.NewSourceDto['chain'], string> = {
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
