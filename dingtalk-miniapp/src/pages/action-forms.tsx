// One form per workflow action; the ticket page opens the ones named in `actions[]`.
import { useMemo, useRef, useState } from 'react';
import { Button, Dialog, Form, Input, Popup, Radio, Selector, Space, Switch, TextArea, Toast } from 'antd-mobile';
import { ApiError, CONFLICT_TEXT, api, describeError, newIdempotencyKey, outcomeUnknown } from '../api-client';
import { nameOf, useApp } from '../app-context';
import {
  ACTION,
  CONTACT_METHOD,
  NOT_CONTACTED_REASON,
  PARTY_KIND,
  ROLE,
  SATISFACTION,
  VISIT_OUTCOME,
  label,
  options,
} from '../labels';
import { drafts } from '../session';
import { countdown, formatTime, fromLocalInput, toLocalInput, useNow } from '../time';
import type { ActionName, Assignment, Attachment, Ticket, User } from '../types';
import { AttachmentList, AttachmentPicker } from '../components/attachments';

type Values = Record<string, unknown>;

/** Actions whose effect cannot be taken back get a confirmation (issue 6). */
const CONFIRM: Partial<Record<ActionName, string>> = {
  revoke: '撤销后工单将终止办理，且无法恢复。确定撤销？',
  dispatch: '确定按所选单位派单？承办单位将立即收到钉钉通知。',
  answer_directly: '直接答复后工单即告办结。确定提交？',
  request_return: '确定申请退回？将由运营服务部审核。',
  submit_reply: '确定提交回复？回复将送部门领导审批。',
  approve_reply: '审批通过后，回复即作为本单位正式回复。确定通过？',
  reject_reply: '确定驳回此回复，退回经办人重新办理？',
  approve_return: '同意退回后需重新派单。确定同意？',
  reject_return: '驳回后该单位须继续办理。确定驳回？',
  pass_review: '确定审核通过？',
  send_back: '确定退回承办单位重办？办理期限不变。',
  report_upstream: '确定已上报并办结此工单？',
  finish_follow_up: '确定结束跟踪并办结？',
  request_extension: '确定申请延期？批准前原期限照常计算。',
  approve_extension: '同意后该单位的最晚回复时间将顺延。确定同意？',
  reject_extension: '确定驳回延期申请？该单位须按原期限回复。',
  record_visit: '确定记录本次回访？不满意且认定单位责任的，工单将退回该单位重办。',
  mark_responsible: '确定提交责任认定？',
  write_case_file: '确定提交案例分析？提交后进入案例库，供培训使用。',
  flag_untrue_reply:
    '确定记为回复不实？该单位的回复将退回，须按新的最晚回复时间改正，并经单位领导重新审批；回复不实计入该单位考核（第十条）。',
  reroute: '确定改派？原单位的待办将关闭并收到改派通知，新单位立即收到派单通知并按时限重新计算最晚回复时间。',
};

/**
 * Issue 15.1 (Art. 4, Art. 8): on chain B a direct answer is reviewed and reported upstream like a
 * unit's reply; it does not close the ticket at once.
 */
const DIRECT_ANSWER_REVIEWED =
  '上级转办的工单（市长热线等，第四条、第八条）：直接答复不会立即办结，将依次经发起部门、运营服务部负责人、公司办公室审核，再由派单员上报办结。';

/** Issue 15.2 (R-9b): a unit's reply was approved on this ticket (now, or before a send-back). */
export function replyApprovedOnce(ticket: Ticket): boolean {
  return ticket.assignments.some(
    (a) => Boolean(a.reply?.approvedAt) || a.status === 'replied' || a.reworkCount > 0 || (a.untrueCount ?? 0) > 0,
  );
}

/** The confirmation of an action, worded for this ticket. */
export function confirmQuestion(action: ActionName, ticket: Ticket): string | undefined {
  if (action === 'answer_directly' && ticket.chain === 'B') return `${DIRECT_ANSWER_REVIEWED}确定提交？`;
  if (action === 'send_back' && ticket.directAnswer) {
    return ticket.assignments.some((a) => a.status === 'replied')
      ? '确定退回？直接答复将撤回，由答复的单位重新答复。'
      : '确定退回？直接答复将撤回，工单回到待派单，可重新答复或派单。';
  }
  if (action === 'revoke' && ticket.upstreamRef) {
    return `${CONFIRM.revoke}上级工单号 ${ticket.upstreamRef} 将被释放，上级系统可重新转办。`;
  }
  return CONFIRM[action];
}

/**
 * R-14(3), issue 15.6: the 继续跟踪 switch is offered exactly where the server accepts followUp:
 * the step that closes the ticket (the ops head's review on chain A and direct tickets, the
 * upstream report on chain B), for reports, complaints and help requests (FOLLOW_UP_CATEGORIES).
 */
export const FOLLOW_UP_CATEGORIES = ['report', 'complaint', 'help'];

export function followUpOffered(action: ActionName, ticket: Ticket): boolean {
  if (!FOLLOW_UP_CATEGORIES.includes(ticket.category.code)) return false;
  if (action === 'report_upstream') return true;
  return action === 'pass_review' && ticket.step === 'ops_review' && ticket.chain !== 'B';
}

/** Forms kept as drafts in localStorage: the ones where a person types a lot. */
const DRAFTED: ActionName[] = [
  'submit_reply',
  'request_return',
  'answer_directly',
  'reject_reply',
  'send_back',
  'request_extension',
  'revoke',
  'write_case_file',
  'record_unit_follow_up',
  'flag_untrue_reply',
];

const OPEN_ASSIGNMENT = ['pending_accept', 'accepted', 'awaiting_leader', 'return_requested'];

/**
 * Which assignment statuses each unit-scoped action acts on (`extension`: only with a pending
 * request; `answering`: only sole and lead units, whose reply is the ticket's).
 */
const UNIT_SCOPE: Partial<
  Record<ActionName, { statuses: string[]; mine: boolean; extension?: boolean; answering?: boolean }>
> = {
  accept: { statuses: ['pending_accept'], mine: true },
  request_return: { statuses: ['pending_accept', 'accepted'], mine: true },
  submit_reply: { statuses: ['accepted'], mine: true },
  approve_reply: { statuses: ['awaiting_leader'], mine: true },
  reject_reply: { statuses: ['awaiting_leader'], mine: true },
  approve_return: { statuses: ['return_requested'], mine: false },
  reject_return: { statuses: ['return_requested'], mine: false },
  request_extension: { statuses: ['pending_accept', 'accepted', 'awaiting_leader'], mine: true },
  approve_extension: { statuses: OPEN_ASSIGNMENT, mine: false, extension: true },
  reject_extension: { statuses: OPEN_ASSIGNMENT, mine: false, extension: true },
  // Issue 15.6: a unit that handled the ticket records its follow-up progress.
  record_unit_follow_up: { statuses: ['replied'], mine: true },
  // Issue 15.7: the ops department names the unit whose approved reply was found untrue.
  flag_untrue_reply: { statuses: ['replied'], mine: false, answering: true },
  // Issue 15.9 (改派): an assignment still being worked on (its reply not approved yet).
  reroute: { statuses: OPEN_ASSIGNMENT, mine: false },
};

export function unitCandidates(ticket: Ticket, action: ActionName, user: User): Assignment[] {
  const scope = UNIT_SCOPE[action];
  if (!scope) return [];
  const mine = new Set(user.units.map((u) => u.code));
  return ticket.assignments.filter(
    (a) =>
      scope.statuses.includes(a.status) &&
      (!scope.mine || mine.has(a.unit.code)) &&
      (!scope.extension || Boolean(a.extensionRequest)) &&
      (!scope.answering || (a.role !== 'co' && Boolean(a.reply?.approvedAt))),
  );
}

function defaults(action: ActionName, user: User, ticket: Ticket): Values {
  const now = toLocalInput(new Date());
  switch (action) {
    case 'submit_reply':
      return {
        handledAt: now,
        handler: user.name,
        contacted: true,
        method: ['phone'],
        contactAt: now,
        satisfaction: ['satisfied'],
      };
    case 'dispatch':
      return { mode: ['sole'], units: [], lead: [], co: [] };
    case 'pass_review':
      // Issue 15.10 (Art. 4): the office starts from the composed answer (or its earlier edit).
      return officeEdits(ticket)
        ? { followUp: false, upstreamAnswer: ticket.upstreamAnswer!.answer }
        : { followUp: false };
    case 'write_case_file': {
      // Issue 15.12: updating starts from what is written.
      const f = ticket.caseFile;
      return f?.status === 'written'
        ? { partyKind: [f.partyKind], party: f.party, cause: f.cause, measures: f.measures, lesson: f.lesson }
        : {};
    }
    case 'report_upstream':
      return { followUp: false };
    case 'flag_untrue_reply':
      // Art. 10 及时改正: three days by default; the ops department sets the time it needs.
      return { replyDeadline: toLocalInput(new Date(Date.now() + 3 * 24 * 3600_000)) };
    case 'request_extension':
      return { days: ['1'] };
    case 'record_visit':
      return { outcome: ['reached'], solved: ['yes'], satisfaction: ['satisfied'] };
    case 'mark_responsible':
      return { atFault: ['no'], opsWrites: false };
    default:
      return {};
  }
}

/** Issue 15.10: the office reviewer at its wording review edits the consolidated answer. */
export function officeEdits(ticket: Ticket): boolean {
  return ticket.step === 'office_review' && Boolean(ticket.upstreamAnswer);
}

const first = (v: unknown): string | undefined =>
  Array.isArray(v) ? (v[0] as string | undefined) : (v as string | undefined);
const text = (v: unknown): string | undefined => {
  const s = typeof v === 'string' ? v.trim() : '';
  return s ? s : undefined;
};

function buildBody(action: ActionName, v: Values, unit: string | undefined, ticket: Ticket): unknown {
  const withUnit = <T extends object>(b: T) => (unit ? { ...b, unit } : b);
  switch (action) {
    case 'dispatch': {
      const mode = first(v.mode);
      const assignments =
        mode === 'lead'
          ? [
              { unit: first(v.lead) as string, role: 'lead' },
              ...((v.co as string[]) ?? []).filter((c) => c !== first(v.lead)).map((c) => ({ unit: c, role: 'co' })),
            ]
          : ((v.units as string[]) ?? []).map((u) => ({ unit: u, role: 'sole' }));
      return { assignments, replyDeadline: fromLocalInput(v.replyDeadline as string) };
    }
    case 'accept':
      return withUnit({});
    case 'request_return':
      return withUnit({ reason: text(v.reason), basis: text(v.basis) });
    case 'submit_reply':
      return withUnit({
        content: text(v.content),
        handledAt: fromLocalInput(v.handledAt as string),
        handler: text(v.handler),
        callerContact: {
          contacted: Boolean(v.contacted),
          method: first(v.method) ?? 'phone',
          at: fromLocalInput(v.contactAt as string),
          summary: text(v.summary),
          // the reason only when the caller was not reached (the server refuses it otherwise).
          notContactedReason: v.contacted ? undefined : first(v.notContactedReason),
        },
        satisfaction: first(v.satisfaction) ?? 'unknown',
      });
    case 'approve_reply':
    case 'approve_return':
      return withUnit({ comment: text(v.comment) });
    case 'reject_reply':
    case 'reject_return':
      return withUnit({ comment: text(v.comment) });
    case 'pass_review':
      return {
        comment: text(v.comment),
        followUp: v.followUp ? true : undefined,
        // Issue 15.10: the text the office approved is the one reported upstream.
        upstreamAnswer: officeEdits(ticket) ? text(v.upstreamAnswer) : undefined,
      };
    case 'report_upstream':
      return { comment: text(v.comment), followUp: v.followUp ? true : undefined };
    case 'send_back': {
      // The reviewer's pick of replied units (absent when only one replied: the API's default).
      const units = Array.isArray(v.sendBackUnits) ? (v.sendBackUnits as string[]) : [];
      return { comment: text(v.comment), units: units.length ? units : undefined };
    }
    case 'record_follow_up':
      return { comment: text(v.comment) };
    case 'record_unit_follow_up':
      return withUnit({ comment: text(v.comment) });
    case 'flag_untrue_reply':
      return withUnit({ reason: text(v.reason), replyDeadline: fromLocalInput(v.replyDeadline as string) });
    case 'finish_follow_up':
    case 'remind':
      return { comment: text(v.comment) };
    case 'revoke':
      return { reason: text(v.reason) };
    case 'request_extension':
      return withUnit({ days: Number(first(v.days) ?? 1), reason: text(v.reason) });
    case 'approve_extension':
      return withUnit({ comment: text(v.comment) });
    case 'reject_extension':
      return withUnit({ comment: text(v.comment) });
    case 'answer_directly':
      return { answer: text(v.answer) };
    case 'reroute':
      return withUnit({ newUnit: first(v.newUnit), reason: text(v.reason) });
    case 'record_visit': {
      // solved and satisfaction only when reached; a unit only when unsatisfied.
      const outcome = first(v.outcome) ?? 'reached';
      if (outcome !== 'reached') return { outcome, comment: text(v.comment) };
      const satisfaction = first(v.satisfaction);
      const unitAtFault = satisfaction === 'unsatisfied' ? first(v.unitAtFault) : undefined;
      return { outcome, solved: first(v.solved) === 'yes', satisfaction, comment: text(v.comment), unitAtFault };
    }
    case 'mark_responsible': {
      const atFault = first(v.atFault) === 'yes';
      if (!atFault) return { atFault, basis: text(v.basis) };
      // Issue 15.12: the unit at fault writes the case file; the ops department only when it chooses to.
      return {
        atFault,
        basis: text(v.basis),
        responsibleUnit: first(v.responsibleUnit),
        caseFile: v.opsWrites ? caseFileBody(v) : undefined,
      };
    }
    case 'write_case_file':
      return caseFileBody(v);
  }
}

const caseFileBody = (v: Values) => ({
  cause: text(v.cause),
  partyKind: first(v.partyKind),
  party: text(v.party),
  measures: text(v.measures),
  lesson: text(v.lesson),
});

const required = (message: string) => [{ required: true, whitespace: true, message }];

/** A required multi-line field with its "please fill" message and a counted length. */
function TextField({
  name,
  label,
  missing,
  placeholder,
  rows = [3, 8],
  maxLength = 2000,
}: {
  name: string;
  label: string;
  /** The message when left empty. */
  missing: string;
  placeholder?: string;
  rows?: [number, number];
  maxLength?: number;
}) {
  return (
    <Form.Item name={name} label={label} rules={required(missing)}>
      <TextArea
        placeholder={placeholder}
        autoSize={{ minRows: rows[0], maxRows: rows[1] }}
        maxLength={maxLength}
        showCount
      />
    </Form.Item>
  );
}

/**
 * A refused action's toast (409). CONFLICT: someone else's change won. A refusal (INVALID_STATE)
 * gives the rule in the server's words, after "已被他人处理" when the ticket moved on since this page
 * showed it (another person acted first, so the rule is news to this one).
 */
async function conflictText(e: ApiError, shown: Ticket): Promise<string> {
  if (e.code === 'CONFLICT') return CONFLICT_TEXT;
  const now = await api.ticket(shown.id).catch(() => null);
  return now && now.version !== shown.version ? `${CONFLICT_TEXT}：${e.message}` : e.message;
}

export function ActionPanel({
  ticket,
  action,
  attachments,
  onAttachment,
  onClose,
  onDone,
  onConflict,
  initialUnit,
}: {
  ticket: Ticket;
  action: ActionName;
  /** The assignment the panel was opened for (the 改派 control of one unit, issue 15.9). */
  initialUnit?: string;
  attachments: Attachment[];
  onAttachment: (a: Attachment) => void;
  onClose: () => void;
  onDone: (t: Ticket) => void;
  onConflict: () => void;
}) {
  const { session, reference } = useApp();
  const user = session.user;
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey());
  const candidates = useMemo(() => unitCandidates(ticket, action, user), [ticket, action, user]);
  const [unit, setUnit] = useState<string | undefined>(
    candidates.find((a) => a.unit.code === initialUnit)?.unit.code ?? candidates[0]?.unit.code,
  );
  const [mode, setMode] = useState<string>('sole');
  const now = useNow(30_000);
  const drafted = DRAFTED.includes(action);
  const initial = useMemo(
    () => ({ ...defaults(action, user, ticket), ...((drafted && drafts.load<Values>(ticket.id, action)) || {}) }),
    [action, user, drafted, ticket],
  );
  const title = label(ACTION, action);

  const submit = async (values: Values) => {
    if (busy) return;
    const body = buildBody(action, values, unit, ticket);
    if (action === 'dispatch') {
      const list = (body as { assignments: { unit?: string }[] }).assignments;
      if (list.length === 0 || list.some((a) => !a.unit)) {
        Toast.show({ content: '请选择承办单位' });
        return;
      }
    }
    const question = confirmQuestion(action, ticket);
    if (question) {
      const ok = await Dialog.confirm({ title, content: question, confirmText: '确定', cancelText: '取消' });
      if (!ok) return;
    }
    setBusy(true);
    try {
      const updated = await api.act(ticket.id, action, body, idempotencyKey.current, ticket.version);
      if (drafted) drafts.clear(ticket.id, action);
      Toast.show({ icon: 'success', content: `${title}成功` });
      onDone(updated);
    } catch (e) {
      // Keep the key only when the outcome is unknown (no answer, a server error); a definite answer means a new attempt.
      if (!outcomeUnknown(e)) idempotencyKey.current = newIdempotencyKey();
      if (e instanceof ApiError && e.status === 409) {
        // The draft stays: the person may need the text for the next step.
        Toast.show({ content: await conflictText(e, ticket), duration: 4000 });
        onConflict();
      } else if (!(e instanceof ApiError && e.status === 401)) {
        Toast.show({ icon: 'fail', content: describeError(e) });
      }
    } finally {
      setBusy(false);
    }
  };

  const returnWindow = candidates[0]?.returnWindowEndsAt;
  const acting = candidates.find((a) => a.unit.code === unit) ?? candidates[0];
  const unitPicker =
    candidates.length > 1 && !initialUnit ? (
      <Form.Item
        label={
          action === 'reroute'
            ? '改派哪个单位的派单'
            : action.endsWith('_return')
              ? '申请退回的单位'
              : action.endsWith('_extension')
                ? '申请延期的单位'
                : action === 'flag_untrue_reply'
                  ? '回复不实的单位'
                  : '以哪个单位办理'
        }
      >
        <Radio.Group value={unit} onChange={(v) => setUnit(v as string)}>
          <Space direction="vertical">
            {candidates.map((a) => (
              <Radio key={a.id} value={a.unit.code}>
                {a.unit.name}（{label(ROLE, a.role)}）
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </Form.Item>
    ) : null;

  const unitOptions = reference.units.map((u) => ({ label: u.name, value: u.code }));

  return (
    <Popup visible onMaskClick={busy ? undefined : onClose} position="bottom" className="action-popup" destroyOnClose>
      <div className="popup-head">
        <span>{title}</span>
        <button type="button" className="popup-close" onClick={onClose} aria-label="关闭">
          ×
        </button>
      </div>
      <div className="popup-body">
        <Form
          form={form}
          layout="vertical"
          initialValues={initial}
          onFinish={(v) => void submit(v as Values)}
          onValuesChange={(_, all) => {
            if (drafted) drafts.save(ticket.id, action, all);
            if (action === 'dispatch') setMode(first((all as Values).mode) ?? 'sole');
          }}
          footer={
            <Button
              block
              type="submit"
              color={
                action.startsWith('reject') ||
                action === 'revoke' ||
                action === 'send_back' ||
                action === 'flag_untrue_reply' ||
                action === 'reroute'
                  ? 'danger'
                  : 'primary'
              }
              size="large"
              loading={busy}
              disabled={busy}
            >
              {action === 'accept' ? '确认签收' : `提交${title}`}
            </Button>
          }
        >
          {unitPicker}
          {renderFields(action, {
            mode,
            unitOptions,
            returnWindow,
            now,
            ticket,
            acting,
            unitName: (c) => nameOf(reference.units, c),
          })}
        </Form>
        {action === 'submit_reply' && acting && (
          <div className="pad-x reply-files">
            <AttachmentList items={attachments.filter((a) => a.assignmentId === acting.id)} label="回复附件" />
            <AttachmentPicker
              ticketId={ticket.id}
              assignmentId={acting.id}
              onUploaded={onAttachment}
              text="添加现场照片"
            />
          </div>
        )}
        {drafted && <p className="muted small pad-x">草稿自动保存在本机，登录过期也不会丢失。</p>}
      </div>
    </Popup>
  );
}

interface FieldContext {
  mode: string;
  unitOptions: { label: string; value: string }[];
  returnWindow: string | null | undefined;
  now: number;
  ticket: Ticket;
  acting: Assignment | undefined;
  unitName: (code: string) => string;
}

function comment(requiredMessage?: string, placeholder = '审核意见（选填）') {
  return (
    <Form.Item
      name="comment"
      label={requiredMessage ? '意见' : '意见（选填）'}
      rules={requiredMessage ? required(requiredMessage) : undefined}
    >
      <TextArea
        placeholder={requiredMessage ? '请填写意见' : placeholder}
        autoSize={{ minRows: 3, maxRows: 8 }}
        maxLength={2000}
        showCount
      />
    </Form.Item>
  );
}

function renderFields(action: ActionName, ctx: FieldContext) {
  switch (action) {
    case 'accept': {
      const left = ctx.returnWindow ? countdown(ctx.returnWindow, ctx.now) : null;
      return (
        <p className="form-note">
          签收后由本单位办理，并在最晚回复时间前回复。
          {left && Date.parse(ctx.returnWindow as string) > ctx.now
            ? `如非本单位职责，可在派单后 24 小时内申请退回（${left}）。`
            : ''}
        </p>
      );
    }
    case 'request_return': {
      const open = ctx.returnWindow && Date.parse(ctx.returnWindow) > ctx.now;
      return (
        <>
          <p className={open ? 'form-note' : 'form-note danger'}>
            {open
              ? `退回须在派单后 24 小时内提出：${countdown(ctx.returnWindow, ctx.now)}`
              : '已超过派单后 24 小时的退回时限，本单位须办理。'}
          </p>
          <TextField name="reason" label="退回理由" missing="请填写退回理由" placeholder="为什么不属于本单位职责" />
          <TextField
            name="basis"
            label="退回依据"
            missing="请填写退回依据"
            placeholder="职责分工文件、制度条款等"
            rows={[2, 6]}
          />
        </>
      );
    }
    case 'submit_reply':
      return (
        <>
          <TextField
            name="content"
            label="办理结果"
            missing="请填写办理结果"
            placeholder="调查核实情况、处理结果、依据"
            rows={[4, 12]}
            maxLength={20000}
          />
          <Form.Item name="handledAt" label="办理时间" rules={required('请填写办理时间')}>
            <Input type="datetime-local" />
          </Form.Item>
          <Form.Item name="handler" label="经办人" rules={required('请填写经办人')}>
            <Input placeholder="经办人姓名" maxLength={100} clearable />
          </Form.Item>
          <Form.Header>答复来电人</Form.Header>
          <ReplyContactFields />
          <Form.Item name="satisfaction" label="来电人满意度" rules={[{ required: true, message: '请选择满意度' }]}>
            <Selector options={options(SATISFACTION)} columns={4} />
          </Form.Item>
        </>
      );
    case 'reroute': {
      // Issue 15.9 (改派): to a unit not on the ticket, in the withdrawn unit's role, with a reason.
      const busy = new Set(
        ctx.ticket.assignments
          .filter((a) => !['returned', 'cancelled', 'withdrawn'].includes(a.status))
          .map((a) => a.unit.code),
      );
      const free = ctx.unitOptions.filter((o) => !busy.has(o.value));
      const from = ctx.acting;
      return (
        <>
          {from && (
            <p className="form-note reroute-from">
              将{from.unit.name}（{label(ROLE, from.role)}）的派单收回，改派给下面选择的单位，承办方式仍为
              {label(ROLE, from.role)}
              。原单位的待办随即关闭，不计入其超期、退回或重办考核；新单位按时限规则重新计算最晚回复时间。
            </p>
          )}
          <Form.Item
            name="newUnit"
            label="改派给"
            rules={[{ required: true, type: 'array', min: 1, message: '请选择改派给哪个单位' }]}
          >
            <Selector className="reroute-units" columns={2} options={free} />
          </Form.Item>
          <TextField
            name="reason"
            label="改派理由"
            missing="请填写改派理由"
            placeholder="为什么改由该单位办理"
            rows={[2, 6]}
          />
        </>
      );
    }
    case 'approve_reply':
      return comment(undefined, '审批意见（选填）');
    case 'reject_reply':
      return comment('请填写驳回理由');
    case 'approve_return':
      return comment(undefined, '意见（选填）。同意后请重新派单给正确的单位');
    case 'reject_return':
      return comment('请填写驳回理由，该单位须继续办理');
    case 'pass_review':
    case 'report_upstream':
      return (
        <>
          {officeEdits(ctx.ticket) && <UpstreamAnswerField ticket={ctx.ticket} />}
          {action === 'report_upstream' && ctx.ticket.upstreamAnswer && (
            <div className="upstream-answer-report" data-testid="upstream-answer-to-report">
              <div className="form-label">
                上报的答复
                {ctx.ticket.upstreamAnswer.edited ? '（公司办公室审核定稿）' : '（汇总各单位经审批的回复）'}
              </div>
              <p className="content-text">{ctx.ticket.upstreamAnswer.answer}</p>
              <p className="muted small">如需修改，请退回重办，经办公室重新审核（第四条）。</p>
            </div>
          )}
          {action === 'report_upstream' ? comment(undefined, '上报情况（选填）') : comment()}
          {followUpOffered(action, ctx.ticket) && (
            <Form.Item
              name="followUp"
              label="继续跟踪（经核查属实，办结后继续跟踪至完全处理完毕）"
              valuePropName="checked"
              description="第十四条（三）：举报、投诉（事故）和求助类事项。承办单位可记录跟踪进展，由运营服务部结束跟踪。"
            >
              <Switch className="follow-up-switch" />
            </Form.Item>
          )}
        </>
      );
    case 'send_back': {
      const replied = ctx.ticket.assignments.filter((a) => a.status === 'replied');
      if (replied.length < 2) return comment('请填写退回原因及重办要求');
      return (
        <>
          <Form.Item
            name="sendBackUnits"
            label="退回哪些单位重办"
            // Default: every unit whose reply answers for the ticket (a co unit's goes into the lead's).
            initialValue={replied.filter((a) => a.role !== 'co').map((a) => a.unit.code)}
            rules={[{ required: true, type: 'array', min: 1, message: '请至少选择一个单位' }]}
            description="会办单位重办时，主办单位的回复也一并退回重办。"
          >
            <Selector
              className="send-back-units"
              columns={2}
              multiple
              options={replied.map((a) => ({ label: `${a.unit.name}（${label(ROLE, a.role)}）`, value: a.unit.code }))}
            />
          </Form.Item>
          {comment('请填写退回原因及重办要求')}
        </>
      );
    }
    case 'write_case_file':
      return <CaseAnalysisFields ticket={ctx.ticket} />;
    case 'record_follow_up':
      return comment('请填写跟踪情况');
    case 'record_unit_follow_up':
      return (
        <>
          <p className="form-note">
            本工单经核查属实，正在跟踪办理（第十四条（三））。请记录本单位的后续处理进展，运营服务部将收到通知。
          </p>
          <TextField
            name="comment"
            label="跟踪进展"
            missing="请填写跟踪进展"
            placeholder="已采取的措施、处理到哪一步、下一步安排"
          />
        </>
      );
    case 'flag_untrue_reply':
      return <UntrueReplyFields acting={ctx.acting} now={ctx.now} />;
    case 'finish_follow_up':
      return comment(undefined, '跟踪结论（选填）');
    case 'remind':
      return comment(undefined, '催办内容（选填），将通知承办单位');
    case 'request_extension': {
      const a = ctx.acting;
      return (
        <>
          {a?.replyDeadline && (
            <p className="form-note">
              当前最晚回复时间 {formatTime(a.replyDeadline)}（{countdown(a.replyDeadline, ctx.now)}
              ）。延期按工作日计算， 须在期限前申请，由运营服务部审批；批准前原期限照常计算。
              {a.extensionCount ? `本单位已延期 ${a.extensionCount} 次。` : ''}
            </p>
          )}
          <Form.Item name="days" label="延期天数（工作日）" rules={[{ required: true, message: '请选择延期天数' }]}>
            <Selector columns={3} options={[1, 2, 3].map((d) => ({ label: `${d} 个工作日`, value: String(d) }))} />
          </Form.Item>
          <TextField
            name="reason"
            label="延期理由"
            missing="请填写延期理由"
            placeholder="为什么不能按期办结，需要做什么"
          />
        </>
      );
    }
    case 'approve_extension':
    case 'reject_extension': {
      const r = ctx.acting?.extensionRequest;
      return (
        <>
          {r && (
            <p className="form-note">
              {ctx.acting ? ctx.unitName(ctx.acting.unit.code) : ''}申请延期 {r.days} 个工作日，至{' '}
              {formatTime(r.newDeadline)}。 理由：{r.reason}
            </p>
          )}
          {action === 'approve_extension' ? comment(undefined, '意见（选填）') : comment('请填写驳回理由')}
        </>
      );
    }
    case 'revoke':
      return (
        <>
          <p className="form-note revoke-note">
            {replyApprovedOnce(ctx.ticket)
              ? '已有承办单位的回复经领导审批：撤销由运营服务部负责人办理，须写明理由。'
              : '回复经领导审批前，由发起部门（派单员）撤销。'}
            已超期的派单仍计入单位考核（R-9b、R-18）。
            {ctx.ticket.upstreamRef ? `上级工单号 ${ctx.ticket.upstreamRef} 将被释放，上级系统可重新转办。` : ''}
          </p>
          <TextField name="reason" label="撤销原因" missing="请填写撤销原因" placeholder="如：错派、重复登记" />
        </>
      );
    case 'record_visit':
      return <VisitFields ticket={ctx.ticket} />;
    case 'mark_responsible':
      return <ResponsibilityFields ticket={ctx.ticket} />;
    case 'answer_directly':
      return (
        <>
          {ctx.ticket.chain === 'B' && <p className="form-note direct-answer-review">{DIRECT_ANSWER_REVIEWED}</p>}
          <TextField
            name="answer"
            label="答复内容"
            missing="请填写答复内容"
            placeholder="已向来电人答复的内容"
            rows={[4, 12]}
            maxLength={20000}
          />
        </>
      );
    case 'dispatch':
      return (
        <>
          <Form.Item name="mode" label="派单方式">
            <Selector
              columns={2}
              options={[
                { label: '独办 / 多单位分别办理', value: 'sole' },
                { label: '主办 + 会办', value: 'lead' },
              ]}
            />
          </Form.Item>
          {ctx.mode === 'lead' ? (
            <>
              <Form.Item
                name="lead"
                label="主办单位（负责答复）"
                rules={[{ required: true, type: 'array', min: 1, message: '请选择主办单位' }]}
              >
                <Selector columns={2} options={ctx.unitOptions} />
              </Form.Item>
              <Form.Item
                name="co"
                label="会办单位（向主办单位提供意见）"
                rules={[{ required: true, type: 'array', min: 1, message: '请选择至少一个会办单位' }]}
              >
                <Selector columns={2} multiple options={ctx.unitOptions} />
              </Form.Item>
            </>
          ) : (
            <Form.Item
              name="units"
              label="承办单位（可多选，各自独立回复）"
              rules={[{ required: true, type: 'array', min: 1, message: '请选择承办单位' }]}
            >
              <Selector columns={2} multiple options={ctx.unitOptions} />
            </Form.Item>
          )}
          <Form.Item name="replyDeadline" label="最晚回复时间（留空按时限规则计算）">
            <Input type="datetime-local" />
          </Form.Item>
        </>
      );
  }
}

/**
 * Issue 15.7 (Art. 10 应及时改正): the unit's reply found untrue, why, and the new reply deadline;
 * the corrected reply goes through the unit leader again.
 */
function UntrueReplyFields({ acting, now }: { acting: Assignment | undefined; now: number }) {
  return (
    <>
      {acting?.reply && (
        <div className="form-note untrue-reply-quote">
          {acting.unit.name}的回复（{formatTime(acting.reply.approvedAt ?? acting.reply.submittedAt)} 经领导审批）：
          {acting.reply.content}
        </div>
      )}
      <p className="form-note">
        第十条：回复经调查与事实不符的，应及时改正。该单位须在新的期限内重新回复并经领导审批，再经审核；回复不实计入该单位考核。
      </p>
      <TextField
        name="reason"
        label="不实情况（理由）"
        missing="请填写不实情况"
        placeholder="经调查哪些内容与事实不符、依据是什么"
      />
      <Form.Item
        name="replyDeadline"
        label="改正后的最晚回复时间"
        rules={[
          { required: true, message: '请填写新的最晚回复时间' },
          {
            validator: async (_: unknown, v: unknown) => {
              const at = fromLocalInput(v as string);
              if (at && Date.parse(at) <= now) throw new Error('须晚于现在');
            },
          },
        ]}
      >
        <Input type="datetime-local" />
      </Form.Item>
    </>
  );
}

/** The units that answered for the ticket (sole or lead, not returned, cancelled or withdrawn). */
function answeringUnits(ticket: Ticket) {
  return ticket.assignments
    .filter((a) => a.role !== 'co' && !['returned', 'cancelled', 'withdrawn'].includes(a.status))
    .map((a) => ({ label: a.unit.name, value: a.unit.code }));
}

const YES_NO = [
  { label: '是', value: 'yes' },
  { label: '否', value: 'no' },
];

/**
 * R-13 (issue 15.8): how the caller was answered. Switched to 未联系, a reason from the list is
 * required and the summary says what was tried (the three calls, or the reason in words).
 */
function ReplyContactFields() {
  return (
    <>
      <Form.Item name="contacted" label="已联系来电人" valuePropName="checked">
        <Switch />
      </Form.Item>
      <Form.Item noStyle dependencies={['contacted']}>
        {(form) => {
          const contacted = Boolean(form.getFieldValue('contacted'));
          return (
            <>
              {!contacted && (
                <Form.Item
                  name="notContactedReason"
                  label="未联系原因"
                  rules={[{ required: true, message: '请选择未联系来电人的原因' }]}
                >
                  <Selector options={options(NOT_CONTACTED_REASON)} columns={2} />
                </Form.Item>
              )}
              <Form.Item
                name="method"
                label={contacted ? '联系方式' : '尝试联系方式'}
                rules={[{ required: true, message: '请选择联系方式' }]}
              >
                <Selector options={options(CONTACT_METHOD)} columns={5} />
              </Form.Item>
              <Form.Item
                name="contactAt"
                label={contacted ? '联系时间' : '最后尝试时间'}
                rules={required('请填写联系时间')}
              >
                <Input type="datetime-local" />
              </Form.Item>
              <TextField
                name="summary"
                label={contacted ? '答复情况' : '联系经过'}
                missing={contacted ? '请填写如何答复来电人' : '请写明未联系上的经过'}
                placeholder={
                  contacted
                    ? '告知的结果、过程和依据；来电人的意见'
                    : '每次联系的时间和方式（三次未接通须逐次写明）；选“其他”的写明原因'
                }
              />
            </>
          );
        }}
      </Form.Item>
    </>
  );
}

/** one follow-up call (回访): outcome, then solved and satisfaction apart; 重办 when the unit is at fault. */
function VisitFields({ ticket }: { ticket: Ticket }) {
  const satisfaction = Object.fromEntries(Object.entries(SATISFACTION).filter(([k]) => k !== 'unknown'));
  return (
    <>
      <Form.Item name="outcome" label="回访结果" rules={[{ required: true, message: '请选择回访结果' }]}>
        <Selector options={options(VISIT_OUTCOME)} columns={3} />
      </Form.Item>
      <Form.Item noStyle dependencies={['outcome', 'satisfaction']}>
        {(form) =>
          first(form.getFieldValue('outcome')) === 'reached' ? (
            <>
              <Form.Item name="solved" label="问题是否解决" rules={[{ required: true, message: '请选择' }]}>
                <Selector options={YES_NO} columns={2} />
              </Form.Item>
              <Form.Item name="satisfaction" label="满意度" rules={[{ required: true, message: '请选择满意度' }]}>
                <Selector options={options(satisfaction)} columns={3} />
              </Form.Item>
              {first(form.getFieldValue('satisfaction')) === 'unsatisfied' && (
                <Form.Item name="unitAtFault" label="属承办单位原因，退回重办（选填）">
                  <Selector options={answeringUnits(ticket)} columns={2} />
                </Form.Item>
              )}
            </>
          ) : (
            <p className="form-note">连续三次无人接听即记为"无法联系"，回访结束。</p>
          )
        }
      </Form.Item>
      {comment(undefined, '回访记录（选填）')}
    </>
  );
}

/**
 * Issue 15.10 (Art. 4): the consolidated answer in an editable text area, prefilled with the
 * composition of the approved replies (lead first, then co units) or the office's earlier edit.
 */
function UpstreamAnswerField({ ticket }: { ticket: Ticket }) {
  const a = ticket.upstreamAnswer!;
  return (
    <>
      <Form.Item
        name="upstreamAnswer"
        label="上报答复（汇总各单位回复，可修改）"
        rules={required('上报的答复不能为空')}
        description="审核通过后，派单员按此文本上报上级系统（第四条）。"
      >
        <TextArea
          className="upstream-answer-input"
          data-testid="upstream-answer-input"
          autoSize={{ minRows: 5, maxRows: 16 }}
          maxLength={8000}
          showCount
        />
      </Form.Item>
      <Form.Item noStyle dependencies={['upstreamAnswer']}>
        {(form) =>
          (form.getFieldValue('upstreamAnswer') as string | undefined)?.trim() !== a.composed.trim() && (
            <Button
              size="mini"
              fill="none"
              className="restore-composed"
              onClick={() => form.setFieldsValue({ upstreamAnswer: a.composed })}
            >
              恢复为各单位回复汇总
            </Button>
          )
        }
      </Form.Item>
    </>
  );
}

/** the analysis fields of a case file (cause, party, measures, lesson). */
function CaseFileFields() {
  return (
    <>
      <Form.Item name="partyKind" label="责任对象" rules={[{ required: true, message: '请选择' }]}>
        <Selector options={options(PARTY_KIND)} columns={4} />
      </Form.Item>
      <Form.Item name="party" label="具体对象" rules={required('请填写驾驶员工号、线路、车牌或单位')}>
        <Input placeholder="如：1路驾驶员 1024 号" maxLength={200} clearable />
      </Form.Item>
      <TextField name="cause" label="原因分析" missing="请填写原因" rows={[2, 6]} />
      <TextField name="measures" label="整改措施" missing="请填写整改措施" rows={[2, 6]} />
      <TextField name="lesson" label="警示教育" missing="请填写教训" rows={[2, 6]} />
    </>
  );
}

/** Issue 15.12 (Art. 16): the unit at fault writes (or updates) its case analysis. */
function CaseAnalysisFields({ ticket }: { ticket: Ticket }) {
  const f = ticket.caseFile;
  return (
    <>
      {f && (
        <p className="form-note" data-testid="case-file-basis">
          运营服务部认定{f.unit.name}有责，依据：{f.basis}。
          {f.status === 'written'
            ? '已填写的案例分析可在此修改。'
            : '请写明原因、整改措施和警示教育，供培训使用（第十六条）。'}
        </p>
      )}
      <CaseFileFields />
    </>
  );
}

/**
 * 有责/无责 with the basis. Issue 15.12: at fault names the unit, which writes the case
 * file (it gets a to-do); the ops department may write it here instead.
 */
function ResponsibilityFields({ ticket }: { ticket: Ticket }) {
  return (
    <>
      <Form.Item name="atFault" label="责任认定" rules={[{ required: true, message: '请选择' }]}>
        <Selector
          options={[
            { label: '有责', value: 'yes' },
            { label: '无责', value: 'no' },
          ]}
          columns={2}
        />
      </Form.Item>
      <TextField name="basis" label="认定依据" missing="请填写认定依据" placeholder="监控、调查记录等" rows={[2, 6]} />
      <Form.Item noStyle dependencies={['atFault', 'opsWrites']}>
        {(form) =>
          first(form.getFieldValue('atFault')) === 'yes' && (
            <>
              <Form.Item
                name="responsibleUnit"
                label="责任单位"
                rules={[{ required: true, message: '请选择责任单位' }]}
              >
                <Selector options={answeringUnits(ticket)} columns={2} />
              </Form.Item>
              <p className="form-note">责任单位将收到待办，由其领导或接单员填写案例分析（第十六条）。</p>
              <Form.Item name="opsWrites" label="由运营服务部直接填写案例档案" valuePropName="checked">
                <Switch />
              </Form.Item>
              {Boolean(form.getFieldValue('opsWrites')) && (
                <>
                  <Form.Header>案例档案</Form.Header>
                  <CaseFileFields />
                </>
              )}
            </>
          )
        }
      </Form.Item>
    </>
  );
}
