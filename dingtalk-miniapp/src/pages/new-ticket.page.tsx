// 登记工单: the dispatcher registers a call while the caller is still on the line.
import { useMemo, useRef, useState } from 'react';
import { Button, Checkbox, Dialog, Form, Input, Selector, TextArea, Toast } from 'antd-mobile';
import { ApiError, api, describeError, newIdempotencyKey, outcomeUnknown } from '../api-client';
import { useApp } from '../app-context';
import { CHANNEL, URGENCY, options } from '../labels';
import { navigate } from '../router';
import { drafts } from '../session';
import { fromLocalInput } from '../time';
import { DeadlinePreviewNote } from '../components/deadline-preview';
import { ArticleSuggestions, RepeatPanel, RoutingHint } from '../components/intake-assist';
import { intakeApi, type KbSuggestion, type RepeatMatch } from '../intake-api';
import type { Ticket } from '../types';
import type { CreateTicketDto } from '../api/schema';

type Values = Record<string, unknown>;
const DRAFT_ID = 'new';
const DRAFT_FORM = 'ticket';
const first = (v: unknown) => (Array.isArray(v) ? (v[0] as string | undefined) : undefined);
const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const DEFAULTS: Values = { source: ['group_hotline'], channel: ['phone'], urgency: ['normal'] };

export function NewTicketPage() {
  const { reference } = useApp();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const idempotencyKey = useRef(newIdempotencyKey());
  /** The body the current key was sent with: a changed form is a new registration, with a new key. */
  const keyBody = useRef<string | null>(null);
  const initial = useMemo(() => ({ ...DEFAULTS, ...(drafts.load<Values>(DRAFT_ID, DRAFT_FORM) ?? {}) }), []);
  const [sourceCode, setSourceCode] = useState<string | undefined>(first(initial.source));
  const source = reference.sources.find((s) => s.code === sourceCode);

  /** Registers the form; `then` continues with the new ticket (a direct answer, a merge: issue 9). */
  const submit = async (v: Values, then?: (ticket: Ticket) => Promise<void>) => {
    if (busy) return;
    const body = {
      source: first(v.source),
      channel: first(v.channel),
      category: first(v.category),
      urgency: first(v.urgency) ?? 'normal',
      subject: text(v.subject),
      content: text(v.content),
      caller: { name: text(v.callerName), phone: text(v.callerPhone), address: text(v.callerAddress) },
      upstreamRef: text(v.upstreamRef),
      upstreamDeadline: fromLocalInput(v.upstreamDeadline as string),
      route: text(v.route),
      direction: text(v.direction),
      stop: text(v.stop),
      vehiclePlate: text(v.vehiclePlate),
      occurredAt: fromLocalInput(v.occurredAt as string),
      confidential: v.confidential === true,
      // The form's rules require source, channel and category; the API's DTO is the shape (issue 14.5).
    } as CreateTicketDto;
    setBusy(true);
    const sent = JSON.stringify(body);
    if (keyBody.current !== null && keyBody.current !== sent) idempotencyKey.current = newIdempotencyKey();
    keyBody.current = sent;
    try {
      // Issue 18.2: a retry of a registration whose answer was lost gets that ticket, not a second one.
      const ticket = await api.createTicket(body, idempotencyKey.current);
      drafts.clear(DRAFT_ID, DRAFT_FORM);
      idempotencyKey.current = newIdempotencyKey();
      keyBody.current = null;
      form.resetFields();
      Toast.show({ icon: 'success', content: `已登记 ${ticket.number}` });
      // The ticket exists now; a failed follow-up step is shown on its page, where it can be redone.
      if (then) await then(ticket).catch((e: unknown) => Toast.show({ icon: 'fail', content: describeError(e) }));
      navigate(`/ticket/${ticket.id}`);
    } catch (e) {
      // Keep the key only when the outcome is unknown (no answer, a server error); a definite answer means a new attempt.
      if (!outcomeUnknown(e)) {
        idempotencyKey.current = newIdempotencyKey();
        keyBody.current = null;
      }
      if (!(e instanceof ApiError && e.status === 401)) Toast.show({ icon: 'fail', content: describeError(e) });
    } finally {
      setBusy(false);
    }
  };

  /** one tap registers the consultation and answers it with the article (its use is counted). */
  const answerWith = async (a: KbSuggestion) => {
    const article = await intakeApi.article(a.id);
    // Issue 15.1: on chain B the answer goes to review and is reported upstream; it does not close at once.
    const reviewed = source?.chain === 'B';
    const ok = await Dialog.confirm({
      title: `引用“${article.title}”直接答复？`,
      content: reviewed ? (
        <>
          {article.body}
          <p className="form-note direct-answer-review">
            上级转办的工单（第四条、第八条）：答复将经发起部门、运营服务部负责人、公司办公室审核后上报办结。
          </p>
        </>
      ) : (
        article.body
      ),
      confirmText: '登记并答复',
      cancelText: '取消',
    });
    if (!ok) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    await submit(v as Values, async (t) => {
      await api.act(
        t.id,
        'answer_directly',
        { answer: article.body, articleId: article.id },
        newIdempotencyKey(),
        t.version,
      );
    });
  };

  /** 并单 — registers this call and merges it into the open matter; both callers get answered. */
  const mergeInto = async (m: RepeatMatch) => {
    const ok = await Dialog.confirm({
      content: `将本次来电并入 ${m.number}？来电人将作为该工单的共同来电人，办结后一并答复。`,
      confirmText: '登记并并单',
      cancelText: '取消',
    });
    if (!ok) return;
    const v = await form.validateFields().catch(() => null);
    if (!v) return;
    await submit(v as Values, async (t) => {
      await api.act(t.id, 'merge', { into: m.id }, newIdempotencyKey(), t.version);
    });
  };

  const clear = async () => {
    const ok = await Dialog.confirm({ content: '清空已填写的内容？', confirmText: '清空', cancelText: '取消' });
    if (!ok) return;
    drafts.clear(DRAFT_ID, DRAFT_FORM);
    form.setFieldsValue(Object.fromEntries(Object.keys(form.getFieldsValue()).map((k) => [k, undefined])));
    form.setFieldsValue(DEFAULTS);
    setSourceCode(first(DEFAULTS.source));
  };

  const required = (message: string) => [{ required: true, whitespace: true, message }];
  const pickRequired = (message: string) => [{ required: true, type: 'array' as const, min: 1, message }];

  return (
    <div className="new-ticket">
      <Form
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => void submit(v as Values)}
        onValuesChange={(_, all) => {
          drafts.save(DRAFT_ID, DRAFT_FORM, all);
          setSourceCode(first((all as Values).source));
        }}
        footer={
          <div className="form-footer">
            <Button size="large" onClick={() => void clear()} disabled={busy}>
              清空
            </Button>
            <Button type="submit" color="primary" size="large" loading={busy} disabled={busy} className="grow">
              登记工单
            </Button>
          </div>
        }
      >
        <Form.Header>来源与类型</Form.Header>
        <Form.Item name="source" label="来源" rules={pickRequired('请选择来源')}>
          <Selector columns={3} options={reference.sources.map((s) => ({ label: s.name, value: s.code }))} />
        </Form.Item>
        {source?.chain === 'B' && (
          <p className="form-note">政府来源：承办单位回复须经运营服务部负责人和公司办公室审核后上报。</p>
        )}
        <Form.Item name="channel" label="渠道" rules={pickRequired('请选择渠道')}>
          <Selector columns={4} options={options(CHANNEL)} />
        </Form.Item>
        <Form.Item name="category" label="事项类型" rules={pickRequired('请选择事项类型')}>
          <Selector columns={4} options={reference.categories.map((c) => ({ label: c.name, value: c.code }))} />
        </Form.Item>
        <Form.Item name="urgency" label="紧急程度">
          <Selector columns={4} options={options(URGENCY)} />
        </Form.Item>

        <Form.Header>来电人</Form.Header>
        <Form.Item name="callerName" label="姓名" rules={required('请填写来电人姓名')}>
          <Input placeholder="如：张先生" maxLength={50} clearable />
        </Form.Item>
        <Form.Item name="callerPhone" label="联系电话" rules={required('请填写联系电话')}>
          <Input type="tel" placeholder="手机或固话" maxLength={30} clearable />
        </Form.Item>
        <Form.Item name="callerAddress" label="地址（选填）">
          <Input placeholder="来电人地址" maxLength={200} clearable />
        </Form.Item>

        <Form.Item name="confidential" valuePropName="checked" help="保密件：承办单位看不到来电人信息">
          <Checkbox>保密件</Checkbox>
        </Form.Item>

        <Form.Header>诉求</Form.Header>
        <Form.Item name="subject" label="主题" rules={required('请填写主题')}>
          <Input placeholder="一句话概括，如：12路公交未停靠人民广场站" maxLength={200} clearable />
        </Form.Item>
        <Form.Item name="content" label="内容" rules={required('请填写诉求内容')}>
          <TextArea
            placeholder="来电人反映的情况和诉求"
            autoSize={{ minRows: 4, maxRows: 12 }}
            maxLength={20000}
            showCount
          />
        </Form.Item>
        <ArticleSuggestions onAnswer={(a) => void answerWith(a)} />

        <Form.Header>公交信息（选填）</Form.Header>
        <div className="two-col">
          <Form.Item name="route" label="线路">
            <Input placeholder="如：12路" maxLength={50} clearable />
          </Form.Item>
          <Form.Item name="direction" label="方向">
            <Input placeholder="如：往火车站" maxLength={50} clearable />
          </Form.Item>
          <Form.Item name="stop" label="站点">
            <Input placeholder="如：人民广场" maxLength={100} clearable />
          </Form.Item>
          <Form.Item name="vehiclePlate" label="车牌 / 车号">
            <Input placeholder="如：苏A12345" maxLength={30} clearable />
          </Form.Item>
        </div>
        <RoutingHint />
        <RepeatPanel onMerge={(m) => void mergeInto(m)} />
        <Form.Item name="occurredAt" label="发生时间">
          <Input type="datetime-local" />
        </Form.Item>

        {source?.chain === 'B' && (
          <>
            <Form.Header>上级转办</Form.Header>
            <div className="two-col">
              <Form.Item name="upstreamRef" label="上级工单号">
                <Input placeholder="市长热线等的工单编号" maxLength={100} clearable />
              </Form.Item>
              <Form.Item name="upstreamDeadline" label="上级办理期限">
                <Input type="datetime-local" />
              </Form.Item>
            </div>
          </>
        )}
        <DeadlinePreviewNote />
      </Form>
    </div>
  );
}
