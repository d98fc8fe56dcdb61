// 16.3: the admin page's list of work notices DingTalk accepted but did not deliver, with the reason.
import { Tag } from 'antd-mobile';
import { apiRequest as request } from '../api-client';
import { formatTime } from '../time';
import { Panel, useLoad } from './panel';
import type { NotReached } from './not-reached';

interface NotReachedRow extends NotReached {
  ticketId: string | null;
  ticketNumber: string | null;
  resentAs: number | null;
}

const load = () => request<NotReachedRow[]>('GET', '/api/admin/dingtalk/not-reached');

export function NotReachedCard() {
  const { data, error, reload } = useLoad(load);
  return (
    <Panel title="钉钉未送达" id="admin-not-reached" error={error} loading={!data} onRetry={() => void reload()}>
      {data && data.length === 0 && <p className="muted small">最近发出的工作通知均已送达。</p>}
      {data && data.length > 0 && (
        <table className="admin-table">
          <thead>
            <tr>
              <th>工单</th>
              <th>人员</th>
              <th>原因</th>
              <th>核对时间</th>
            </tr>
          </thead>
          <tbody>
            {data.map((r) => (
              <tr key={`${r.outboxId}-${r.userid}`}>
                <td>{r.ticketId ? <a href={`#/ticket/${r.ticketId}`}>{r.ticketNumber}</a> : '—'}</td>
                <td>{r.name ?? r.userid}</td>
                <td>
                  {r.reason} {r.resentAs !== null && <Tag color="primary">已重发</Tag>}
                </td>
                <td>{formatTime(r.checkedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
