// 待办: my pending actions across tickets, soonest deadline first, with traffic light and countdown.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button, ErrorBlock, List, PullToRefresh, Skeleton, Tabs, Tag } from 'antd-mobile';
import { api, describeError } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { Deadline } from '../components/deadline';
import { ACTION, label } from '../labels';
import { navigate } from '../router';
import { useNow } from '../time';
import type { ActionName, InboxItem } from '../types';

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

function inTab(item: InboxItem, tab: TabKey): boolean {
  if (tab === 'all') return true;
  if (tab === 'return' || tab === 'extension') return QUEUE_OF[item.action] === tab;
  return (TAB_OF[item.action] ?? 'handle') === tab;
}

const QUEUE_TABS: TabKey[] = ['return', 'extension'];

export function InboxPage() {
  const { reference } = useApp();
  const [items, setItems] = useState<InboxItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tab, setTab] = useState<TabKey>(() => (sessionStorage.getItem('hotline.inboxTab') as TabKey) || 'all');
  const alive = useRef(true);
  const now = useNow();

  const load = useCallback(async () => {
    try {
      const data = await api.inbox();
      if (!alive.current) return;
      setItems(data);
      setError(null);
    } catch (e) {
      if (alive.current) setError(describeError(e));
    }
  }, []);

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
    for (const i of items ?? []) {
      c.all += 1;
      c[TAB_OF[i.action] ?? 'handle'] += 1;
      const queue = QUEUE_OF[i.action];
      if (queue) c[queue] += 1;
    }
    return c;
  }, [items]);

  const shown = (items ?? []).filter((i) => inTab(i, tab));
  const tabs = TABS.filter((t) => !QUEUE_TABS.includes(t.key) || counts[t.key] > 0 || t.key === tab);
  const chooseTab = (key: string) => {
    setTab(key as TabKey);
    sessionStorage.setItem('hotline.inboxTab', key);
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
            </>
          )}
        </div>
      </PullToRefresh>
    </div>
  );
}
