// 工单详情: facts, masked caller, units with deadlines, timeline, and the actions the API offers.
import { useCallback, useEffect, useState } from 'react';
import { Button, Card, ErrorBlock, Skeleton, Steps, Tag } from 'antd-mobile';
import { api, describeError } from '../api-client';
import { nameOf, useApp } from '../app-context';
import { AssignmentTag, Deadline, StatusTag } from '../components/deadline';
import { AttachmentList, AttachmentPicker } from '../components/attachments';
import { TicketCallers } from '../components/ticket-callers';
import { CallerFacts } from '../components/caller-contact';
import { NotReachedNotice } from '../components/not-reached';
import {
  ACTION,
  CHANNEL,
  CONTACT_METHOD,
  NOT_CONTACTED_REASON,
  PARTY_KIND,
  ROLE,
  SATISFACTION,
  STATUS,
  STEP,
  URGENCY,
  label,
} from '../labels';
import { countdown, formatTime, useNow } from '../time';
import type { ActionName, Assignment, Attachment, CaseFile, Ticket, TimelineEvent, UpstreamAnswer } from '../types';
import { ActionPanel } from './action-forms';

const NEGATIVE: ActionName[] = ['reject_reply', 'reject_return', 'send_back', 'revoke', 'request_return'];
const NEGATIVE_EXTRA: ActionName[] = ['reject_extension', 'flag_untrue_reply'];
const SECONDARY: ActionName[] = ['remind', 'record_follow_up', 'request_extension'];

export function TicketDetailPage({ id }: { id: string }) {
  const [ticket, setTicket] = useState<Ticket | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<ActionName | null>(null);
  /** The unit whose 改派 control was pressed (issue 15.9). */
  const [forUnit, setForUnit] = useState<string | undefined>(undefined);
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const { session } = useApp();
  const now = useNow();

  const load = useCallback(async () => {
    try {
      const [t, files] = await Promise.all([api.ticket(id), api.attachments(id).catch(() => null)]);
      setTicket(t);
      if (files) setAttachments(files);
      setError(null);
    } catch (e) {
      setError(describeError(e));
    }
  }, [id]);
  const addAttachment = (a: Attachment) => setAttachments((list) => [...list, a]);

  useEffect(() => {
    void load();
  }, [load]);

  if (error && !ticket)
    return (
      <div className="state">
        <ErrorBlock status="default" title="无法打开工单" description={error} />
        <Button color="primary" onClick={() => void load()}>
          重新加载
        </Button>
      </div>
    );
  if (!ticket)
    return (
      <div className="pad">
        <Skeleton.Title animated />
        <Skeleton.Paragraph lineCount={8} animated />
      </div>
    );

  // The assignment fields name people by userid; the timeline knows their names.
  const names = new Map(ticket.timeline.filter((e) => e.actor).map((e) => [e.actor!.userid, e.actor!.name]));
  const who = (userid: string | null | undefined) => (userid ? (names.get(userid) ?? userid) : '');
  // The API takes ticket files from whoever may act now, and from dispatchers.
  const mayUpload = ticket.actions.length > 0 || session.user.roles.includes('dispatcher');
  const ticketFiles = attachments.filter((a) => a.kind === 'ticket');
  // 并单 (X-6) is offered where the repeat is found: the new-ticket form's repeat panel; 改派
  // (issue 15.9) on each unit's assignment.
  const barActions = ticket.actions.filter((a) => a !== 'merge' && a !== 'reroute');
  const mayReroute = ticket.actions.includes('reroute');
  const openFor = (action: ActionName, unit?: string) => {
    setForUnit(unit);
    setOpen(action);
  };

  return (
    <div className={ticket.actions.length ? 'ticket has-actions' : 'ticket'}>
      <Card className="ticket-head">
        <div className="ticket-number">
          <span>{ticket.number}</span>
          <StatusTag status={ticket.status} step={ticket.step} />
        </div>
        <h2 className="ticket-subject">
          {ticket.urgency === 'urgent' && (
            <Tag color="danger" className="urgent">
              急
            </Tag>
          )}
          {ticket.subject}
        </h2>
        {ticket.status === 'in_review' && ticket.step && ticket.stepDeadline && (
          <div className="step-deadline">
            本环节（{label(STEP, ticket.step)}）最晚：{formatTime(ticket.stepDeadline)}{' '}
            <Deadline deadline={ticket.stepDeadline} now={now} />
          </div>
        )}
        <div className="ticket-tags">
          <Tag fill="outline">{ticket.source.name}</Tag>
          <Tag fill="outline">{ticket.category.name}</Tag>
          <Tag fill="outline">{label(CHANNEL, ticket.channel)}</Tag>
          <Tag fill="outline">
            {ticket.chain === 'B' ? '政府来源 · 需办公室审核' : ticket.chain === 'A' ? '钉钉派单' : '直接办理'}
          </Tag>
        </div>
      </Card>

      <div className="ticket-columns">
        <div className="ticket-main">
          <Card title="诉求内容" className="section">
            <p className="content-text">{ticket.content}</p>
            {ticket.directAnswer && (
              <div className="answer">
                <strong>直接答复：</strong>
                {ticket.directAnswer}
              </div>
            )}
            <AttachmentList items={ticketFiles} label={`附件（${ticketFiles.length}）`} />
            {mayUpload && <AttachmentPicker ticketId={ticket.id} onUploaded={addAttachment} />}
          </Card>

          <Card title={`承办单位（${ticket.assignments.length}）`} className="section">
            <NotReachedNotice ticketId={ticket.id} version={ticket.version} />
            {ticket.assignments.length === 0 ? (
              <p className="muted">尚未派单</p>
            ) : (
              ticket.assignments.map((a) => (
                <AssignmentBlock
                  key={a.id}
                  a={a}
                  now={now}
                  who={who}
                  files={attachments.filter((f) => f.assignmentId === a.id)}
                  onReroute={
                    mayReroute && REROUTABLE.includes(a.status) ? () => openFor('reroute', a.unit.code) : undefined
                  }
                />
              ))
            )}
          </Card>
          {ticket.upstreamAnswer && <UpstreamAnswerCard a={ticket.upstreamAnswer} />}
          {ticket.caseFile && <CaseFileCard f={ticket.caseFile} />}
        </div>
        <div className="ticket-side">
          <Card title="基本信息" className="section">
            <dl className="facts">
              <CallerFacts ticket={ticket} />
              {ticket.caller.address && <Fact k="地址" v={ticket.caller.address} />}
              <Fact k="来源" v={ticket.source.name} />
              <Fact k="渠道" v={label(CHANNEL, ticket.channel)} />
              <Fact k="事项类型" v={ticket.category.name} />
              <Fact k="紧急程度" v={label(URGENCY, ticket.urgency)} />
              {ticket.route && <Fact k="线路" v={[ticket.route, ticket.direction].filter(Boolean).join(' · ')} />}
              {ticket.stop && <Fact k="站点" v={ticket.stop} />}
              {ticket.vehiclePlate && <Fact k="车辆" v={ticket.vehiclePlate} />}
              {ticket.occurredAt && <Fact k="发生时间" v={formatTime(ticket.occurredAt)} />}
              <Fact k="受理时间" v={formatTime(ticket.receivedAt)} />
              {ticket.upstreamRef && <Fact k="上级工单号" v={ticket.upstreamRef} />}
              {ticket.upstreamDeadline && <Fact k="上级期限" v={formatTime(ticket.upstreamDeadline)} />}
              {ticket.closedAt && <Fact k="办结时间" v={formatTime(ticket.closedAt)} />}
            </dl>
          </Card>

          <TicketCallers ticket={ticket} onChange={setTicket} />

          <Card title="处理记录" className="section">
            <Timeline events={ticket.timeline} />
          </Card>
        </div>
      </div>

      {barActions.length > 0 && (
        <div className="action-bar">
          {barActions.map((a) => (
            <Button
              key={a}
              className="action-button"
              color={negative(a) ? 'danger' : SECONDARY.includes(a) ? 'default' : 'primary'}
              fill={negative(a) || SECONDARY.includes(a) ? 'outline' : 'solid'}
              onClick={() => openFor(a)}
            >
              {label(ACTION, a)}
            </Button>
          ))}
        </div>
      )}

      {open && (
        <ActionPanel
          ticket={ticket}
          action={open}
          initialUnit={forUnit}
          attachments={attachments}
          onAttachment={addAttachment}
          onClose={() => setOpen(null)}
          onDone={(t) => {
            setOpen(null);
            setTicket(t);
          }}
          onConflict={() => {
            setOpen(null);
            void load();
          }}
        />
      )}
    </div>
  );
}

/** Issue 15.10 (Art. 4): the one answer that goes upstream, as composed, edited and reported. */
function UpstreamAnswerCard({ a }: { a: UpstreamAnswer }) {
  return (
    <Card title="上报答复" className="section upstream-answer-card">
      <p className="content-text">{a.reported?.answer ?? a.answer}</p>
      <p className="muted small">
        {a.reported
          ? `已于 ${formatTime(a.reported.at)} 上报${a.reported.edited ? '（公司办公室审核定稿）' : '（各单位回复汇总）'}`
          : a.edited
            ? `公司办公室已修改${a.editedAt ? `（${formatTime(a.editedAt)}）` : ''}，待派单员上报`
            : '由各单位经审批的回复汇总（主办在前，会办在后），公司办公室审核时可修改'}
      </p>
    </Card>
  );
}

/** Issue 15.12 (Art. 16): the case file of the unit at fault, pending until it is written. */
function CaseFileCard({ f }: { f: CaseFile }) {
  return (
    <Card title="责任投诉案例" className="section case-file-card">
      <dl className="facts">
        <Fact k="责任单位" v={f.unit.name} />
        <Fact k="认定依据" v={f.basis} />
        {f.status === 'pending' ? (
          <Fact k="案例分析" v="待责任单位填写" />
        ) : (
          <>
            <Fact k="责任对象" v={`${label(PARTY_KIND, f.partyKind ?? '')} · ${f.party ?? ''}`} />
            <Fact k="原因分析" v={f.cause ?? ''} />
            <Fact k="整改措施" v={f.measures ?? ''} />
            <Fact k="警示教育" v={f.lesson ?? ''} />
            {f.writtenBy && f.writtenAt && <Fact k="填写" v={`${f.writtenBy.name} · ${formatTime(f.writtenAt)}`} />}
          </>
        )}
      </dl>
    </Card>
  );
}

/** Issue 15.9: assignments the ops department may re-route (still worked on, reply not approved). */
const REROUTABLE = ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'];

const negative = (a: ActionName) => NEGATIVE.includes(a) || NEGATIVE_EXTRA.includes(a);

function Fact({ k, v, note }: { k: string; v: string; note?: string }) {
  return (
    <div className="fact">
      <dt>{k}</dt>
      <dd>
        {v}
        {note && (
          <Tag color="default" className="fact-note">
            {note}
          </Tag>
        )}
      </dd>
    </div>
  );
}

function AssignmentBlock({
  a,
  now,
  who,
  files,
  onReroute,
}: {
  a: Assignment;
  now: number;
  who: (userid: string | null | undefined) => string;
  files: Attachment[];
  /** Issue 15.9: the dispatcher's 改派 control of this assignment. */
  onReroute?: () => void;
}) {
  const open = !['replied', 'returned', 'cancelled', 'withdrawn'].includes(a.status);
  const returnOpen =
    a.returnWindowEndsAt && Date.parse(a.returnWindowEndsAt) > now && ['pending_accept', 'accepted'].includes(a.status);
  return (
    <div className="assignment">
      <div className="assignment-head">
        <strong>{a.unit.name}</strong>
        <Tag color="primary" fill="outline">
          {label(ROLE, a.role)}
        </Tag>
        <AssignmentTag status={a.status} />
        {a.reworkCount > 0 && <Tag color="warning">重办 {a.reworkCount} 次</Tag>}
        {(a.untrueCount ?? 0) > 0 && (
          <Tag color="danger" className="untrue-tag">
            回复不实 {a.untrueCount} 次
          </Tag>
        )}
        {onReroute && (
          <Button size="mini" color="warning" fill="outline" className="reroute-button" onClick={onReroute}>
            改派
          </Button>
        )}
      </div>
      <div className="assignment-lines">
        <div>派单：{formatTime(a.dispatchedAt)}</div>
        {a.replyDeadline && (
          <div>
            最晚回复：{formatTime(a.replyDeadline)}{' '}
            {open && <Deadline deadline={a.replyDeadline} start={a.dispatchedAt} now={now} light={a.light} />}
          </div>
        )}
        {a.acceptedAt && (
          <div>
            签收：{who(a.acceptedBy)} {formatTime(a.acceptedAt)}
          </div>
        )}
        {returnOpen && <div className="muted">可申请退回：{countdown(a.returnWindowEndsAt, now)}</div>}
      </div>
      {a.extensionRequest && (
        <div className="sub-block warn">
          <div>
            <strong>延期申请</strong>　{who(a.extensionRequest.requestedBy)}{' '}
            {formatTime(a.extensionRequest.requestedAt)}
          </div>
          <div>
            延期 {a.extensionRequest.days} 个工作日，至 {formatTime(a.extensionRequest.newDeadline)}（待运营服务部审批）
          </div>
          <div>理由：{a.extensionRequest.reason}</div>
        </div>
      )}
      {(a.extensionCount ?? 0) > 0 && <div className="muted small">已延期 {a.extensionCount} 次</div>}
      {a.returnRequest && (
        <div className="sub-block warn">
          <div>
            <strong>退回申请</strong>　{who(a.returnRequest.requestedBy)} {formatTime(a.returnRequest.requestedAt)}
          </div>
          <div>理由：{a.returnRequest.reason}</div>
          <div>依据：{a.returnRequest.basis}</div>
        </div>
      )}
      {a.reply && (
        <div className="sub-block">
          <div>
            <strong>回复</strong>　{who(a.reply.submittedBy)} {formatTime(a.reply.submittedAt)}
            {a.reply.approvedBy
              ? `　领导审批：${who(a.reply.approvedBy)} ${formatTime(a.reply.approvedAt)}`
              : '　待领导审批'}
          </div>
          <p className="content-text">{a.reply.content}</p>
          <div className="muted small">
            办理时间 {formatTime(a.reply.handledAt)} · 经办人 {a.reply.handler}
          </div>
          <div className="muted small">
            来电人：
            {a.reply.callerContact.contacted
              ? `已${label(CONTACT_METHOD, a.reply.callerContact.method)}联系`
              : a.reply.callerContact.notContactedReason
                ? `未联系：${label(NOT_CONTACTED_REASON, a.reply.callerContact.notContactedReason)}`
                : '未联系'}
            （{formatTime(a.reply.callerContact.at)}）{a.reply.callerContact.summary} · 满意度：
            {label(SATISFACTION, a.reply.satisfaction)}
          </div>
        </div>
      )}
      <AttachmentList items={files} label={a.reply ? undefined : '办理附件'} />
    </div>
  );
}

function Timeline({ events }: { events: TimelineEvent[] }) {
  const { reference } = useApp();
  if (events.length === 0) return <p className="muted">暂无记录</p>;
  const ordered = [...events].reverse();
  return (
    <Steps direction="vertical" current={0} className="timeline">
      {ordered.map((e, i) => (
        <Steps.Step
          key={`${e.at}-${i}`}
          status={i === 0 ? 'process' : 'finish'}
          title={
            <span>
              {label(ACTION, e.action)}
              <span className="muted">　{e.actor?.name ?? '系统'}</span>
            </span>
          }
          description={
            <div className="timeline-desc">
              <div>
                {formatTime(e.at)}
                {e.unit ? ` · ${nameOf(reference.units, e.unit)}` : ''}
                {e.action === 'reroute' && typeof e.data?.to === 'string'
                  ? ` → ${nameOf(reference.units, e.data.to)}`
                  : ''}
                {e.toStatus && e.toStatus !== e.fromStatus ? ` · ${label(STATUS, e.toStatus)}` : ''}
                {e.step && e.toStatus === 'in_review' ? ` · ${label(STEP, e.step)}` : ''}
              </div>
              {e.comment && <div className="timeline-comment">{e.comment}</div>}
              {e.action === 'flag_untrue_reply' && typeof e.data?.replyDeadline === 'string' && (
                <div className="timeline-detail">改正后的最晚回复时间：{formatTime(e.data.replyDeadline)}</div>
              )}
            </div>
          }
        />
      ))}
    </Steps>
  );
}
