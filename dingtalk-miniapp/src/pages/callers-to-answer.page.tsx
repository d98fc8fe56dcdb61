// 待告知来电人 (X-6 并单): callers of merged matters whose ticket has closed and who have not been
// told the result yet. The ops department tells each one and records how; the row then goes.
// Callers are shown as the API masks them; nothing here un-masks.
import { useCallback, useState } from 'react';
import { Button, ErrorBlock, Form, Popup, Selector, Skeleton, TextArea, Toast } from 'antd-mobile';
import { errorField, intakeAdminApi, intakeError, type AnswerMethod, type CallerToAnswer } from '../intake-admin-api';
import { formatTime } from '../time';
import { useLoad } from '../components/panel';
import type { Ticket } from '../types';
import './admin.page.css';
import './intake-admin.css';

export const ANSWER_METHOD: Record<string, string> = {
  phone: '电话',
  sms: '短信',
  visit: '上门',
  wechat: '微信',
  other: '其他',
};

export const answersCallers = (roles: string[]) => roles.includes('dispatcher') || roles.includes('ops_head');

export function CallersToAnswerPage() {
  const load = useCallback(() => intakeAdminApi.callersToAnswer(), []);
  const { data: rows, setData: setRows, error, reload } = useLoad(load);
  const [answering, setAnswering] = useState<CallerToAnswer | null>(null);

  return (
    <div className="intake-admin callers-page">
      <p className="muted small pad-x">并单后的其他来电人：主工单办结后，由运营服务部逐一告知处理结果并登记。</p>
      {error && (
        <div className="state">
          <ErrorBlock status="default" title="加载失败" description={error} />
          <Button onClick={() => void reload()}>重试</Button>
        </div>
      )}
      {!rows && !error && <Skeleton.Paragraph lineCount={5} animated />}
      {rows && rows.length === 0 && <ErrorBlock status="empty" title="没有待告知的来电人" description="" />}
      {rows && rows.length > 0 && (
        <ul className="admin-rows callers-list" data-testid="callers-list">
          {rows.map((r) => (
            <li key={r.callerId} className="caller-row">
              <div className="grow">
                <a className="row-title" href={`#/ticket/${r.ticket.id}`}>
                  <span className="ledger-number">{r.ticket.number}</span> {r.ticket.subject}
                </a>
                <div className="caller-line">
                  来电人 {[r.caller.name, r.caller.phone].filter(Boolean).join('　') || '（已隐去）'}
                </div>
                <div className="muted small">
                  并单自 <a href={`#/ticket/${r.fromTicket.id}`}>{r.fromTicket.number}</a> · 办结{' '}
                  {formatTime(r.closedAt)}
                </div>
              </div>
              <Button size="small" color="primary" onClick={() => setAnswering(r)}>
                已告知
              </Button>
            </li>
          ))}
        </ul>
      )}
      <AnswerCallerPopup
        target={
          answering
            ? {
                ticketId: answering.ticket.id,
                callerId: answering.callerId,
                who: [answering.caller.name, answering.caller.phone].filter(Boolean).join(' '),
              }
            : null
        }
        onClose={() => setAnswering(null)}
        onDone={() => {
          const id = answering?.callerId;
          setAnswering(null);
          setRows((list) => (list ?? []).filter((x) => x.callerId !== id));
        }}
      />
    </div>
  );
}

/** Records that a merged caller was told the result: how, and what they were told. */
export function AnswerCallerPopup({
  target,
  onClose,
  onDone,
}: {
  target: { ticketId: string; callerId: string; who: string } | null;
  onClose: () => void;
  onDone: (ticket: Ticket) => void;
}) {
  const [form] = Form.useForm<{ method?: AnswerMethod[]; summary?: string }>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: { method?: AnswerMethod[]; summary?: string }) => {
    const method = v.method?.[0];
    if (!target) return;
    if (!method) {
      form.setFields([{ name: 'method', errors: ['请选择告知方式'] }]);
      return;
    }
    setBusy(true);
    try {
      const t = await intakeAdminApi.answerCaller(target.ticketId, target.callerId, {
        method,
        summary: v.summary ?? '',
      });
      Toast.show({ icon: 'success', content: '已登记告知' });
      onDone(t);
    } catch (e) {
      const field = errorField(e);
      if (field === 'method' || field === 'summary') form.setFields([{ name: field, errors: [(e as Error).message] }]);
      else Toast.show({ icon: 'fail', content: intakeError(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup visible={target !== null} onMaskClick={onClose} className="action-popup answer-caller-popup" destroyOnClose>
      {target && (
        <div className="popup-body">
          <div className="popup-head">
            <strong>告知来电人 {target.who}</strong>
            <Button size="small" fill="none" onClick={onClose}>
              取消
            </Button>
          </div>
          <Form
            form={form}
            layout="vertical"
            initialValues={{ method: ['phone'], summary: '' }}
            onFinish={(v) => void submit(v)}
            footer={
              <Button block type="submit" color="primary" loading={busy} disabled={busy}>
                登记已告知
              </Button>
            }
          >
            <Form.Item name="method" label="告知方式" rules={[{ required: true, message: '请选择告知方式' }]}>
              <Selector
                columns={5}
                options={Object.entries(ANSWER_METHOD).map(([value, label]) => ({ value, label }))}
              />
            </Form.Item>
            <Form.Item name="summary" label="告知内容" rules={[{ required: true, message: '请填写告知内容' }]}>
              <TextArea
                placeholder="告知的处理结果；来电人的意见"
                autoSize={{ minRows: 3, maxRows: 8 }}
                maxLength={2000}
              />
            </Form.Item>
          </Form>
        </div>
      )}
    </Popup>
  );
}
