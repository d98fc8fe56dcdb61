// 13.7: the caller on the ticket page. Masked as the API gives it; 保密 on a confidential ticket
// (保密件) for the handling units; for those allowed, 查看来电人号码 asks for a reason,
// reveals the number through the audited endpoint, and offers a tap-to-call link.
import { useState } from 'react';
import { Button, Form, Popup, Tag, TextArea, Toast } from 'antd-mobile';
import { api, describeError } from '../api-client';
import type { RevealedCaller, Ticket } from '../types';

/** Digits and a leading + only: what a tel: link may carry. */
function telHref(phone: string): string | null {
  const dial = phone.replace(/[^\d+]/g, '');
  return /\d{3,}/.test(dial) ? `tel:${dial}` : null;
}

export function CallerFacts({ ticket }: { ticket: Ticket }) {
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<RevealedCaller | null>(null);
  const { caller } = ticket;

  if (caller.hidden) {
    return (
      <div className="fact caller-fact">
        <dt>来电人</dt>
        <dd>
          保密
          <Tag color="warning" className="fact-note">
            保密件
          </Tag>
        </dd>
      </div>
    );
  }

  const masked = [caller.name, caller.phone].filter((x): x is string => !!x).join('　') || '（未登记）';
  const shown = revealed ? [revealed.name, revealed.phone].filter((x): x is string => !!x).join('　') : masked;
  const tel = revealed?.phone ? telHref(revealed.phone) : null;
  return (
    <>
      <div className="fact caller-fact">
        <dt>来电人</dt>
        <dd>
          <span className="caller-value">{shown || '（未登记）'}</span>
          {!revealed && caller.masked && (
            <Tag color="default" className="fact-note">
              已脱敏
            </Tag>
          )}
          {ticket.confidential && (
            <Tag color="warning" className="fact-note">
              保密件
            </Tag>
          )}
          {tel && (
            <a className="call-caller adm-button adm-button-primary adm-button-small" href={tel}>
              拨打 {revealed!.phone}
            </a>
          )}
          {!revealed && ticket.callerRevealable && (
            <Button
              size="small"
              color="primary"
              fill="outline"
              className="reveal-caller"
              onClick={() => setAsking(true)}
            >
              查看来电人号码
            </Button>
          )}
        </dd>
      </div>
      {revealed?.address && (
        <div className="fact">
          <dt>地址</dt>
          <dd>{revealed.address}</dd>
        </div>
      )}
      <RevealPopup
        ticketId={ticket.id}
        visible={asking}
        onClose={() => setAsking(false)}
        onRevealed={(c) => {
          setAsking(false);
          setRevealed(c);
        }}
      />
    </>
  );
}

function RevealPopup({
  ticketId,
  visible,
  onClose,
  onRevealed,
}: {
  ticketId: string;
  visible: boolean;
  onClose: () => void;
  onRevealed: (c: RevealedCaller) => void;
}) {
  const [busy, setBusy] = useState(false);
  const submit = async ({ reason }: { reason: string }) => {
    setBusy(true);
    try {
      onRevealed(await api.revealCaller(ticketId, reason.trim()));
    } catch (e) {
      Toast.show({ icon: 'fail', content: describeError(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Popup
      visible={visible}
      onMaskClick={busy ? undefined : onClose}
      position="bottom"
      className="action-popup"
      destroyOnClose
    >
      <div className="popup-head">
        <span>查看来电人号码</span>
        <button type="button" className="popup-close" onClick={onClose} aria-label="关闭">
          ×
        </button>
      </div>
      <div className="popup-body">
        <Form
          layout="vertical"
          onFinish={(v) => void submit(v as { reason: string })}
          footer={
            <Button block type="submit" color="primary" size="large" loading={busy} disabled={busy}>
              查看号码
            </Button>
          }
        >
          <Form.Item
            name="reason"
            label="查看原因"
            help="查看来电人信息会记录查看人、时间和原因（R-19）"
            rules={[
              { required: true, message: '请填写查看原因' },
              { min: 2, message: '请说明查看原因' },
            ]}
          >
            <TextArea placeholder="如：回电核实情况" maxLength={500} rows={2} />
          </Form.Item>
        </Form>
      </div>
    </Popup>
  );
}
