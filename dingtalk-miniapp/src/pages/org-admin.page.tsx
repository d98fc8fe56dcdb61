// Issue 13.3, admin only: 人员与角色 (roles, which come from DingTalk, the audit trail),
// 单位 (which DingTalk department is which unit and of what kind, rename, activate) and
// 来源与类型 (sources with their chain, categories). Every change is audited by the API.
import { useCallback, useEffect, useState } from 'react';
import { Button, Checkbox, ErrorBlock, Input, Popup, SearchBar, Selector, Switch, Tabs, Tag, Toast } from 'antd-mobile';
import { adminError } from '../admin-api';
import { useApp } from '../app-context';
import { Panel, useLoad } from '../components/panel';
import {
  CHAIN_LABEL,
  CHANGE_VIA,
  UNIT_KIND_LABEL,
  orgAdminApi,
  type AdminCategory,
  type AdminPerson,
  type AdminSource,
  type AdminUnit,
  type AdminUnitRow,
  type RoleChange,
  type RoleInfo,
  type RoleName,
  type UnitKind,
} from '../org-admin-api';
import { navigate } from '../router';
import { formatTime } from '../time';
import './admin.page.css';
import './org-admin.page.css';

export type OrgAdminTab = 'people' | 'units' | 'reference';

export const ORG_ADMIN_TITLES: Record<OrgAdminTab, string> = {
  people: '人员与角色',
  units: '单位',
  reference: '来源与类型',
};

export function OrgAdminPage({ tab }: { tab: OrgAdminTab }) {
  const { session } = useApp();
  if (!session.user.roles.includes('admin')) {
    return <ErrorBlock status="disconnected" title="仅系统管理员可使用此页面" description="" />;
  }
  return (
    <div className="org-admin">
      <Tabs activeKey={tab} onChange={(key) => navigate(`/admin/${key}`)} className="org-admin-tabs">
        {(Object.keys(ORG_ADMIN_TITLES) as OrgAdminTab[]).map((k) => (
          <Tabs.Tab key={k} title={ORG_ADMIN_TITLES[k]} />
        ))}
      </Tabs>
      {tab === 'people' ? <PeopleTab /> : tab === 'units' ? <UnitsTab /> : <ReferenceTab />}
    </div>
  );
}

const roleLabel = (roles: RoleInfo[] | undefined, r: string) => roles?.find((x) => x.role === r)?.label ?? r;
const rolesText = (roles: RoleInfo[] | undefined, list: string[]) =>
  list.length ? list.map((r) => roleLabel(roles, r)).join('、') : '无';

// ---- 人员与角色 -------------------------------------------------------------------------------------

function PeopleTab() {
  const { data: roles } = useLoad(orgAdminApi.roles);
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState({ q: '', role: '' });
  const [items, setItems] = useState<AdminPerson[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<AdminPerson | null>(null);
  const [recentKey, setRecentKey] = useState(0);

  const fetchPage = useCallback(
    async (after?: string) => {
      setError(null);
      try {
        const page = await orgAdminApi.people({ q: applied.q, role: applied.role || undefined, cursor: after });
        setItems((list) => (after ? [...(list ?? []), ...page.items] : page.items));
        setCursor(page.nextCursor);
      } catch (e) {
        setError(adminError(e));
      }
    },
    [applied],
  );
  useEffect(() => {
    void fetchPage();
  }, [fetchPage]);
  const role = applied.role;

  const fromDingTalk = (roles ?? []).filter((r) => r.source === 'dingtalk');
  return (
    <div className="admin org-admin-single">
      <Panel
        title="人员与角色"
        id="admin-people"
        error={error}
        loading={items === undefined}
        onRetry={() => void fetchPage()}
      >
        <div className="people-filters">
          <SearchBar
            placeholder="姓名或 userid"
            value={q}
            onChange={setQ}
            onSearch={(v) => setApplied((a) => ({ ...a, q: v.trim() }))}
            onClear={() => setApplied((a) => ({ ...a, q: '' }))}
            className="people-search"
          />
          <Selector
            className="people-role-filter"
            columns={3}
            value={role ? [role] : []}
            onChange={(v) => setApplied((a) => ({ ...a, role: v[0] ?? '' }))}
            options={(roles ?? []).map((r) => ({ label: r.label, value: r.role }))}
          />
        </div>
        {fromDingTalk.length > 0 && (
          <p className="muted small role-legend">
            <Tag color="primary" fill="outline">
              钉钉
            </Tag>{' '}
            {fromDingTalk.map((r) => `${r.label}：${r.note}`).join('；')}。其余角色由管理员在此授予，同步不会撤销。
          </p>
        )}
        {items && items.length === 0 && <p className="muted admin-empty">没有符合条件的人员。</p>}
        <ul className="admin-rows people-rows">
          {(items ?? []).map((p) => (
            <li key={p.userid} className="person-row" data-userid={p.userid}>
              <div className="grow">
                <div className="row-title">
                  {p.name} <span className="muted mono small">{p.userid}</span>
                  {!p.active && (
                    <Tag color="default" className="person-flag">
                      已停用
                    </Tag>
                  )}
                  {!p.synced && (
                    <Tag color="warning" fill="outline" className="person-flag">
                      未同步
                    </Tag>
                  )}
                </div>
                <div className="small muted">
                  {p.title ? `${p.title} · ` : ''}
                  {p.units.length
                    ? p.units.map((u) => `${u.name}${u.isLeader ? '（负责人）' : ''}`).join('、')
                    : '不属于任何单位'}
                </div>
                <div className="person-roles">
                  {p.roles.length === 0 && <span className="muted small">无角色</span>}
                  {p.roles.map((r) => (
                    <Tag key={r} color={r === 'admin' ? 'danger' : 'primary'} fill="outline">
                      {roleLabel(roles, r)}
                      {roles?.find((x) => x.role === r)?.source === 'dingtalk' ? ' · 钉钉' : ''}
                      {r === 'admin' && p.configuredAdmin ? ' · 设置' : ''}
                    </Tag>
                  ))}
                </div>
              </div>
              <Button size="small" color="primary" fill="outline" onClick={() => setEditing(p)}>
                设置角色
              </Button>
            </li>
          ))}
        </ul>
        {cursor && (
          <div className="admin-actions">
            <Button block onClick={() => void fetchPage(cursor)}>
              加载更多
            </Button>
          </div>
        )}
      </Panel>
      <RecentRoleChanges key={recentKey} roles={roles} />
      {editing && roles && (
        <RolesPopup
          person={editing}
          roles={roles}
          onClose={() => setEditing(null)}
          onSaved={(p) => {
            setItems((list) => list?.map((x) => (x.userid === p.userid ? p : x)));
            setEditing(null);
            setRecentKey((k) => k + 1);
          }}
        />
      )}
    </div>
  );
}

function RolesPopup({
  person,
  roles,
  onClose,
  onSaved,
}: {
  person: AdminPerson;
  roles: RoleInfo[];
  onClose: () => void;
  onSaved: (p: AdminPerson) => void;
}) {
  const [value, setValue] = useState<RoleName[]>(person.roles);
  const [busy, setBusy] = useState(false);
  const loadTrail = useCallback(() => orgAdminApi.roleChanges(person.userid), [person.userid]);
  const { data: trail } = useLoad(loadTrail);
  const save = async () => {
    setBusy(true);
    try {
      const p = await orgAdminApi.setRoles(person.userid, value);
      Toast.show({ icon: 'success', content: `已保存 ${p.name} 的角色` });
      onSaved(p);
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible onMaskClick={busy ? undefined : onClose} position="bottom" className="roles-popup" destroyOnClose>
      <div className="roles-popup-body">
        <h3>
          {person.name} <span className="muted mono small">{person.userid}</span>
        </h3>
        <Checkbox.Group value={value} onChange={(v) => setValue(v as RoleName[])}>
          <ul className="role-choices">
            {roles.map((r) => {
              const locked = r.role === 'unit_leader' || (r.role === 'admin' && person.configuredAdmin);
              return (
                <li key={r.role}>
                  <Checkbox value={r.role} disabled={locked} className="role-choice">
                    <span className="role-choice-label">{r.label}</span>
                    {r.source === 'dingtalk' && (
                      <Tag color="primary" fill="outline">
                        来自钉钉
                      </Tag>
                    )}
                  </Checkbox>
                  <div className="muted small role-note">
                    {r.role === 'admin' && person.configuredAdmin
                      ? '由设置 ADMIN_USERIDS 指定，需修改设置才能移除'
                      : r.role === 'unit_leader'
                        ? '在钉钉通讯录中设置部门主管，同步后生效'
                        : r.note}
                  </div>
                </li>
              );
            })}
          </ul>
        </Checkbox.Group>
        <div className="admin-actions">
          <Button color="primary" loading={busy} disabled={busy} onClick={() => void save()}>
            保存
          </Button>
          <Button disabled={busy} onClick={onClose}>
            取消
          </Button>
        </div>
        <h4>变更记录</h4>
        <RoleChangeList items={trail?.items} roles={roles} showPerson={false} />
      </div>
    </Popup>
  );
}

function RecentRoleChanges({ roles }: { roles: RoleInfo[] | undefined }) {
  const load = useCallback(() => orgAdminApi.roleChanges(), []);
  const { data, error, reload } = useLoad(load);
  return (
    <Panel title="最近的角色变更" id="admin-role-changes" error={error} loading={!data} onRetry={() => void reload()}>
      <RoleChangeList items={data?.items} roles={roles} showPerson />
    </Panel>
  );
}

function RoleChangeList({
  items,
  roles,
  showPerson,
}: {
  items: RoleChange[] | undefined;
  roles: RoleInfo[] | undefined;
  showPerson: boolean;
}) {
  if (!items) return null;
  if (items.length === 0) return <p className="muted admin-empty">还没有角色变更。</p>;
  return (
    <ul className="admin-rows role-changes">
      {items.map((c) => (
        <li key={c.id} className="role-change">
          <div className="grow">
            <div>
              {showPerson && <strong>{c.name ?? c.userid} </strong>}
              {rolesText(roles, c.before)} → {rolesText(roles, c.after)}
            </div>
            <div className="muted small">
              {formatTime(c.at)} ·{' '}
              {c.via === 'admin' ? `${c.changedByName ?? c.changedBy}（管理员）` : CHANGE_VIA[c.via]}
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

// ---- 单位 ----------------------------------------------------------------------------------------------

const KIND_OPTIONS = (Object.keys(UNIT_KIND_LABEL) as UnitKind[]).map((k) => ({ label: UNIT_KIND_LABEL[k], value: k }));

function UnitsTab() {
  const { data, setData, error, reload } = useLoad(orgAdminApi.units);
  const [editing, setEditing] = useState<AdminUnit | null>(null);
  return (
    <div className="admin org-admin-single">
      <Panel title="单位" id="admin-units" error={error} loading={!data} onRetry={() => void reload()}>
        <p className="muted small">
          钉钉的每个部门同步为一个单位（新部门按名称暂定为分公司或其他部门）。请指定哪个是运营服务部、哪个是公司办公室；改名和停用不会被同步覆盖。
        </p>
        <ul className="admin-rows unit-rows">
          {(data ?? []).map((u) => (
            <li key={u.code} className="unit-row" data-code={u.code}>
              <div className="grow">
                <div className="row-title">
                  {u.name} <span className="muted mono small">{u.code}</span>{' '}
                  <Tag color={u.kind === 'ops' || u.kind === 'office' ? 'primary' : 'default'} fill="outline">
                    {UNIT_KIND_LABEL[u.kind]}
                  </Tag>
                  {!u.active && (
                    <Tag color="default" className="person-flag">
                      {u.deactivatedBy === 'sync' ? '钉钉已删除' : '已停用'}
                    </Tag>
                  )}
                </div>
                <div className="small muted">
                  {u.dingtalkDeptId !== null ? `钉钉部门 ${u.dingtalkDeptId}` : '未对应钉钉部门'}
                  {u.renamed && u.dingtalkName ? `（钉钉名称：${u.dingtalkName}）` : ''} · 在职 {u.members} 人
                </div>
              </div>
              <Button size="small" color="primary" fill="outline" onClick={() => setEditing(u)}>
                编辑
              </Button>
            </li>
          ))}
        </ul>
      </Panel>
      {editing && (
        <UnitPopup
          unit={editing}
          onClose={() => setEditing(null)}
          onSaved={(u) => {
            setData((list) => list?.map((x) => (x.code === u.code ? { ...x, ...u } : x)));
            setEditing(null);
            void reload();
          }}
        />
      )}
    </div>
  );
}

function UnitPopup({
  unit,
  onClose,
  onSaved,
}: {
  unit: AdminUnit;
  onClose: () => void;
  onSaved: (u: AdminUnitRow) => void;
}) {
  const [name, setName] = useState(unit.name);
  const [kind, setKind] = useState<UnitKind>(unit.kind);
  const [dept, setDept] = useState(unit.dingtalkDeptId === null ? '' : String(unit.dingtalkDeptId));
  const [active, setActive] = useState(unit.active);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      const u = await orgAdminApi.updateUnit(unit.code, {
        name: name.trim(),
        kind,
        dingtalkDeptId: dept.trim() === '' ? null : Number(dept),
        active,
      });
      Toast.show({ icon: 'success', content: '单位已保存' });
      onSaved(u);
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible onMaskClick={busy ? undefined : onClose} position="bottom" className="roles-popup" destroyOnClose>
      <div className="roles-popup-body unit-form">
        <h3>
          编辑单位 <span className="muted mono small">{unit.code}</span>
        </h3>
        <label className="form-label">名称</label>
        <div className="admin-form-row">
          <Input value={name} onChange={setName} aria-label="单位名称" />
        </div>
        <label className="form-label">类别</label>
        <Selector columns={2} value={[kind]} onChange={(v) => v[0] && setKind(v[0])} options={KIND_OPTIONS} />
        <label className="form-label">钉钉部门编号</label>
        <div className="admin-form-row">
          <Input
            value={dept}
            onChange={setDept}
            inputMode="numeric"
            placeholder="留空表示不对应"
            aria-label="钉钉部门编号"
          />
        </div>
        <div className="admin-form-row">
          <span className="grow">在用（停用后不能再派单给该单位）</span>
          <Switch checked={active} onChange={setActive} aria-label="在用" />
        </div>
        <div className="admin-actions">
          <Button color="primary" loading={busy} disabled={busy} onClick={() => void save()}>
            保存
          </Button>
          <Button disabled={busy} onClick={onClose}>
            取消
          </Button>
        </div>
      </div>
    </Popup>
  );
}

// ---- 来源与类型 ----------------------------------------------------------------------------------------

const CHAIN_OPTIONS = (Object.keys(CHAIN_LABEL) as AdminSource['chain'][]).map((c) => ({
  label: CHAIN_LABEL[c],
  value: c,
}));

function ReferenceTab() {
  return (
    <div className="admin">
      <SourcesPanel />
      <CategoriesPanel />
    </div>
  );
}

function SourcesPanel() {
  const { data, setData, error, reload } = useLoad(orgAdminApi.sources);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [chain, setChain] = useState<AdminSource['chain']>('A');
  const [editing, setEditing] = useState<AdminSource | null>(null);
  const [busy, setBusy] = useState(false);
  const add = async () => {
    setBusy(true);
    try {
      const s = await orgAdminApi.createSource({ code: code.trim(), name: name.trim(), chain });
      setData((list) => [...(list ?? []), s]);
      setCode('');
      setName('');
      Toast.show({ icon: 'success', content: `已新增来源“${s.name}”` });
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="来源" id="admin-sources" error={error} loading={!data} onRetry={() => void reload()}>
      <p className="muted small">
        来源决定派单链（R-8）。停用的来源不能用于新登记，已有工单不受影响；改派单链只影响新工单。
      </p>
      <ul className="admin-rows ref-rows">
        {(data ?? []).map((s) => (
          <li key={s.code} className="ref-row" data-code={s.code}>
            <div className="grow">
              <div className="row-title">
                {s.name} <span className="muted mono small">{s.code}</span>
                {!s.active && (
                  <Tag color="default" className="person-flag">
                    已停用
                  </Tag>
                )}
              </div>
              <div className="small muted">{CHAIN_LABEL[s.chain]}</div>
            </div>
            <Button size="small" color="primary" fill="outline" onClick={() => setEditing(s)}>
              编辑
            </Button>
          </li>
        ))}
      </ul>
      <h4>新增来源</h4>
      <div className="admin-form-row wrap">
        <Input value={code} onChange={setCode} placeholder="代码，如 metro_hotline" aria-label="来源代码" />
        <Input value={name} onChange={setName} placeholder="名称" aria-label="来源名称" />
      </div>
      <Selector columns={3} value={[chain]} onChange={(v) => v[0] && setChain(v[0])} options={CHAIN_OPTIONS} />
      <div className="admin-actions">
        <Button
          color="primary"
          loading={busy}
          disabled={busy || !code.trim() || !name.trim()}
          onClick={() => void add()}
        >
          新增来源
        </Button>
      </div>
      {editing && (
        <ReferencePopup
          title="编辑来源"
          item={editing}
          chain={editing.chain}
          onClose={() => setEditing(null)}
          onSave={async (patch) => {
            const s = await orgAdminApi.updateSource(editing.code, patch);
            setData((list) => list?.map((x) => (x.code === s.code ? s : x)));
          }}
        />
      )}
    </Panel>
  );
}

function CategoriesPanel() {
  const { data, setData, error, reload } = useLoad(orgAdminApi.categories);
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [editing, setEditing] = useState<AdminCategory | null>(null);
  const [busy, setBusy] = useState(false);
  const add = async () => {
    setBusy(true);
    try {
      const c = await orgAdminApi.createCategory({ code: code.trim(), name: name.trim() });
      setData((list) => [...(list ?? []), c]);
      setCode('');
      setName('');
      Toast.show({ icon: 'success', content: `已新增事项类型“${c.name}”` });
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="事项类型" id="admin-categories" error={error} loading={!data} onRetry={() => void reload()}>
      <ul className="admin-rows ref-rows">
        {(data ?? []).map((c) => (
          <li key={c.code} className="ref-row" data-code={c.code}>
            <div className="grow">
              <div className="row-title">
                {c.name} <span className="muted mono small">{c.code}</span>
                {!c.active && (
                  <Tag color="default" className="person-flag">
                    已停用
                  </Tag>
                )}
              </div>
            </div>
            <Button size="small" color="primary" fill="outline" onClick={() => setEditing(c)}>
              编辑
            </Button>
          </li>
        ))}
      </ul>
      <h4>新增事项类型</h4>
      <div className="admin-form-row wrap">
        <Input value={code} onChange={setCode} placeholder="代码，如 lost_item" aria-label="事项类型代码" />
        <Input value={name} onChange={setName} placeholder="名称" aria-label="事项类型名称" />
      </div>
      <div className="admin-actions">
        <Button
          color="primary"
          loading={busy}
          disabled={busy || !code.trim() || !name.trim()}
          onClick={() => void add()}
        >
          新增事项类型
        </Button>
      </div>
      {editing && (
        <ReferencePopup
          title="编辑事项类型"
          item={editing}
          onClose={() => setEditing(null)}
          onSave={async (patch) => {
            const c = await orgAdminApi.updateCategory(editing.code, { name: patch.name, active: patch.active });
            setData((list) => list?.map((x) => (x.code === c.code ? c : x)));
          }}
        />
      )}
    </Panel>
  );
}

function ReferencePopup({
  title,
  item,
  chain: initialChain,
  onClose,
  onSave,
}: {
  title: string;
  item: { code: string; name: string; active: boolean };
  chain?: AdminSource['chain'];
  onClose: () => void;
  onSave: (patch: { name: string; active: boolean; chain?: AdminSource['chain'] }) => Promise<void>;
}) {
  const [name, setName] = useState(item.name);
  const [active, setActive] = useState(item.active);
  const [chain, setChain] = useState(initialChain);
  const [busy, setBusy] = useState(false);
  const save = async () => {
    setBusy(true);
    try {
      await onSave({ name: name.trim(), active, ...(chain ? { chain } : {}) });
      Toast.show({ icon: 'success', content: '已保存' });
      onClose();
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible onMaskClick={busy ? undefined : onClose} position="bottom" className="roles-popup" destroyOnClose>
      <div className="roles-popup-body">
        <h3>
          {title} <span className="muted mono small">{item.code}</span>
        </h3>
        <label className="form-label">名称</label>
        <div className="admin-form-row">
          <Input value={name} onChange={setName} aria-label="名称" />
        </div>
        {chain && (
          <>
            <label className="form-label">派单链</label>
            <Selector columns={3} value={[chain]} onChange={(v) => v[0] && setChain(v[0])} options={CHAIN_OPTIONS} />
          </>
        )}
        <div className="admin-form-row">
          <span className="grow">在用（停用后不能用于新登记）</span>
          <Switch checked={active} onChange={setActive} aria-label="在用" />
        </div>
        <div className="admin-actions">
          <Button color="primary" loading={busy} disabled={busy} onClick={() => void save()}>
            保存
          </Button>
          <Button disabled={busy} onClick={onClose}>
            取消
          </Button>
        </div>
      </div>
    </Popup>
  );
}
