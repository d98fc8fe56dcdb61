// 上级系统接入: the admin's keys for upstream systems (issue 17.2: a key id and a signing secret, the
// secret shown once and kept encrypted; old-form keys that still send their secret carry a warning)
// and the dispatchers' Excel batch of upstream matters (a preview with every problem per row,
// then the import: all rows or none). Callers in the preview are masked by the API.
import { Fragment, useCallback, useState } from 'react';
import { Button, Dialog, ErrorBlock, Input, Tag, Toast } from 'antd-mobile';
import { nameOf, useApp } from '../app-context';
import {
  errorField,
  intakeAdminApi,
  intakeError,
  type IntakeClient,
  type UpstreamImportReport,
} from '../intake-admin-api';
import { FilePick, Panel, RowErrors, useLoad } from '../components/panel';
import { IMPORT_CANCELLED_TEXT, ImportProgressLine, useImportProgress } from '../components/import-progress';
import { formatTime } from '../time';
import './admin.page.css';
import './intake-admin.css';

export const usesUpstreamIntake = (roles: string[]) => roles.includes('admin') || roles.includes('dispatcher');

export function UpstreamIntakePage() {
  const { session } = useApp();
  const roles = session.user.roles;
  if (!usesUpstreamIntake(roles)) {
    return <ErrorBlock status="disconnected" title="仅系统管理员和派单员可使用此页面" description="" />;
  }
  return (
    <div className="intake-cards intake-admin">
      {roles.includes('admin') && <ClientsPanel />}
      {roles.includes('dispatcher') && <BatchPanel />}
    </div>
  );
}

const CLIENT_FIELD: Record<string, string> = { code: '系统代码', name: '名称', source: '来源', initiator: '发起人' };

function ClientsPanel() {
  const { reference } = useApp();
  const load = useCallback(() => intakeAdminApi.clients(), []);
  const { data: clients, setData, error, reload } = useLoad(load);
  const [form, setForm] = useState({ code: '', name: '', source: '', initiator: '' });
  const [bad, setBad] = useState<{ field: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<{ code: string; keyId: string; secret: string } | null>(null);

  const create = async () => {
    setBusy(true);
    setBad(null);
    try {
      const { client, keyId, secret } = await intakeAdminApi.saveClient(form);
      setIssued({ code: client.code, keyId, secret });
      setData((list) => [...(list ?? []).filter((c) => c.code !== client.code), client]);
      setForm({ code: '', name: '', source: '', initiator: '' });
    } catch (e) {
      const field = errorField(e);
      if (field && field in CLIENT_FIELD) setBad({ field, message: (e as Error).message });
      else Toast.show({ icon: 'fail', content: intakeError(e) });
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (c: IntakeClient) => {
    const ok = await Dialog.confirm({
      title: '停用接入密钥',
      content: `停用「${c.name}」（${c.code}）？其密钥立即失效，上级系统将无法再推送或查询，直到重新生成密钥。`,
      confirmText: '停用',
      cancelText: '取消',
    });
    if (!ok) return;
    try {
      await intakeAdminApi.withdrawClient(c.code);
      setData((list) => (list ?? []).map((x) => (x.code === c.code ? { ...x, active: false } : x)));
      Toast.show({ icon: 'success', content: '已停用' });
    } catch (e) {
      Toast.show({ icon: 'fail', content: intakeError(e) });
    }
  };
  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(`密钥编号 ${issued.keyId}\n签名密钥 ${issued.secret}`);
      Toast.show({ icon: 'success', content: '已复制' });
    } catch {
      Toast.show({ content: '无法自动复制，请长按密钥手动复制' });
    }
  };
  const note = (field: string) => (bad?.field === field ? <div className="field-error">{bad.message}</div> : null);

  return (
    <Panel title="上级系统接入密钥" id="intake-clients" error={error} loading={!clients} onRetry={() => void reload()}>
      {issued && (
        <div className="key-once" role="alert" data-testid="issued-key">
          <div>
            <strong>{issued.code} 的接入密钥（签名密钥只显示这一次）</strong>
          </div>
          <div className="small">密钥编号（X-Intake-Key-Id，随每个请求发送）</div>
          <code className="mono key-id-text">{issued.keyId}</code>
          <div className="small">签名密钥（只用于计算 X-Intake-Signature，不随请求发送）</div>
          <code className="mono key-text">{issued.secret}</code>
          <div className="small">
            签名密钥加密保存在服务器上，关闭后将<strong>不会再显示</strong>
            。请立即复制，经安全渠道交给上级系统；遗失只能重新生成。
          </div>
          <div className="admin-actions">
            <Button size="small" color="primary" onClick={() => void copy()}>
              复制密钥
            </Button>
            <Button size="small" onClick={() => setIssued(null)}>
              我已保存，关闭
            </Button>
          </div>
        </div>
      )}
      {clients && clients.length === 0 && <p className="muted admin-empty">还没有接入的上级系统。</p>}
      {clients && clients.length > 0 && (
        <ul className="admin-rows" data-testid="client-list">
          {clients.map((c) => (
            <li key={c.code} className="client-row">
              <div className="grow">
                <div className="row-title">
                  {c.name} <span className="muted small mono">{c.code}</span>{' '}
                  {c.active ? <Tag color="success">启用</Tag> : <Tag color="default">已停用</Tag>}
                </div>
                <div className="small">
                  来源：{nameOf(reference.sources, c.sourceCode)} · 发起人：{c.initiator} ·{' '}
                  {c.keyId ? (
                    <>
                      密钥编号 <span className="mono">{c.keyId}</span> · 签名密钥尾号 …{c.keyHint}
                    </>
                  ) : (
                    <>旧式密钥 尾号 …{c.keyHint}</>
                  )}
                </div>
                {c.warning && (
                  <div className="field-error small" role="alert" data-testid="legacy-key-warning">
                    {c.legacyUntil && new Date(c.legacyUntil).getTime() >= Date.now()
                      ? `该系统仍在请求中发送密钥原文（X-Intake-Key${c.legacyUses > 0 ? `，已 ${c.legacyUses} 次，最近 ${formatTime(c.legacyLastUsedAt ?? c.legacyUntil)}` : ''}），${formatTime(c.legacyUntil)} 后将被拒绝：请重新生成密钥，改用密钥编号（X-Intake-Key-Id）签名。`
                      : '该旧式密钥已停止接受（密钥原文不再随请求发送）：请重新生成密钥，改用密钥编号（X-Intake-Key-Id）签名。'}
                    <span className="muted"> ({c.warning})</span>
                  </div>
                )}
                <div className="muted small">
                  创建 {formatTime(c.createdAt)} · {c.lastUsedAt ? `最近使用 ${formatTime(c.lastUsedAt)}` : '尚未使用'}
                </div>
              </div>
              {c.active && (
                <Button size="small" color="danger" fill="outline" onClick={() => void revoke(c)}>
                  停用
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <h4>新建或重新生成密钥</h4>
      <p className="muted small">同一系统代码再次提交即重新生成密钥，旧密钥立即失效。</p>
      <div className="client-form">
        <label>
          <span>系统代码</span>
          <Input
            value={form.code}
            onChange={(v) => setForm({ ...form, code: v })}
            placeholder="如 city_12345（小写字母、数字、_）"
            aria-label="系统代码"
          />
          {note('code')}
        </label>
        <label>
          <span>名称</span>
          <Input
            value={form.name}
            onChange={(v) => setForm({ ...form, name: v })}
            placeholder="如 市12345热线平台"
            aria-label="名称"
          />
          {note('name')}
        </label>
        <label>
          <span>来源</span>
          <select value={form.source} onChange={(e) => setForm({ ...form, source: e.target.value })} aria-label="来源">
            <option value="">请选择</option>
            {reference.sources.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
          {note('source')}
        </label>
        <label>
          <span>发起人（派单员账号）</span>
          <Input
            value={form.initiator}
            onChange={(v) => setForm({ ...form, initiator: v })}
            placeholder="推送的事项落在其名下，如 dispatcher1"
            aria-label="发起人"
          />
          {note('initiator')}
        </label>
      </div>
      <div className="admin-actions">
        <Button color="primary" loading={busy} disabled={busy} onClick={() => void create()}>
          生成密钥
        </Button>
      </div>
    </Panel>
  );
}

const BATCH_FIELD: Record<string, string> = {
  ref: '上级工单号',
  category: '事项类型',
  subject: '主题',
  content: '内容',
  callerName: '来电人',
  callerPhone: '联系电话',
  upstreamDeadline: '办理期限',
};

function BatchPanel() {
  const { reference } = useApp();
  const [source, setSource] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<UpstreamImportReport | null>(null);
  const [done, setDone] = useState<UpstreamImportReport | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [cancelled, setCancelled] = useState(false);
  // Issue 19: a long file shows its upload, then rows checked and imported, and can be cancelled.
  const { progress, follow, cancel } = useImportProgress();

  const run = async (dryRun: boolean) => {
    if (!file || !source) {
      Toast.show({ content: '请选择来源和文件' });
      return;
    }
    setBusy(true);
    setError(null);
    setCancelled(false);
    try {
      const answer = await follow((f) => intakeAdminApi.importBatch(source, file, dryRun, f));
      if (answer.cancelled) {
        setCancelled(true);
        return;
      }
      const r = answer.value;
      if (dryRun) {
        setPreview(r);
        setDone(null);
      } else if (r.errors.length > 0) {
        setPreview(r); // changed meanwhile: show the new problems, nothing was imported
      } else {
        setPreview(null);
        setDone(r);
        setFile(null);
      }
    } catch (e) {
      setError(intakeError(e));
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    setPreview(null);
    setDone(null);
    setCancelled(false);
  };
  const errorsOn = (line: number) => preview?.errors.filter((e) => e.line === line) ?? [];
  // Where the person pressed: under 预览, or under 确认导入 at the foot of a long preview.
  const status = (
    <>
      {progress && <ImportProgressLine progress={progress} unit="件" onCancel={() => void cancel()} />}
      {cancelled && (
        <div className="form-note import-cancelled" role="status">
          {IMPORT_CANCELLED_TEXT}
        </div>
      )}
    </>
  );

  return (
    <Panel title="批量导入上级转办事项（Excel）" id="intake-batch">
      <p className="muted small">
        表头：上级工单号、事项类型、主题、内容、来电人、联系电话、地址、办理期限、线路、车牌、站点。先预览，全部无误后才可导入；任何一行有误则不导入任何事项。
      </p>
      <div className="client-form">
        <label>
          <span>来源</span>
          <select
            value={source}
            onChange={(e) => {
              setSource(e.target.value);
              reset();
            }}
            aria-label="事项来源"
          >
            <option value="">请选择</option>
            {reference.sources.map((s) => (
              <option key={s.code} value={s.code}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <FilePick
        file={file}
        label="事项文件"
        onFile={(f) => {
          setFile(f);
          reset();
        }}
      />
      <div className="admin-actions">
        <Button
          color="primary"
          loading={busy && !preview}
          disabled={busy || !file || !source}
          onClick={() => void run(true)}
        >
          预览
        </Button>
      </div>
      {!preview && status}
      {error && <div className="form-note danger">{error}</div>}
      {preview && (
        <div className="import-report" data-testid="batch-preview">
          {preview.errors.length > 0 ? (
            <p className="danger">
              {preview.rows} 行中有 {preview.errors.length} 处错误，不能导入。请修改文件后重新预览。
            </p>
          ) : (
            <p className="ok">{preview.rows} 行均可导入，请核对后确认。</p>
          )}
          <div className="table-scroll">
            <table className="admin-table preview-table">
              <thead>
                <tr>
                  <th>行</th>
                  <th>上级工单号</th>
                  <th>事项类型</th>
                  <th>主题</th>
                  <th>来电人</th>
                </tr>
              </thead>
              <tbody>
                {preview.preview.map((p) => {
                  const problems = errorsOn(p.line);
                  return (
                    <Fragment key={p.line}>
                      <tr className={problems.length ? 'row-bad' : undefined}>
                        <td className="num">{p.line}</td>
                        <td className="mono">{p.ref}</td>
                        <td>{nameOf(reference.categories, p.category)}</td>
                        <td>{p.subject}</td>
                        <td>{[p.caller.name, p.caller.phone].filter(Boolean).join(' ')}</td>
                      </tr>
                      {problems.length > 0 && (
                        <tr className="row-bad problems">
                          <td />
                          <td colSpan={4} className="danger">
                            {problems
                              .map((e) => `${e.field ? `${BATCH_FIELD[e.field] ?? e.field}：` : ''}${e.message}`)
                              .join('；')}
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
          {preview.preview.length === 0 && <RowErrors errors={preview.errors} fieldName={(f) => BATCH_FIELD[f] ?? f} />}
          {status}
          <div className="admin-actions">
            <Button
              color="primary"
              loading={busy}
              disabled={busy || preview.errors.length > 0}
              onClick={() => void run(false)}
            >
              确认导入 {preview.rows} 件
            </Button>
            <Button fill="none" disabled={busy} onClick={reset}>
              取消
            </Button>
          </div>
        </div>
      )}
      {done && (
        <div className="import-report" data-testid="batch-done">
          <p className="ok">已导入 {done.imported} 件，已登记为工单：</p>
          <ul className="plain-list">
            {done.tickets.map((t) => (
              <li key={t.id}>
                <a href={`#/ticket/${t.id}`}>{t.number}</a> <span className="muted small">（上级 {t.ref}）</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </Panel>
  );
}
