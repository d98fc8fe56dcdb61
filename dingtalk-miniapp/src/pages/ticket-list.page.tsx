// 工单: tickets visible to me, with filters and "load more" paging (keyset cursor).
import { useCallback, useEffect, useRef, useState } from 'react';
import { Button, ErrorBlock, Input, List, SearchBar, Selector, Skeleton, Tag } from 'antd-mobile';
import { api, describeError, type ListQuery } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { Deadline, LightDot, StatusTag } from '../components/deadline';
import { ROLE, STATUS, label, options } from '../labels';
import { navigate } from '../router';
import { fromLocalInput, useNow, type Light } from '../time';
import type { TicketListItem } from '../types';

interface Filters {
  status: string;
  source: string;
  category: string;
  unit: string;
  /** the worst light of the open assignments. */
  light: string;
  q: string;
  from: string;
  to: string;
  /** '' newest first; 'light': overdue, then due soon, then on time, each by deadline. */
  sort: '' | 'light';
}

const EMPTY: Filters = { status: '', source: '', category: '', unit: '', light: '', q: '', from: '', to: '', sort: '' };

const SORTS = [
  { label: '最新登记', value: '' },
  { label: '期限最紧', value: 'light' },
];

const LIGHTS = [
  { label: '正常', value: 'green' },
  { label: '临期', value: 'yellow' },
  { label: '超期', value: 'red' },
];

const PAGE = 20;
const OPEN = ['registered', 'in_progress', 'in_review', 'follow_up'];

/** The return and extension queues are inbox tabs (the inbox lists what waits for my decision). */
function openQueue(tab: 'return' | 'extension'): void {
  sessionStorage.setItem('hotline.inboxTab', tab);
  navigate('/inbox');
}

export function TicketListPage() {
  const { reference, session } = useApp();
  const ops = session.user.roles.some((r) => r === 'dispatcher' || r === 'ops_head');
  const [filters, setFilters] = useState<Filters>(() => {
    try {
      return { ...EMPTY, ...(JSON.parse(sessionStorage.getItem('hotline.filters') ?? '{}') as Partial<Filters>) };
    } catch {
      return EMPTY;
    }
  });
  const [showFilters, setShowFilters] = useState(false);
  const [items, setItems] = useState<TicketListItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const requestId = useRef(0);
  const now = useNow();

  const toQuery = useCallback(
    (f: Filters, after?: string): ListQuery => ({
      status: f.status || undefined,
      source: f.source || undefined,
      category: f.category || undefined,
      unit: f.unit || undefined,
      light: f.light || undefined,
      q: f.q.trim() || undefined,
      from: fromLocalInput(f.from),
      to: fromLocalInput(f.to, true),
      sort: f.sort || undefined,
      limit: PAGE,
      cursor: after,
    }),
    [],
  );

  const loadFirst = useCallback(
    async (f: Filters) => {
      const id = ++requestId.current;
      setError(null);
      try {
        const page = await api.tickets(toQuery(f));
        if (id !== requestId.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
      } catch (e) {
        if (id === requestId.current) setError(describeError(e));
      }
    },
    [toQuery],
  );

  useEffect(() => {
    sessionStorage.setItem('hotline.filters', JSON.stringify(filters));
    void loadFirst(filters);
  }, [filters, loadFirst]);

  const loadMore = async () => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    const id = requestId.current;
    try {
      const page = await api.tickets(toQuery(filters, cursor));
      if (id !== requestId.current) return;
      setItems((prev) => [...(prev ?? []), ...page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setLoadingMore(false);
    }
  };

  const set = (patch: Partial<Filters>) => setFilters((f) => ({ ...f, ...patch }));
  const active = Object.entries(filters).filter(([k, v]) => k !== 'q' && k !== 'sort' && v).length;
  const pick = (v: string[]) => v[0] ?? '';

  return (
    <div className="ticket-list">
      <div className="filter-bar">
        <SearchBar
          placeholder="搜索工单号、主题、内容"
          defaultValue={filters.q}
          onSearch={(q) => set({ q })}
          onClear={() => set({ q: '' })}
          className="search"
        />
        <Button
          size="small"
          className="filter-toggle"
          color={active ? 'primary' : 'default'}
          fill="outline"
          onClick={() => setShowFilters((s) => !s)}
        >
          筛选{active ? `(${active})` : ''}
        </Button>
      </div>
      <div className="queues sort-bar" role="group" aria-label="排序">
        {SORTS.map((o) => (
          <Button
            key={o.value}
            size="mini"
            fill={filters.sort === o.value ? 'solid' : 'outline'}
            color={filters.sort === o.value ? 'primary' : 'default'}
            aria-pressed={filters.sort === o.value}
            onClick={() => set({ sort: o.value as Filters['sort'] })}
          >
            {o.label}
          </Button>
        ))}
      </div>
      {ops && (
        <div className="queues">
          <Button size="small" fill="outline" onClick={() => openQueue('return')}>
            退回申请队列
          </Button>
          <Button size="small" fill="outline" onClick={() => openQueue('extension')}>
            延期申请队列
          </Button>
        </div>
      )}
      {showFilters && (
        <div className="filters">
          <div className="filter-label">状态</div>
          <Selector
            columns={4}
            options={options(STATUS)}
            value={filters.status ? [filters.status] : []}
            onChange={(v) => set({ status: pick(v) })}
          />
          <div className="filter-label">期限（红黄绿灯）</div>
          <Selector
            className="light-filter"
            columns={3}
            options={LIGHTS.map((l) => ({
              value: l.value,
              label: (
                <span className="light-option">
                  <LightDot light={l.value as Light} />
                  {l.label}
                </span>
              ),
            }))}
            value={filters.light ? [filters.light] : []}
            onChange={(v) => set({ light: pick(v) })}
          />
          <div className="filter-label">来源</div>
          <Selector
            columns={3}
            options={reference.sources.map((s) => ({ label: s.name, value: s.code }))}
            value={filters.source ? [filters.source] : []}
            onChange={(v) => set({ source: pick(v) })}
          />
          <div className="filter-label">事项类型</div>
          <Selector
            columns={4}
            options={reference.categories.map((c) => ({ label: c.name, value: c.code }))}
            value={filters.category ? [filters.category] : []}
            onChange={(v) => set({ category: pick(v) })}
          />
          <div className="filter-label">承办单位</div>
          <Selector
            columns={3}
            options={reference.units.map((u) => ({ label: u.name, value: u.code }))}
            value={filters.unit ? [filters.unit] : []}
            onChange={(v) => set({ unit: pick(v) })}
          />
          <div className="filter-label">登记日期</div>
          <div className="date-range">
            <Input type="date" value={filters.from} onChange={(from) => set({ from })} aria-label="起始日期" />
            <span>至</span>
            <Input type="date" value={filters.to} onChange={(to) => set({ to })} aria-label="截止日期" />
          </div>
          <div className="filter-actions">
            <Button onClick={() => setFilters({ ...EMPTY, q: filters.q, sort: filters.sort })}>重置</Button>
            <Button color="primary" onClick={() => setShowFilters(false)}>
              完成
            </Button>
          </div>
        </div>
      )}

      {error && !items ? (
        <div className="state">
          <ErrorBlock status="disconnected" title="工单加载失败" description={error} />
          <Button color="primary" onClick={() => void loadFirst(filters)}>
            重新加载
          </Button>
        </div>
      ) : !items ? (
        <div className="pad">
          <Skeleton.Paragraph lineCount={6} animated />
        </div>
      ) : items.length === 0 ? (
        <div className="state">
          <ErrorBlock
            status="empty"
            title="没有符合条件的工单"
            description={active || filters.q ? '试试调整筛选条件' : ''}
          />
        </div>
      ) : (
        <>
          <List className="tickets">
            {items.map((t) => (
              <List.Item
                key={t.id}
                onClick={() => navigate(`/ticket/${t.id}`)}
                arrow
                description={
                  <div className="item-meta">
                    <span>{t.number}</span>
                    <span>{nameOf(reference.sources, t.sourceCode)}</span>
                    <span>{nameOf(reference.categories, t.categoryCode)}</span>
                    {t.units.map((u) => (
                      <span key={u.code + u.role}>
                        {nameOf(reference.units, u.code)}（{label(ROLE, u.role)}）
                      </span>
                    ))}
                  </div>
                }
                extra={
                  <div className="item-side">
                    <StatusTag status={t.status} step={t.step} />
                    {OPEN.includes(t.status) && t.replyDeadline && (
                      <Deadline deadline={t.replyDeadline} start={t.createdAt} now={now} light={t.light} />
                    )}
                  </div>
                }
              >
                <div className="item-title">
                  {t.urgency === 'urgent' && (
                    <Tag color="danger" className="urgent">
                      急
                    </Tag>
                  )}
                  {t.subject}
                </div>
              </List.Item>
            ))}
          </List>
          <div className="load-more">
            {error && <div className="inline-error">{error}</div>}
            {cursor ? (
              <Button block loading={loadingMore} onClick={() => void loadMore()}>
                加载更多
              </Button>
            ) : (
              <span className="muted">已显示全部 {items.length} 条</span>
            )}
          </div>
        </>
      )}
    </div>
  );
}
