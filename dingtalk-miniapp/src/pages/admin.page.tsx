// 系统管理 (admin only): DingTalk quota and failed sends with a retry, org sync on demand (issue 4),
// the working-day calendar and time limits (X-1, X-2), who saw callers' details and retention (R-19).
// Each card loads on its own, so one failing call leaves the rest usable.
import { useCallback, useState } from 'react';
import { Button, Dialog, ErrorBlock, Input, List, ProgressBar, Selector, Tag, TextArea, Toast } from 'antd-mobile';
import {
  adminApi,
  adminError,
  limitText,
  type CalendarStatus,
  type DingTalkUsage,
  type OrgSyncRun,
  type OutboxRow,
  type RetentionReport,
  type RevealRow,
  type TimeLimitPolicy,
} from '../admin-api';
import { nameOf, useApp } from '../app-context';
import { Panel, useLoad } from '../components/panel';
import { DingTalkConfigProblemsCard } from '../components/dingtalk-config-problems';
import { NotReachedCard } from '../components/not-reached-admin';
import { URGENCY, label } from '../labels';
import { navigate } from '../router';
import { formatTime } from '../time';
import './admin.page.css';

export function AdminPage() {
  const { session } = useApp();
  if (!session.user.roles.includes('admin')) {
    return <ErrorBlock status="disconnected" title="仅系统管理员可使用此页面" description="" />;
  }
  return (
    <div className="admin">
      <OrgAdminLinks />
      <UsageCard />
      <DingTalkConfigProblemsCard />
      <OutboxCard />
      <NotReachedCard />
      <OrgSyncCard />
      <CalendarCard />
      <TimeLimitsCard />
      <RetentionCard />
      <RevealAuditCard />
    </div>
  );
}

/** Issue 13.3: the configuration pages (people and roles, units, sources and categories). */
function OrgAdminLinks() {
  return (
    <section className="admin-card" id="admin-org-links" aria-label="人员与组织">
      <List className="admin-links">
        <List.Item
          arrow
          onClick={() => navigate('/admin/people')}
          description="授予派单员、负责人、审核人、管理员；变更记录"
        >
          人员与角色
        </List.Item>
        <List.Item arrow onClick={() => navigate('/admin/units')} description="钉钉部门对应的单位及类别、改名、停用">
          单位
        </List.Item>
        <List.Item arrow onClick={() => navigate('/admin/reference')} description="来源及派单链、事项类型">
          来源与类型
        </List.Item>
      </List>
    </section>
  );
}

const OUTBOX_STATUS: Record<string, string> = {
  pending: '待发送',
  sent: '已发送',
  failed: '发送失败',
  skipped: '已跳过',
};

/**
 * Issue 16.4: how much of the month's quota is spent. Above 80 % the card warns; at 100 % DingTalk
 * calls that count are refused until next month. A quota of 0 means no limit of ours.
 */
function quotaLevel(quotaCalls: number, quota: number): { share: number; level: 'ok' | 'warning' | 'danger' } {
  if (!(quota > 0)) return { share: 0, level: 'ok' };
  const share = Math.min(100, (quotaCalls / quota) * 100);
  return { share, level: quotaCalls >= quota ? 'danger' : share > 80 ? 'warning' : 'ok' };
}

function UsageCard() {
  const { data, error, reload } = useLoad(adminApi.usage);
  const u = data as DingTalkUsage | undefined;
  const { share, level } = u ? quotaLevel(u.quotaCalls, u.quota) : { share: 0, level: 'ok' };
  const n = (v: number) => v.toLocaleString('zh-CN');
  return (
    <Panel
      title="钉钉接口调用"
      id="admin-usage"
      error={error}
      loading={!u}
      onRetry={() => void reload()}
      extra={
        <Button size="small" fill="none" color="primary" onClick={() => void reload()}>
          刷新
        </Button>
      }
    >
      {u && (
        <>
          {u.quota > 0 ? (
            <>
              <div className={`usage-figure ${level}`}>
                本月已用 <span className="usage-calls">{n(u.quotaCalls)}</span> / 配额 {n(u.quota)} 次
              </div>
              <ProgressBar percent={share} className={`usage-bar ${level}`} />
              <div className="muted small">
                {u.month} 已用配额 {share.toFixed(1)}%
                {level === 'danger'
                  ? '，已用尽：计入配额的调用暂停到下月（可调高 DINGTALK_MONTHLY_QUOTA）。'
                  : level === 'warning'
                    ? '，已超过 80%。'
                    : '。'}
                标准版企业每月约 1 万次（通讯录、登录与取 token 不计）；全部调用 {n(u.calls)} 次。
              </div>
            </>
          ) : (
            <div className="usage-figure">
              本月已用 <span className="usage-calls">{n(u.quotaCalls)}</span> 次（未设配额）
              <div className="muted small">全部调用 {n(u.calls)} 次。</div>
            </div>
          )}
          <table className="admin-table usage-apis">
            <thead>
              <tr>
                <th>接口</th>
                <th className="num">本月调用</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(u.byApi)
                .sort((a, b) => b[1] - a[1])
                .map(([apiName, n]) => (
                  <tr key={apiName}>
                    <td className="mono">{apiName}</td>
                    <td className="num">{n}</td>
                  </tr>
                ))}
              {Object.keys(u.byApi).length === 0 && (
                <tr>
                  <td colSpan={2} className="muted">
                    本月尚无计数的调用
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <div className="outbox-counts">
            {Object.entries(OUTBOX_STATUS).map(([status, text]) => (
              <Tag key={status} color={status === 'failed' && u.outbox[status] ? 'danger' : 'default'} fill="outline">
                {text} {u.outbox[status] ?? 0}
              </Tag>
            ))}
          </div>
        </>
      )}
    </Panel>
  );
}

const NOTICE_TITLE: Record<string, string> = {
  new_assignment: '新工单待签收',
  assignment_cancelled: '工单已撤销',
  // Issue 15.9: the ops department re-routed this unit's work to another unit (改派).
  assignment_withdrawn: '工单已改派，本单位无需继续办理',
  reply_awaiting_approval: '回复待审批',
  reply_rejected: '回复被退回修改',
  co_reply_ready: '会办单位已回复',
  review_step: '工单待审核',
  return_requested: '退回申请待审核',
  return_decided: '退回申请已处理',
  rework: '工单需重新办理',
  remind: '工单催办',
  closed: '工单已办结',
  overdue: '工单已超期',
  undispatched: '当日未派单提醒',
  digest: '每日工单汇总',
  extension_requested: '延期申请待审核',
  extension_decided: '延期申请已处理',
  case_file_requested: '责任投诉待填写案例分析',
  calendar_missing_year: '节假日数据缺失',
};

function outboxTitle(row: OutboxRow): string {
  if (row.kind === 'notice') return `工作通知 · ${label(NOTICE_TITLE, row.payload.notice)}`;
  return row.kind === 'todo_open' ? '钉钉待办 · 创建' : '钉钉待办 · 完成';
}

function OutboxCard() {
  const load = useCallback(() => adminApi.outbox('failed'), []);
  const { data: rows, setData: setRows, error, reload } = useLoad(load);
  const [busy, setBusy] = useState<number | null>(null);
  const retry = async (row: OutboxRow) => {
    setBusy(row.id);
    try {
      await adminApi.retryOutbox(row.id);
      setRows((list) => (list ?? []).filter((r) => r.id !== row.id));
      Toast.show({ icon: 'success', content: '已重新排队发送' });
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e) });
      void reload();
    } finally {
      setBusy(null);
    }
  };
  return (
    <Panel
      title="发送失败的通知与待办"
      id="admin-outbox"
      error={error}
      loading={!rows}
      onRetry={() => void reload()}
      extra={
        <Button size="small" fill="none" color="primary" onClick={() => void reload()}>
          刷新
        </Button>
      }
    >
      {rows && rows.length === 0 && <p className="muted admin-empty">没有发送失败的通知或待办。</p>}
      {rows && rows.length > 0 && (
        <ul className="admin-rows">
          {rows.map((row) => (
            <li key={row.id} className="outbox-row">
              <div className="grow">
                <div className="row-title">{outboxTitle(row)}</div>
                {row.payload.ticket && (
                  <div className="small">
                    {row.payload.ticket.number} {row.payload.ticket.subject}
                  </div>
                )}
                <div className="muted small">
                  #{row.id} · {formatTime(row.createdAt)} · 已尝试 {row.attempts} 次
                </div>
                {row.lastError && <div className="danger small break">{row.lastError}</div>}
              </div>
              <Button
                size="small"
                color="primary"
                loading={busy === row.id}
                disabled={busy !== null}
                onClick={() => void retry(row)}
              >
                重试
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

const TRIGGER: Record<string, string> = { admin: '管理员手动', schedule: '夜间自动' };
const RUN_STATUS: Record<string, string> = {
  running: '进行中',
  ok: '成功',
  partial: '未读完（未停用任何人）',
  failed: '失败',
};

function isSummary(v: unknown): v is { departments: number; units: Counts; people: Counts } {
  return typeof v === 'object' && v !== null && 'units' in v && 'people' in v;
}
interface Counts {
  created: number;
  updated: number;
  deactivated: number;
}
const countsText = (c: Counts) => `新增 ${c.created}，更新 ${c.updated}，停用 ${c.deactivated}`;

function OrgSyncCard() {
  const { data, error, reload } = useLoad(adminApi.lastOrgSync);
  const [busy, setBusy] = useState(false);
  const run = data as OrgSyncRun | null | undefined;
  const syncNow = async () => {
    setBusy(true);
    try {
      const s = await adminApi.orgSync();
      Toast.show({ icon: 'success', content: `同步完成：${s.departments} 个部门` });
      await reload();
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel
      title="组织架构同步"
      id="admin-org-sync"
      error={error}
      loading={run === undefined}
      onRetry={() => void reload()}
    >
      {run === null && <p className="muted admin-empty">尚未同步过。每晚 02:30 自动从钉钉同步部门和人员。</p>}
      {run && (
        <dl className="admin-facts">
          <dt>上次同步</dt>
          <dd>
            {formatTime(run.startedAt)}（{label(TRIGGER, run.trigger)}）
          </dd>
          <dt>结果</dt>
          <dd className="org-sync-status">
            <Tag
              color={
                run.status === 'failed'
                  ? 'danger'
                  : run.status === 'partial'
                    ? 'warning'
                    : run.status === 'running'
                      ? 'primary'
                      : 'success'
              }
            >
              {label(RUN_STATUS, run.status)}
            </Tag>
            {run.finishedAt ? ` ${formatTime(run.finishedAt)} 完成` : ''}
          </dd>
          {isSummary(run.summary) && (
            <>
              <dt>部门 / 单位</dt>
              <dd>
                {run.summary.departments} 个部门；单位{countsText(run.summary.units)}
              </dd>
              <dt>人员</dt>
              <dd>{countsText(run.summary.people)}</dd>
            </>
          )}
        </dl>
      )}
      <div className="admin-actions">
        <Button color="primary" loading={busy} disabled={busy} onClick={() => void syncNow()}>
          立即同步
        </Button>
        <span className="muted small">
          完整读完钉钉通讯录后，离职人员才停用（不删除）；管理员授予的角色和对单位的设置保留。
        </span>
      </div>
    </Panel>
  );
}

const yearsText = (years: number[]) =>
  years.length === 0 ? '无' : years.length > 2 ? `${years[0]}–${years[years.length - 1]}` : years.join('、');

function CalendarCard() {
  const { data, setData, error, reload } = useLoad(adminApi.calendar);
  const cal = data as CalendarStatus | undefined;
  const [year, setYear] = useState(String(new Date().getFullYear() + 1));
  const [text, setText] = useState('');
  const [date, setDate] = useState('');
  const [kind, setKind] = useState<'closed' | 'working'>('closed');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  const save = async (work: () => Promise<CalendarStatus>, done: string) => {
    setBusy(true);
    try {
      setData(await work());
      Toast.show({ icon: 'success', content: done });
      return true;
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const putYear = async () => {
    const y = Number(year);
    if (!Number.isInteger(y) || !text.trim()) {
      Toast.show({ content: '请填写年份和国务院放假通知' });
      return;
    }
    if (await save(() => adminApi.putYear(y, text), `${y} 年节假日已保存`)) setText('');
  };
  const putOverride = async () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      Toast.show({ content: '请选择日期' });
      return;
    }
    if (await save(() => adminApi.putOverride(date, kind, note.trim() || undefined), '已添加调整日')) {
      setDate('');
      setNote('');
    }
  };
  const removeOverride = async (d: string) => {
    const ok = await Dialog.confirm({ content: `删除 ${d} 的调整？`, confirmText: '删除', cancelText: '取消' });
    if (ok) await save(() => adminApi.deleteOverride(d), '已删除');
  };

  return (
    <Panel title="工作日历（节假日）" id="admin-calendar" error={error} loading={!cal} onRetry={() => void reload()}>
      {cal && (
        <>
          <dl className="admin-facts">
            <dt>日历版本</dt>
            <dd className="mono">{cal.version}</dd>
            <dt>数据来源</dt>
            <dd>{cal.dataSource}</dd>
            <dt>上班时间</dt>
            <dd>
              {cal.officeHours.start}–{cal.officeHours.end}
              {cal.lunchBreak ? `（午休 ${cal.lunchBreak.start}–${cal.lunchBreak.end}）` : ''}
            </dd>
            <dt>已有数据年份</dt>
            <dd>{yearsText(cal.coveredYears)}</dd>
            <dt>缺失年份</dt>
            <dd className="missing-years">
              {cal.missingYears.length === 0 ? (
                <span className="muted">无</span>
              ) : (
                cal.missingYears.map((m) => (
                  <Tag key={m.year} color="danger">
                    {m.year} 年（{formatTime(m.firstSeenAt).slice(0, 10)} 起有期限用到）
                  </Tag>
                ))
              )}
            </dd>
            {cal.years.length > 0 && (
              <>
                <dt>手工录入</dt>
                <dd>
                  {cal.years
                    .map((y) => `${y.year} 年（${y.holidays.length} 天假，${y.workdays.length} 天调休上班）`)
                    .join('；')}
                </dd>
              </>
            )}
          </dl>

          <h4>录入年度放假安排</h4>
          <p className="muted small">
            按国务院办公厅通知逐行填写，如「元旦：2027-01-01 至 2027-01-03 休」「2027-02-20 上班」，# 开头为注释。
          </p>
          <div className="admin-form-row">
            <Input
              className="year-input"
              type="number"
              value={year}
              onChange={setYear}
              aria-label="年份"
              placeholder="年份"
            />
          </div>
          <TextArea
            className="admin-textarea"
            value={text}
            onChange={setText}
            placeholder={'元旦：2027-01-01 至 2027-01-03 休\n春节：2027-02-05 至 2027-02-13 休\n2027-02-20 上班'}
            autoSize={{ minRows: 3, maxRows: 10 }}
            aria-label="放假通知"
          />
          <div className="admin-actions">
            <Button color="primary" disabled={busy} onClick={() => void putYear()}>
              保存该年
            </Button>
          </div>

          <h4>单日调整</h4>
          {cal.overrides.length === 0 ? (
            <p className="muted small">没有单日调整。</p>
          ) : (
            <ul className="admin-rows">
              {cal.overrides.map((o) => (
                <li key={o.date} className="override-row">
                  <div className="grow">
                    <span className="mono">{o.date}</span>{' '}
                    <Tag color={o.kind === 'closed' ? 'warning' : 'primary'}>
                      {o.kind === 'closed' ? '休息' : '上班'}
                    </Tag>{' '}
                    <span className="muted small">{o.note}</span>
                  </div>
                  <Button size="small" fill="outline" disabled={busy} onClick={() => void removeOverride(o.date)}>
                    删除
                  </Button>
                </li>
              ))}
            </ul>
          )}
          <div className="admin-form-row wrap">
            <Input type="date" value={date} onChange={setDate} aria-label="调整日期" className="date-input" />
            <Selector
              columns={2}
              value={[kind]}
              onChange={(v) => v[0] && setKind(v[0] as 'closed' | 'working')}
              options={[
                { label: '休息（停办）', value: 'closed' },
                { label: '上班', value: 'working' },
              ]}
            />
            <Input value={note} onChange={setNote} placeholder="说明（选填）" maxLength={200} aria-label="说明" />
            <Button disabled={busy} onClick={() => void putOverride()}>
              添加调整
            </Button>
          </div>
        </>
      )}
    </Panel>
  );
}

function TimeLimitsCard() {
  const { reference } = useApp();
  const { data, error, reload } = useLoad(adminApi.timeLimits);
  const rows = data as TimeLimitPolicy[] | undefined;
  // Issues 15.4 and 15.5: the co units' lead time and the upstream margin are edited here.
  const [edits, setEdits] = useState<Record<number, { co?: string; margin?: string }>>({});
  const [busy, setBusy] = useState(false);
  const scope = (p: TimeLimitPolicy) => {
    const parts = [
      p.sourceCode ? nameOf(reference.sources, p.sourceCode) : '',
      p.categoryCode ? nameOf(reference.categories, p.categoryCode) : '',
      p.urgency ? label(URGENCY, p.urgency) : '',
    ].filter(Boolean);
    return parts.length ? parts.join(' · ') : '默认';
  };
  const value = (p: TimeLimitPolicy, field: 'co' | 'margin') =>
    edits[p.id]?.[field] ?? String(field === 'co' ? p.coLeadWorkingDays : p.upstreamMarginWorkingDays);
  const setValue = (id: number, field: 'co' | 'margin', v: string) =>
    setEdits((e) => ({ ...e, [id]: { ...e[id], [field]: v } }));
  const changed = Object.keys(edits).length > 0;
  const saveAll = async () => {
    if (!rows) return;
    setBusy(true);
    try {
      await adminApi.putTimeLimits(
        rows.map((p) => ({
          sourceCode: p.sourceCode,
          categoryCode: p.categoryCode,
          urgency: p.urgency,
          accept: p.accept,
          reply: p.reply,
          review: p.review,
          note: p.note,
          coLeadWorkingDays: Number(value(p, 'co')),
          upstreamMarginWorkingDays: Number(value(p, 'margin')),
        })),
      );
      setEdits({});
      await reload();
      Toast.show({ icon: 'success', content: '时限设置已保存' });
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e), duration: 4000 });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="办理时限" id="admin-time-limits" error={error} loading={!rows} onRetry={() => void reload()}>
      {rows && (
        <div className="table-scroll">
          <table className="admin-table">
            <thead>
              <tr>
                <th>适用范围</th>
                <th>签收</th>
                <th>回复</th>
                <th>审核</th>
                <th>会办提前（工作日）</th>
                <th>上级期限前预留（工作日）</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id}>
                  <td>
                    {scope(p)}
                    {p.note && <div className="muted small">{p.note}</div>}
                  </td>
                  <td>{limitText(p.accept)}</td>
                  <td>{limitText(p.reply)}</td>
                  <td>{limitText(p.review)}</td>
                  <td>
                    <Input
                      type="number"
                      value={value(p, 'co')}
                      onChange={(v) => setValue(p.id, 'co', v)}
                      aria-label={`${scope(p)} 会办提前工作日`}
                      className="number-input"
                    />
                  </td>
                  <td>
                    <Input
                      type="number"
                      value={value(p, 'margin')}
                      onChange={(v) => setValue(p.id, 'margin', v)}
                      aria-label={`${scope(p)} 上级期限前预留工作日`}
                      className="number-input"
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">
        最具体的规则优先（紧急程度 &gt; 来源 &gt; 事项类型）。会办单位的最晚回复时间比主办单位早所填的工作日数（R-6）；
        上级期限前预留的工作日数不得少于四个审核环节（发起部门、运营服务部、公司办公室、上报）的审核时限之和（X-3）。
      </p>
      {rows && (
        <Button color="primary" disabled={busy || !changed} loading={busy} onClick={() => void saveAll()}>
          保存时限设置
        </Button>
      )}
    </Panel>
  );
}

function RetentionCard() {
  const [report, setReport] = useState<RetentionReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const dryRun = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await adminApi.retention());
    } catch (e) {
      setError(adminError(e));
    } finally {
      setBusy(false);
    }
  };
  const run = async () => {
    if (!report) return;
    const ok = await Dialog.confirm({
      title: '清除来电人信息',
      content: `将永久清除 ${report.count} 件办结超过 ${report.years} 年的工单的来电人姓名、电话和地址（工单与统计保留）。此操作无法撤销，确定执行？`,
      confirmText: '确定清除',
      cancelText: '取消',
    });
    if (!ok) return;
    setBusy(true);
    try {
      const done = await adminApi.runRetention();
      setReport(null);
      Toast.show({ icon: 'success', content: `已清除 ${done.count} 件工单的来电人信息` });
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title="数据保留（来电人信息）" id="admin-retention" error={error} onRetry={() => void dryRun()}>
      <p className="muted small">先试算，查看将被清除的范围后再执行。</p>
      {report && (
        <dl className="admin-facts retention-report">
          <dt>保留期限</dt>
          <dd>
            办结后 {report.years} 年（{formatTime(report.cutoff).slice(0, 10)} 之前办结的）
          </dd>
          <dt>涉及工单</dt>
          <dd>
            <strong className="retention-count">{report.count}</strong> 件
          </dd>
          {report.oldestClosedAt && (
            <>
              <dt>最早办结</dt>
              <dd>{formatTime(report.oldestClosedAt)}</dd>
            </>
          )}
          {report.sample.length > 0 && (
            <>
              <dt>示例</dt>
              <dd className="mono small">{report.sample.join('、')}</dd>
            </>
          )}
        </dl>
      )}
      <div className="admin-actions">
        <Button loading={busy && !report} disabled={busy} onClick={() => void dryRun()}>
          试算
        </Button>
        <Button color="danger" disabled={busy || !report || report.count === 0} onClick={() => void run()}>
          执行清除
        </Button>
      </div>
    </Panel>
  );
}

const BASIS: Record<string, string> = { dispatcher: '派单员', ops_follow_up: '运营服务部回访' };

function RevealAuditCard() {
  const { reference } = useApp();
  const load = useCallback(() => adminApi.reveals(), []);
  const { data, setData, error, reload } = useLoad(load);
  const rows = data as RevealRow[] | undefined;
  const [more, setMore] = useState(true);
  const [busy, setBusy] = useState(false);
  const loadMore = async () => {
    if (!rows?.length) return;
    setBusy(true);
    try {
      const next = await adminApi.reveals(rows[rows.length - 1].id);
      setMore(next.length >= 20);
      setData([...rows, ...next]);
    } catch (e) {
      Toast.show({ icon: 'fail', content: adminError(e) });
    } finally {
      setBusy(false);
    }
  };
  const basisText = (b: string) =>
    b.startsWith('unit:') ? `承办单位 ${nameOf(reference.units, b.slice(5))}` : label(BASIS, b);
  return (
    <Panel title="来电人信息查看记录" id="admin-audit" error={error} loading={!rows} onRetry={() => void reload()}>
      {rows && rows.length === 0 && <p className="muted admin-empty">还没有人查看过来电人信息。</p>}
      {rows && rows.length > 0 && (
        <ul className="admin-rows">
          {rows.map((r) => (
            <li key={r.id} className="audit-row">
              <div className="grow">
                <div>
                  <strong>{r.name}</strong> <span className="muted small">{r.userid}</span> 查看了{' '}
                  <a href={`#/ticket/${r.ticketId}`}>{r.ticketNumber}</a>
                </div>
                <div className="small">理由：{r.reason}</div>
                <div className="muted small">
                  {formatTime(r.at)} · 依据：{basisText(r.basis)}
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}
      {rows && rows.length >= 20 && more && (
        <Button block loading={busy} onClick={() => void loadMore()}>
          加载更多
        </Button>
      )}
    </Panel>
  );
}
