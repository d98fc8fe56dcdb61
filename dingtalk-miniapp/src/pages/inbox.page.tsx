// 待办: my pending actions across tickets, soonest deadline first, with traffic light and countdown.
// Paged by the API (200 a page, more as you scroll); the tab counts are the API's true totals.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, ErrorBlock, InfiniteScroll, List, PullToRefresh, Skeleton, Tabs, Tag } from 'antd-mobile';
import { api, describeError } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { Deadline } from '../components/deadline';
import { ACTION, label } from '../labels';
import { navigate } from '../router';
import { useNow } from '../time';
import type { ActionName, InboxItem } from '../types';

const PAGE = 200;

type TabKey = 'all' | 'accept' | 'handle' | 'approve' | 'review' | 'return' | 'extension';
type KindKey = 'accept' | 'handle' | 'approve' | 'review';

const TAB_OF: Record<ActionName, KindKey> = {
  accept: 'accept',
  submit_reply: 'handle',
  dispatch: 'handle',
  finish_follow_up: 'handle',
  record_follow_up: 'handle',
  request_return: 'handle',
  answer_directly: 'handle',
  merge: 'handle',
  revoke: 'handle',
  remind: 'handle',
  approve_reply: 'approve',
  reject_reply: 'approve',
  approve_return: 'approve',
  reject_return: 'approve',
  pass_review: 'review',
  send_back: 'review',
  report_upstream: 'review',
  request_extension: 'handle',
  approve_extension: 'approve',
  reject_extension: 'approve',
  record_visit: 'handle',
  mark_responsible: 'review',
  write_case_file: 'handle',
  record_unit_follow_up: 'handle',
  flag_untrue_reply: 'review',
  reroute: 'handle',
};

const TABS: { key: TabKey; title: string }[] = [
  { key: 'all', title: '全部' },
  { key: 'accept', title: '待签收' },
  { key: 'handle', title: '办理中' },
  { key: 'approve', title: '待审批' },
  { key: 'review', title: '待审核' },
  // The dispatchers' queues (issue 6 item 4): shown when they hold something.
  { key: 'return', title: '退回申请' },
  { key: 'extension', title: '延期申请' },
];

const QUEUE_OF: Partial<Record<ActionName, TabKey>> = {
  approve_return: 'return',
  approve_extension: 'extension',
};

/** The actions a tab lists (the API filters by them); undefined: every action. */
function actionsOf(tab: TabKey): ActionName[] | undefined {
  if (tab === 'all') return undefined;
  const all = Object.keys(TAB_OF) as ActionName[];
  if (tab === 'return' || tab === 'extension') return all.filter((a) => QUEUE_OF[a] === tab);
  return all.filter((a) => TAB_OF[a] === tab);
}

const QUEUE_TABS: TabKey[] = ['return', 'extension'];

export function InboxPage() {
  const { reference } = useApp();
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [byAction, setByAction] = useState<Partial<Record<ActionName, number>>>({});
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<TabKey>(() => (sessionStorage.getItem('hotline.inboxTab') as TabKey) || 'all');
  const alive = useRef(true);
  // The tab a response belongs to: a late answer for a tab left since is dropped.
  const shownTab = useRef(tab);
  const now = useNow();

  const load = useCallback(async () => {
    const forTab = shownTab.current;
    try {
      const data = await api.inboxPage({ limit: PAGE, actions: actionsOf(forTab) });
      if (!alive.current || shownTab.current !== forTab) return;
      setItems(data.items);
      setNext(data.nextCursor);
      setByAction(data.counts);
      setError(null);
    } catch (e) {
      if (alive.current) setError(describeError(e));
    }
  }, []);

  const loadMore = useCallback(async () => {
    if (!next) return;
    const forTab = shownTab.current;
    try {
      const data = await api.inboxPage({ limit: PAGE, cursor: next, actions: actionsOf(forTab) });
      if (!alive.current || shownTab.current !== forTab) return;
      setItems((old) => [...(old ?? []), ...data.items]);
      setNext(data.nextCursor);
      setByAction(data.counts);
    } catch (e) {
      if (alive.current) setError(describeError(e));
      throw e; // InfiniteScroll shows its retry
    }
  }, [next]);

  useEffect(() => {
    alive.current = true;
    void load();
    const refresh = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', refresh);
    return () => {
      alive.current = false;
      document.removeEventListener('visibilitychange', refresh);
    };
  }, [load]);

  const counts = useMemo(() => {
    const c: Record<TabKey, number> = { all: 0, accept: 0, handle: 0, approve: 0, review: 0, return: 0, extension: 0 };
    for (const [action, n] of Object.entries(byAction) as [ActionName, number][]) {
      c.all += n;
      c[TAB_OF[action] ?? 'handle'] += n;
      const queue = QUEUE_OF[action];
      if (queue) c[queue] += n;
    }
    return c;
  }, [byAction]);

  const shown = items ?? [];
  const tabs = TABS.filter((t) => !QUEUE_TABS.includes(t.key) || counts[t.key] > 0 || t.key === tab);
  const chooseTab = (key: string) => {
    setTab(key as TabKey);
    sessionStorage.setItem('hotline.inboxTab', key);
    shownTab.current = key as TabKey;
    setItems(null);
    setNext(null);
    void load();
  };

  return (
    <div className="inbox">
      <Tabs activeKey={tab} onChange={chooseTab} className="inbox-tabs" stretch={false}>
        {tabs.map((t) => (
          <Tabs.Tab
            key={t.key}
            title={
              <span className="tab-title">
                {t.title}
                {counts[t.key] > 0 && <span className="count">{counts[t.key]}</span>}
              </span>
            }
          />
        ))}
      </Tabs>
      <PullToRefresh
        onRefresh={load}
        pullingText="下拉刷新"
        canReleaseText="释放立即刷新"
        refreshingText="正在刷新…"
        completeText="已刷新"
      >
        <div className="pull-area">
          {error && !items ? (
            <div className="state">
              <ErrorBlock status="disconnected" title="待办加载失败" description={error} />
              <Button color="primary" onClick={() => void load()}>
                重新加载
              </Button>
            </div>
          ) : !items ? (
            <div className="pad">
              <Skeleton.Title animated />
              <Skeleton.Paragraph lineCount={5} animated />
            </div>
          ) : shown.length === 0 ? (
            <div className="state">
              <ErrorBlock
                status="empty"
                title="暂无待办"
                description={tab === 'all' ? '新的工单到达时会通过钉钉通知您' : '这一类没有待办事项'}
              />
            </div>
          ) : (
            <>
              {error && <div className="inline-error">{error}</div>}
              <List className="inbox-list">
                {shown.map((i) => (
                  <List.Item
                    key={`${i.ticket.id}:${i.action}:${i.unit ?? ''}`}
                    className="inbox-item"
                    onClick={() => navigate(`/ticket/${i.ticket.id}`)}
                    arrow
                    description={
                      <div className="item-meta">
                        <span>{i.ticket.number}</span>
                        <span>{nameOf(reference.categories, i.ticket.category)}</span>
                        {i.unit && <span>{nameOf(reference.units, i.unit)}</span>}
                      </div>
                    }
                    extra={
                      <div className="item-side">
                        <Tag color="primary" fill="solid" className="action-tag">
                          {label(ACTION, i.action)}
                        </Tag>
                        <Deadline deadline={i.deadline} start={i.startedAt} light={i.light} now={now} />
                      </div>
                    }
                  >
                    <div className="item-title">
                      {i.ticket.urgency === 'urgent' && (
                        <Tag color="danger" className="urgent">
                          急
                        </Tag>
                      )}
                      {i.ticket.subject}
                    </div>
                  </List.Item>
                ))}
              </List>
              {next && (
                <InfiniteScroll loadMore={loadMore} hasMore={next !== null}>
                  <span className="more">
                    已显示 {shown.length} / {counts[tab]} 项，继续下滑加载
                  </span>
                </InfiniteScroll>
              )}
            </>
          )}
        </div>
      </PullToRefresh>
    </div>
  );
}
