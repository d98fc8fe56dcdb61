// 回访: closed tickets whose follow-up call is due (from the next working day after
// closing), earliest first. A tap opens the ticket, where the 回访 form records the call.
// 跟踪办理 (R-14(3), issue 15.6): tickets kept under follow-up, with every progress entry and who
// recorded it (the handling unit, or the operations department).
import { useCallback, useEffect, useState } from 'react';
import { Button, ErrorBlock, List, Skeleton, Tabs, Tag } from 'antd-mobile';
import { api, describeError } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { ACTION, ROLE, label } from '../labels';
import { loopApi, type FollowUpItem } from '../loop-api';
import { navigate } from '../router';
import { formatTime } from '../time';
import type { Ticket } from '../types';

type TabKey = 'due' | 'all' | 'tracking';

/** The progress entries of a ticket under follow-up: the units' and the ops department's. */
const PROGRESS = ['record_unit_follow_up', 'record_follow_up'];

export function FollowUpsPage({ trackingOnly = false }: { trackingOnly?: boolean }) {
  const stored = sessionStorage.getItem('hotline.followUpsTab') as TabKey | null;
  const [tab, setTab] = useState<TabKey>(() =>
    trackingOnly ? 'tracking' : (stored ?? (sessionStorage.getItem('hotline.followUpsAll') === '1' ? 'all' : 'due')),
  );

  useEffect(() => {
    if (!trackingOnly) sessionStorage.setItem('hotline.followUpsTab', tab);
  }, [tab, trackingOnly]);

  return (
    <div className="follow-ups">
      <Tabs activeKey={tab} onChange={(k) => setTab(k as TabKey)}>
        {!trackingOnly && <Tabs.Tab title="今日应回访" key="due" />}
        {!trackingOnly && <Tabs.Tab title="全部待回访" key="all" />}
        <Tabs.Tab title="跟踪办理" key="tracking" />
      </Tabs>
      {tab === 'tracking' ? <TrackedTickets /> : <VisitQueue all={tab === 'all'} />}
    </div>
  );
}

function VisitQueue({ all }: { all: boolean }) {
  const { reference } = useApp();
  const [items, setItems] = useState<FollowUpItem[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (everything: boolean, after?: string) => {
    setError(null);
    try {
      const page = await loopApi.followUps(everything, after);
      setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
      setCursor(page.nextCursor);
    } catch (e) {
      setError(describeError(e));
    }
  }, []);

  useEffect(() => {
    sessionStorage.setItem('hotline.followUpsAll', all ? '1' : '0');
    setItems(null);
    void load(all);
  }, [all, load]);

  return (
    <>
      {error && <ErrorBlock status="default" title="加载失败" description={error} />}
      {!items && !error && <Skeleton.Paragraph lineCount={5} animated />}
      {items && items.length === 0 && <ErrorBlock status="empty" title="没有待回访的工单" description="" />}
      {items && items.length > 0 && (
        <List data-testid="follow-up-list">
          {items.map((i) => (
            <List.Item
              key={i.id}
              onClick={() => navigate(`/ticket/${i.id}`)}
              description={
                <span>
                  {nameOf(reference.categories, i.categoryCode)} · 办结 {formatTime(i.closedAt)} · 应回访{' '}
                  {formatTime(i.visitDueAt)} · {i.units.map((u) => u.name).join('、')}
                </span>
              }
              extra={
                <span className="follow-up-tags">
                  {i.round > 1 && <Tag color="warning">第 {i.round} 轮</Tag>}
                  {i.noAnswer > 0 && <Tag color="default">未接 {i.noAnswer} 次</Tag>}
                </span>
              }
              arrowIcon
            >
              <span className="ledger-number">{i.number}</span> {i.subject}
            </List.Item>
          ))}
        </List>
      )}
      {cursor && (
        <Button block fill="none" onClick={() => void load(all, cursor)}>
          加载更多
        </Button>
      )}
    </>
  );
}

/**
 * R-14(3), issue 15.6: the tickets under follow-up the person may see (the ops department: all;
 * a unit: its own), each with its progress entries, newest first, naming the unit that recorded
 * them. The list is short (verified reports still being resolved), so each ticket is read whole.
 */
function TrackedTickets() {
  const { reference } = useApp();
  const [tickets, setTickets] = useState<Ticket[] | null>(null);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const page = await api.tickets({ status: 'follow_up', limit: 50 });
        const full = await Promise.all(page.items.map((i) => api.ticket(i.id)));
        if (!live) return;
        setTickets(full);
        setMore(page.nextCursor !== null);
      } catch (e) {
        if (live) setError(describeError(e));
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  if (error) return <ErrorBlock status="default" title="加载失败" description={error} />;
  if (!tickets) return <Skeleton.Paragraph lineCount={5} animated />;
  if (tickets.length === 0) return <ErrorBlock status="empty" title="没有跟踪办理中的工单" description="" />;
  return (
    <div className="tracked" data-testid="tracked-list">
      {tickets.map((t) => {
        const entries = t.timeline.filter((e) => PROGRESS.includes(e.action)).reverse();
        const units = t.assignments.filter((a) => a.status === 'replied');
        return (
          <div key={t.id} className="tracked-ticket" data-testid="tracked-ticket">
            <List.Item onClick={() => navigate(`/ticket/${t.id}`)} arrowIcon>
              <span className="ledger-number">{t.number}</span> {t.subject}
              <div className="muted small">
                {t.category.name} · 承办：
                {units.map((a) => `${a.unit.name}（${label(ROLE, a.role)}）`).join('、') || '—'}
              </div>
            </List.Item>
            {entries.length === 0 ? (
              <p className="muted small pad-x">尚无跟踪进展记录</p>
            ) : (
              <ul className="progress-entries">
                {entries.map((e, i) => (
                  <li key={`${e.at}-${i}`} className="progress-entry">
                    <div className="progress-head">
                      <Tag color={e.unit ? 'primary' : 'default'} fill="outline">
                        {e.unit ? nameOf(reference.units, e.unit) : '运营服务部'}
                      </Tag>{' '}
                      <span className="progress-who">{e.actor?.name ?? ''}</span>{' '}
                      <span className="muted small">
                        {formatTime(e.at)} · {label(ACTION, e.action)}
                      </span>
                    </div>
                    <div className="progress-text">{e.comment}</div>
                  </li>
                ))}
              </ul>
            )}
          </div>
        );
      })}
      {more && <p className="muted small pad-x">仅显示最近的 50 件，其余请在工单列表中按“跟踪中”筛选。</p>}
    </div>
  );
}
