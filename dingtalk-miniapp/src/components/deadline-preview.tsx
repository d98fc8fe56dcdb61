// Issue 6 item 4: the deadline a dispatch now would give, shown on the new-ticket form before
// saving. Watches source, category, urgency and the upstream deadline of the form it sits in.
import { useEffect, useState } from 'react';
import { Form } from 'antd-mobile';
import { adminApi, limitText, type DeadlinePreview } from '../admin-api';
import { describeError } from '../api-client';
import { useApp } from '../app-context';
import { formatTime, fromLocalInput } from '../time';
import './deadline-preview.css';

const first = (v: unknown) => (Array.isArray(v) ? (v[0] as string | undefined) : undefined);

/** Rendered inside the new-ticket <Form>: reads the fields through the form's context. */
export function DeadlinePreviewNote() {
  const { reference } = useApp();
  const source = first(Form.useWatch('source'));
  const category = first(Form.useWatch('category'));
  const urgency = first(Form.useWatch('urgency')) ?? 'normal';
  const upstreamRaw = Form.useWatch('upstreamDeadline') as string | undefined;
  // Only government sources (chain B) have the upstream fields; a value left from one is not sent.
  const chainB = reference.sources.find((s) => s.code === source)?.chain === 'B';
  const upstreamDeadline = chainB ? fromLocalInput(upstreamRaw) : undefined;
  const [state, setState] = useState<{ key: string; preview?: DeadlinePreview; error?: string } | null>(null);
  const key = [source, category, urgency, upstreamDeadline ?? ''].join('|');

  useEffect(() => {
    if (!source || !category) return;
    let live = true;
    // A short pause so typing an upstream deadline does not fire a request per keystroke.
    const timer = window.setTimeout(() => {
      adminApi.deadlinePreview({ source, category, urgency, upstreamDeadline }).then(
        (preview) => live && setState({ key, preview }),
        (e: unknown) => live && setState({ key, error: describeError(e) }),
      );
    }, 250);
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [key, source, category, urgency, upstreamDeadline]);

  if (!source || !category) {
    return <p className="form-note deadline-preview muted">选择来源和事项类型后显示办理期限。</p>;
  }
  if (!state) return <p className="form-note deadline-preview muted">正在计算办理期限…</p>;
  if (state.error) return <p className="form-note deadline-preview danger">办理期限计算失败：{state.error}</p>;
  const p = state.preview as DeadlinePreview;
  const capped = p.policy.source === 'upstream_margin';
  return (
    <div className={`form-note deadline-preview${state.key === key ? '' : ' stale'}`} aria-live="polite">
      <div>
        如现在派单，最晚回复时间 <strong className="preview-reply">{formatTime(p.replyDeadline)}</strong>
      </div>
      {p.coReplyDeadline !== p.replyDeadline && (
        <div className="small">
          会办单位须先于主办单位答复，最晚 <strong className="preview-co-reply">{formatTime(p.coReplyDeadline)}</strong>
          （提前 {p.coLeadWorkingDays} 个工作日）
        </div>
      )}
      <div className="muted small">
        {capped
          ? `上级期限 ${formatTime(p.policy.upstreamDeadline ?? '')} 前为四个审核环节预留 ${p.policy.marginWorkingDays ?? 0} 个工作日（来不及时留一半时间；时限规则为 ${limitText(p.limit)}，至 ${formatTime(p.policy.policyDeadline)}）`
          : `按时限规则：${limitText(p.limit)}${p.policy.note ? `（${p.policy.note}）` : ''}`}
        {p.acceptDeadline ? `；签收期限 ${formatTime(p.acceptDeadline)}` : ''}
      </div>
      {p.missingYears.length > 0 && (
        <div className="danger small">
          {p.missingYears.join('、')} 年节假日数据缺失，期限按周末休息估算，请联系管理员。
        </div>
      )}
    </div>
  );
}
