// 线路与车辆: routes, stops and vehicles as the intake desk looks them up (searchable; the
// API answers the first 20 routes or vehicles and 50 stops that match), the admin's import of each
// from an .xlsx or CSV file (all rows or none: a refused file lists every bad row), and the
// category/keyword → unit routing rules (read by the ops department, replaced by the admin).
import { useCallback, useEffect, useState } from 'react';
import { Button, Dialog, SearchBar, Skeleton, Tabs, Tag, Toast } from 'antd-mobile';
import { nameOf, useApp } from '../app-context';
import {
  errorField,
  intakeAdminApi,
  intakeError,
  type RoutingRule,
  type TransitImportReport,
  type TransitKind,
  type TransitRoute,
  type TransitStop,
  type TransitVehicle,
} from '../intake-admin-api';
import { FilePick, Panel, RowErrors, useLoad } from '../components/panel';
import { IMPORT_CANCELLED_TEXT, ImportProgressLine, useImportProgress } from '../components/import-progress';
import './admin.page.css';
import './intake-admin.css';

const KIND_NAME: Record<TransitKind, string> = { routes: '线路', stops: '站点', vehicles: '车辆' };
const HEADINGS: Record<TransitKind, string> = {
  routes: '线路编号, 线路名称, 所属分公司（上行终点、下行终点可选）',
  stops: '线路编号, 方向（上行/下行）, 序号, 站名',
  vehicles: '车牌号, 自编号, 线路编号, 所属分公司（可由线路推断）',
};
const FIELD_NAME: Record<string, string> = {
  code: '线路编号',
  name: '名称',
  branch: '所属分公司',
  route: '线路编号',
  direction: '方向',
  seq: '序号',
  plate: '车牌号',
  fleetNumber: '自编号',
};

export const seesTransit = (roles: string[]) => ['admin', 'dispatcher', 'ops_head'].some((r) => roles.includes(r));

export function TransitPage() {
  const [tab, setTab] = useState(() => sessionStorage.getItem('hotline.transitTab') ?? 'routes');
  useEffect(() => sessionStorage.setItem('hotline.transitTab', tab), [tab]);
  return (
    <div className="intake-admin transit-page">
      <Tabs activeKey={tab} onChange={setTab}>
        <Tabs.Tab title="线路" key="routes" />
        <Tabs.Tab title="站点" key="stops" />
        <Tabs.Tab title="车辆" key="vehicles" />
        <Tabs.Tab title="分派规则" key="rules" />
      </Tabs>
      <div className="intake-cards">{tab === 'rules' ? <RulesPanel /> : <KindPanels kind={tab as TransitKind} />}</div>
    </div>
  );
}

function KindPanels({ kind }: { kind: TransitKind }) {
  const { session } = useApp();
  const [version, setVersion] = useState(0);
  return (
    <>
      <LookupPanel key={`${kind}-${version}`} kind={kind} />
      {session.user.roles.includes('admin') && <ImportPanel kind={kind} onImported={() => setVersion((v) => v + 1)} />}
    </>
  );
}

function LookupPanel({ kind }: { kind: TransitKind }) {
  const [q, setQ] = useState('');
  const [route, setRoute] = useState('');
  const [rows, setRows] = useState<Array<TransitRoute | TransitStop | TransitVehicle> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    async (text: string, routeCode: string) => {
      setError(null);
      try {
        const t = text.trim() || undefined;
        setRows(
          kind === 'routes'
            ? await intakeAdminApi.routes(t)
            : kind === 'stops'
              ? await intakeAdminApi.stops(routeCode.trim() || undefined, t)
              : await intakeAdminApi.vehicles(t),
        );
      } catch (e) {
        setError(intakeError(e));
      }
    },
    [kind],
  );
  useEffect(() => {
    void load('', '');
  }, [load]);
  const limit = kind === 'stops' ? 50 : 20;
  const placeholder = kind === 'routes' ? '线路编号，如 12、K1' : kind === 'stops' ? '站名' : '车牌号';
  return (
    <Panel title={`${KIND_NAME[kind]}查询`} id={`transit-${kind}`} error={error} onRetry={() => void load(q, route)}>
      <div className="lookup-row">
        {kind === 'stops' && (
          <SearchBar
            className="route-filter"
            placeholder="线路编号"
            value={route}
            onChange={setRoute}
            onSearch={(v) => void load(q, v)}
            aria-label="线路编号"
          />
        )}
        <SearchBar
          className="grow"
          placeholder={placeholder}
          value={q}
          onChange={setQ}
          onSearch={(v) => void load(v, route)}
          onClear={() => void load('', route)}
          aria-label={`查找${KIND_NAME[kind]}`}
        />
        <Button size="small" onClick={() => void load(q, route)}>
          查找
        </Button>
      </div>
      {!rows && !error && <Skeleton.Paragraph lineCount={4} animated />}
      {rows && rows.length === 0 && <p className="muted admin-empty">没有匹配的{KIND_NAME[kind]}。</p>}
      {rows && rows.length > 0 && (
        <div className="table-scroll">
          <table className="admin-table transit-table" data-testid={`transit-${kind}-table`}>
            {kind === 'routes' && <RoutesRows rows={rows as TransitRoute[]} />}
            {kind === 'stops' && <StopsRows rows={rows as TransitStop[]} />}
            {kind === 'vehicles' && <VehiclesRows rows={rows as TransitVehicle[]} />}
          </table>
        </div>
      )}
      {rows && rows.length >= limit && <p className="muted small">只显示前 {limit} 条，请输入关键字缩小范围。</p>}
    </Panel>
  );
}

function RoutesRows({ rows }: { rows: TransitRoute[] }) {
  return (
    <>
      <thead>
        <tr>
          <th>线路</th>
          <th>名称</th>
          <th>运营分公司</th>
          <th>起讫站</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.code}>
            <td className="mono">{r.code}</td>
            <td>{r.name}</td>
            <td>{r.branchName}</td>
            <td>{[r.upTerminal, r.downTerminal].filter(Boolean).join(' — ') || '—'}</td>
          </tr>
        ))}
      </tbody>
    </>
  );
}

function StopsRows({ rows }: { rows: TransitStop[] }) {
  return (
    <>
      <thead>
        <tr>
          <th>线路</th>
          <th>方向</th>
          <th className="num">序号</th>
          <th>站名</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr key={`${s.routeCode}-${s.direction}-${s.seq}`}>
            <td className="mono">{s.routeCode}</td>
            <td>{s.direction === 'up' ? '上行' : '下行'}</td>
            <td className="num">{s.seq}</td>
            <td>{s.name}</td>
          </tr>
        ))}
      </tbody>
    </>
  );
}

function VehiclesRows({ rows }: { rows: TransitVehicle[] }) {
  return (
    <>
      <thead>
        <tr>
          <th>车牌</th>
          <th>自编号</th>
          <th>线路</th>
          <th>所属分公司</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((v) => (
          <tr key={v.plate}>
            <td className="mono">{v.plate}</td>
            <td>{v.fleetNumber ?? '—'}</td>
            <td>{v.routeCode ?? '—'}</td>
            <td>{v.branchName}</td>
          </tr>
        ))}
      </tbody>
    </>
  );
}

function ImportPanel({ kind, onImported }: { kind: TransitKind; onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<TransitImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  // Issue 19: a long file shows its upload, then rows checked and imported, and can be cancelled.
  const { progress, follow, cancel } = useImportProgress();
  const run = async (dryRun: boolean) => {
    if (!file) {
      Toast.show({ content: '请先选择文件' });
      return;
    }
    setBusy(true);
    setError(null);
    setReport(null);
    setCancelled(false);
    try {
      const answer = await follow((f) => intakeAdminApi.importTransit(kind, file, dryRun, f));
      if (answer.cancelled) {
        setCancelled(true);
        return;
      }
      const r = answer.value;
      setReport(r);
      if (!dryRun && r.imported > 0) onImported();
    } catch (e) {
      setError(intakeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={`导入${KIND_NAME[kind]}`} id={`transit-import-${kind}`}>
      <p className="muted small">
        .xlsx（第一个工作表）或 UTF-8 CSV，第一行为表头：{HEADINGS[kind]}。整批导入：任何一行有误则不导入任何数据。
        {kind === 'stops' ? '导入站点会替换所涉线路的全部站点。' : '已有的按编号更新。'}
      </p>
      <FilePick
        file={file}
        label={`${KIND_NAME[kind]}文件`}
        onFile={(f) => {
          setFile(f);
          setReport(null);
          setCancelled(false);
        }}
      />
      <div className="admin-actions">
        <Button disabled={busy || !file} onClick={() => void run(true)}>
          只检查
        </Button>
        <Button color="primary" loading={busy} disabled={busy || !file} onClick={() => void run(false)}>
          导入
        </Button>
      </div>
      {progress && <ImportProgressLine progress={progress} unit="行" onCancel={() => void cancel()} />}
      {cancelled && (
        <div className="form-note import-cancelled" role="status">
          {IMPORT_CANCELLED_TEXT}
        </div>
      )}
      {error && <div className="form-note danger import-error">{error}</div>}
      {report && (
        <div className="import-report" data-testid="import-report">
          {report.errors.length > 0 ? (
            <p className="danger">
              文件有 {report.errors.length} 处错误，未导入任何数据（共 {report.rows} 行）。请修改后重新上传。
            </p>
          ) : report.dryRun ? (
            <p className="ok">检查通过：{report.rows} 行均可导入（尚未导入）。</p>
          ) : (
            <p className="ok">
              已导入 {report.imported} 行{KIND_NAME[kind]}。
            </p>
          )}
          <RowErrors errors={report.errors} fieldName={(f) => FIELD_NAME[f] ?? f} />
        </div>
      )}
    </Panel>
  );
}

const ROLE_NAME: Record<RoutingRule['role'], string> = { sole: '独办', lead: '主办', co: '协办' };

function RulesPanel() {
  const { session, reference } = useApp();
  const admin = session.user.roles.includes('admin');
  const load = useCallback(() => intakeAdminApi.rules(), []);
  const { data, error, reload } = useLoad(load);
  const [rows, setRows] = useState<Array<RoutingRule & { keywordText: string }> | null>(null);
  const [bad, setBad] = useState<{ row: number; field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (data) setRows(data.map((r) => ({ ...r, keywordText: r.keywords.join('、') })));
  }, [data]);

  const edit = (i: number, patch: Partial<RoutingRule & { keywordText: string }>) =>
    setRows((list) => (list ?? []).map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async () => {
    if (!rows) return;
    setBusy(true);
    setBad(null);
    try {
      const saved = await intakeAdminApi.replaceRules(
        rows.map((r) => ({
          ...r,
          keywords: r.keywordText
            .split(/[,，、;；\s]+/)
            .map((k) => k.trim())
            .filter(Boolean),
        })),
      );
      setRows(saved.map((r) => ({ ...r, keywordText: r.keywords.join('、') })));
      Toast.show({ icon: 'success', content: '分派规则已保存' });
    } catch (e) {
      // rules.2.unit → row 3, the unit cell.
      const m = /^rules\.(\d+)\.(\w+)/.exec(errorField(e) ?? '');
      if (m) setBad({ row: Number(m[1]), field: m[2], message: (e as Error).message });
      Toast.show({ icon: 'fail', content: intakeError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  const remove = async (i: number) => {
    const ok = await Dialog.confirm({
      content: `删除第 ${i + 1} 条规则？（保存后生效）`,
      confirmText: '删除',
      cancelText: '取消',
    });
    if (ok) setRows((list) => (list ?? []).filter((_, j) => j !== i));
  };
  const cell = (i: number, field: string) => (bad?.row === i && bad.field === field ? 'cell-bad' : undefined);

  return (
    <Panel
      title="分派规则（事项类型 / 关键词 → 单位）"
      id="routing-rules"
      error={error}
      loading={!rows && !error}
      onRetry={() => void reload()}
    >
      <p className="muted small">
        登记工单时按顺序匹配：事项类型相符（空为任意）且内容含任一关键词（空为任意）即建议该单位；再加上线路或车辆的运营分公司。仅为建议，派单以派单员选择为准。
      </p>
      {rows && (
        <div className="table-scroll">
          <table className="admin-table rules-table" data-testid="rules-table">
            <thead>
              <tr>
                <th>#</th>
                <th>事项类型</th>
                <th>关键词</th>
                <th>单位</th>
                <th>方式</th>
                <th>说明</th>
                {admin && <th />}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td className="num">{i + 1}</td>
                  <td className={cell(i, 'category')}>
                    {admin ? (
                      <select
                        aria-label={`第 ${i + 1} 条 事项类型`}
                        value={r.categoryCode ?? ''}
                        onChange={(e) => edit(i, { categoryCode: e.target.value || null })}
                      >
                        <option value="">任意</option>
                        {reference.categories.map((c) => (
                          <option key={c.code} value={c.code}>
                            {c.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      nameOf(reference.categories, r.categoryCode) || '任意'
                    )}
                  </td>
                  <td className={cell(i, 'keywords')}>
                    {admin ? (
                      <input
                        aria-label={`第 ${i + 1} 条 关键词`}
                        value={r.keywordText}
                        placeholder="顿号分隔"
                        onChange={(e) => edit(i, { keywordText: e.target.value })}
                      />
                    ) : (
                      r.keywords.join('、') || '任意'
                    )}
                  </td>
                  <td className={cell(i, 'unit')}>
                    {admin ? (
                      <select
                        aria-label={`第 ${i + 1} 条 单位`}
                        value={r.unitCode}
                        onChange={(e) => edit(i, { unitCode: e.target.value })}
                      >
                        <option value="">请选择</option>
                        {reference.units.map((u) => (
                          <option key={u.code} value={u.code}>
                            {u.name}
                          </option>
                        ))}
                      </select>
                    ) : (
                      nameOf(reference.units, r.unitCode)
                    )}
                  </td>
                  <td className={cell(i, 'role')}>
                    {admin ? (
                      <select
                        aria-label={`第 ${i + 1} 条 方式`}
                        value={r.role}
                        onChange={(e) => edit(i, { role: e.target.value as RoutingRule['role'] })}
                      >
                        {Object.entries(ROLE_NAME).map(([v, n]) => (
                          <option key={v} value={v}>
                            {n}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <Tag fill="outline">{ROLE_NAME[r.role]}</Tag>
                    )}
                  </td>
                  <td className={cell(i, 'note')}>
                    {admin ? (
                      <input
                        aria-label={`第 ${i + 1} 条 说明`}
                        value={r.note ?? ''}
                        onChange={(e) => edit(i, { note: e.target.value || null })}
                      />
                    ) : (
                      (r.note ?? '')
                    )}
                  </td>
                  {admin && (
                    <td>
                      <Button size="mini" color="danger" fill="none" onClick={() => void remove(i)}>
                        删除
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={admin ? 7 : 6} className="muted">
                    没有规则：只按线路或车辆建议运营分公司。
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {bad && (
        <div className="form-note danger">
          第 {bad.row + 1} 条：{bad.message}
        </div>
      )}
      {admin && rows && (
        <div className="admin-actions">
          <Button
            onClick={() =>
              setRows((list) => [
                ...(list ?? []),
                { categoryCode: null, keywords: [], keywordText: '', unitCode: '', role: 'sole', note: null },
              ])
            }
          >
            添加规则
          </Button>
          <Button color="primary" loading={busy} disabled={busy} onClick={() => void save()}>
            保存规则
          </Button>
          <Button fill="none" disabled={busy} onClick={() => void reload()}>
            放弃修改
          </Button>
        </div>
      )}
      {!admin && <p className="muted small">规则由系统管理员维护。</p>}
    </Panel>
  );
}
