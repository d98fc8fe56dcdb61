// 台账: one row per ticket with the Article 15 facts, filtered by the hash query
// (#/ledger?unit=branch1&from=…), "load more" paging, and the Excel export (streamed by the API;
// a long one shows rows so far of the total and can be cancelled, issue 19).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, ErrorBlock, List, ProgressBar, SearchBar, Skeleton, Tag, Toast } from 'antd-mobile';
import { ApiError, describeError } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { SATISFACTION, STATUS, label } from '../labels';
import { loopApi, type LedgerFilter, type LedgerRow } from '../loop-api';
import { navigate } from '../router';
import { formatTime } from '../time';

const KEYS = ['from', 'to', 'source', 'category', 'unit', 'status', 'route', 'light', 'q'] as const;

export function filtersFromHash(hash: string): LedgerFilter {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  const f: LedgerFilter = {};
  for (const k of KEYS) {
    const v = params.get(k);
    if (v) f[k] = v;
  }
  return f;
}

export function LedgerPage() {
  const { reference, session } = useApp();
  const [filter, setFilter] = useState<LedgerFilter>(() => filtersFromHash(window.location.hash));
  const [rows, setRows] = useState<LedgerRow[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  // Issue 19: the running export's progress (rows written of the total) and its cancel switch.
  const [progress, setProgress] = useState<{ rows: number; total: number } | null>(null);
  const stopExport = useRef<AbortController | null>(null);
  const canExport = session.user.roles.some((r) => ['dispatcher', 'ops_head', 'admin', 'unit_leader'].includes(r));

  const load = useCallback(async (f: LedgerFilter, after?: string) => {
    setError(null);
    try {
      const page = await loopApi.ledger(f, after);
      setRows((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    const onHash = () => setFilter(filtersFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    setRows(null);
    void load(filter);
  }, [filter, load]);

  const download = async () => {
    const stop = new AbortController();
    stopExport.current = stop;
    setExporting(true);
    let poll: number | undefined;
    try {
      const blob = await loopApi.exportLedger(filter, {
        signal: stop.signal,
        onStart: (id, total) => {
          setProgress({ rows: 0, total });
          poll = window.setInterval(() => {
            loopApi
              .exportRecord(id)
              .then((r) => r.status !== 'cancelled' && setProgress({ rows: r.rowCount ?? 0, total: r.total ?? total }))
              .catch(() => undefined);
          }, 1000);
        },
      });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `台账-${new Date().toISOString().slice(0, 10)}.xlsx`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      Toast.show({ content: '已导出（来电人信息不导出）' });
    } catch (e) {
      Toast.show({ content: e instanceof ApiError && e.code === 'Aborted' ? '已取消导出' : describeError(e) });
    } finally {
      window.clearInterval(poll);
      stopExport.current = null;
      setProgress(null);
      setExporting(false);
    }
  };

  const chips: string[] = [];
  if (filter.from || filter.to) {
    chips.push(
      `${filter.from ? formatTime(filter.from).slice(0, 10) : '…'} 至 ${filter.to ? formatTime(filter.to).slice(0, 10) : '…'}`,
    );
  }
  if (filter.unit) chips.push(`单位：${nameOf(reference.units, filter.unit)}`);
  if (filter.source) chips.push(`来源：${nameOf(reference.sources, filter.source)}`);
  if (filter.category) chips.push(`类型：${nameOf(reference.categories, filter.category)}`);
  if (filter.route) chips.push(`线路：${filter.route}`);
  if (filter.light)
    chips.push(`信号灯：${{ green: '正常', yellow: '临期', red: '超期' }[filter.light] ?? filter.light}`);
  if (filter.status) chips.push(`状态：${label(STATUS, filter.status)}`);

  return (
    <div className="ledger">
      <div className="toolbar">
        <SearchBar
          placeholder="主题、内容或工单号"
          defaultValue={filter.q}
          onSearch={(q) => setFilter({ ...filter, q: q.trim() || undefined })}
          onClear={() => setFilter({ ...filter, q: undefined })}
        />
        {canExport && (
          <Button size="small" color="primary" loading={exporting} onClick={() => void download()}>
            导出 Excel
          </Button>
        )}
      </div>
      {progress && (
        <div className="export-progress" role="status">
          <span>
            正在导出 {progress.rows.toLocaleString('zh-CN')} / {progress.total.toLocaleString('zh-CN')} 行
          </span>
          <ProgressBar percent={progress.total ? Math.min(100, (progress.rows / progress.total) * 100) : 0} />
          <Button size="mini" onClick={() => stopExport.current?.abort()}>
            取消导出
          </Button>
        </div>
      )}
      {chips.length > 0 && (
        <div className="chips" data-testid="ledger-filters">
          {chips.map((c) => (
            <Tag key={c} color="primary" fill="outline">
              {c}
            </Tag>
          ))}
          <Button size="mini" fill="none" onClick={() => navigate('/ledger')}>
            清除
          </Button>
        </div>
      )}
      {error && <ErrorBlock status="default" title="加载失败" description={error} />}
      {!rows && !error && <Skeleton.Paragraph lineCount={6} animated />}
      {rows && rows.length === 0 && <ErrorBlock status="empty" title="没有符合条件的工单" description="" />}
      {rows && rows.length > 0 && (
        <List className="ledger-rows" data-testid="ledger-rows">
          {rows.map((r) => (
            <List.Item
              key={r.id}
              onClick={() => navigate(`/ticket/${r.id}`)}
              description={
                <div className="ledger-facts">
                  <span>
                    {r.source} · {r.category} · 受理 {formatTime(r.receivedAt)}
                  </span>
                  <span>承办：{r.units || (r.directAnswer ? '直接答复' : '—')}</span>
                  {r.mergedInto && (
                    <span className="ledger-merged" data-testid="ledger-merged">
                      已并入 {r.mergedInto.number}
                    </span>
                  )}
                  {r.handler && (
                    <span>
                      {r.directAnswer ? '直接答复 · ' : ''}经办人 {r.handler}（{r.handlerUnit}）
                      {r.handledAt ? ` · 办理 ${formatTime(r.handledAt)}` : ''}
                    </span>
                  )}
                  {r.directAnswer && r.reply && <span data-testid="ledger-direct-answer">答复内容：{r.reply}</span>}
                  {r.unitReplies.length > 1 ? (
                    // R-6c, R-6d: each unit's reply, not only the one answering for the ticket.
                    <span className="ledger-unit-replies" data-testid="ledger-unit-replies">
                      {r.unitReplies.map((u) => (
                        <span key={`${u.unit}-${u.role}`} className="ledger-unit-reply">
                          {u.unit}（{u.role}）{u.handler} {formatTime(u.handledAt)}：{u.content}
                        </span>
                      ))}
                    </span>
                  ) : (
                    r.reply && !r.directAnswer && <span>办理结果：{r.reply}</span>
                  )}
                  {r.callerAnswer && <span>答复：{r.callerAnswer}</span>}
                  <span>
                    {r.closedAt ? `办结 ${formatTime(r.closedAt)}` : label(STATUS, r.status)}
                    {r.visitStatus === 'reached' &&
                      ` · 回访：${r.visitSolved ? '已解决' : '未解决'}，${label(SATISFACTION, r.visitSatisfaction)}`}
                    {r.visitStatus === 'unreachable' && ' · 回访：无法联系'}
                  </span>
                </div>
              }
              extra={
                <div className="ledger-tags">
                  {r.overdue && <Tag color="danger">超期</Tag>}
                  {r.returns > 0 && <Tag color="warning">退回 {r.returns}</Tag>}
                  {r.extensions > 0 && <Tag color="primary">延期 {r.extensions}</Tag>}
                  {r.rework > 0 && <Tag color="warning">重办 {r.rework}</Tag>}
                  {r.responsibility === 'at_fault' && <Tag color="danger">有责</Tag>}
                </div>
              }
            >
              <span className="ledger-number">{r.number}</span> {r.subject}
            </List.Item>
          ))}
        </List>
      )}
      {cursor && (
        <Button block fill="none" onClick={() => void load(filter, cursor)}>
          加载更多
        </Button>
      )}
    </div>
  );
}
