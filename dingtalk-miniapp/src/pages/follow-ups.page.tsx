// 回访: closed tickets whose follow-up call is due (from the next working day after
// closing), earliest first. A tap opens the ticket, where the 回访 form records the call.
import { useCallback, useEffect, useState } from 'react';
import { Button, ErrorBlock, List, Skeleton, Tabs, Tag } from 'antd-mobile';
import { describeError } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { loopApi, type FollowUpItem } from '../loop-api';
import { navigate } from '../router';
import { formatTime } from '../time';

export function FollowUpsPage() {
  const { reference } = useApp();
  const [all, setAll] = useState(() => sessionStorage.getItem('hotline.followUpsAll') === '1');
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
    <div className="follow-ups">
      <Tabs activeKey={all ? 'all' : 'due'} onChange={(k) => setAll(k === 'all')}>
        <Tabs.Tab title="今日应回访" key="due" />
        <Tabs.Tab title="全部待回访" key="all" />
      </Tabs>
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
    </div>
  );
}
