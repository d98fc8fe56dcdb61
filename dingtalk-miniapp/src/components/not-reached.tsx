// 16.3: people a ticket's DingTalk work notices did not reach, per DingTalk's send result, so
// whoever reads the ticket knows to tell them another way.
import { useEffect, useState } from 'react';
import { apiRequest as request } from '../api-client';
import { formatTime } from '../time';

export interface NotReached {
  outboxId: number;
  userid: string;
  name: string | null;
  status: 'failed' | 'forbidden' | 'invalid';
  code: string | null;
  reason: string;
  checkedAt: string;
}

export function NotReachedNotice({ ticketId, version }: { ticketId: string; version: number }) {
  const [rows, setRows] = useState<NotReached[]>([]);
  useEffect(() => {
    let alive = true;
    request<NotReached[]>('GET', `/api/tickets/${encodeURIComponent(ticketId)}/not-reached`)
      .then((r) => alive && setRows(r))
      .catch(() => alive && setRows([]));
    return () => {
      alive = false;
    };
  }, [ticketId, version]);
  if (rows.length === 0) return null;
  return (
    <div className="sub-block warn not-reached">
      <strong>钉钉通知未送达</strong>
      {rows.map((r) => (
        <div key={`${r.outboxId}-${r.userid}`} className="small">
          {r.name ?? r.userid}：{r.reason}（{formatTime(r.checkedAt)}），请电话或当面告知
        </div>
      ))}
    </div>
  );
}
