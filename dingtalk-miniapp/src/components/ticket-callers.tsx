// X-6 并单: the other callers of a ticket (joined by merges), masked as the API shows them, with
// whether each has been told the result; the ops department records it once the ticket closed.
import { useState } from 'react';
import { Button, Card, Tag } from 'antd-mobile';
import { useApp } from '../app-context';
import { ANSWER_METHOD, AnswerCallerPopup, answersCallers } from '../pages/callers-to-answer.page';
import { label } from '../labels';
import { formatTime } from '../time';
import type { Ticket, TicketCaller } from '../types';
import '../pages/intake-admin.css';

export function TicketCallers({ ticket, onChange }: { ticket: Ticket; onChange: (t: Ticket) => void }) {
  const { session } = useApp();
  const [answering, setAnswering] = useState<TicketCaller | null>(null);
  const callers = ticket.callers ?? [];
  if (callers.length === 0) return null;
  const mayAnswer = answersCallers(session.user.roles) && ticket.status === 'closed';
  return (
    <Card title={`其他来电人（并单 ${callers.length}）`} className="section ticket-callers">
      {callers.map((c) => (
        <div key={c.id} className="caller-item">
          <div className="grow">
            <div>{[c.name, c.phone].filter(Boolean).join('　') || '（已隐去）'}</div>
            <div className="muted small">
              并单自 <a href={`#/ticket/${c.fromTicket.id}`}>{c.fromTicket.number}</a> · {formatTime(c.addedAt)}
            </div>
            {c.answered && (
              <div className="muted small">
                {label(ANSWER_METHOD, c.answered.method ?? 'other')}告知 {formatTime(c.answered.at)}
                {c.answered.summary ? `：${c.answered.summary}` : ''}
              </div>
            )}
          </div>
          {c.answered ? (
            <Tag color="success">已告知</Tag>
          ) : mayAnswer ? (
            <Button size="small" color="primary" onClick={() => setAnswering(c)}>
              已告知
            </Button>
          ) : (
            <Tag color="warning">待告知</Tag>
          )}
        </div>
      ))}
      <AnswerCallerPopup
        target={
          answering
            ? {
                ticketId: ticket.id,
                callerId: answering.id,
                who: [answering.name, answering.phone].filter(Boolean).join(' '),
              }
            : null
        }
        onClose={() => setAnswering(null)}
        onDone={(t) => {
          setAnswering(null);
          onChange(t);
        }}
      />
    </Card>
  );
}
