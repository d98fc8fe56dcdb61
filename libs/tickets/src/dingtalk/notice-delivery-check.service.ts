import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  NoticeDeliveryRepository,
  TicketRepository,
  type NotReachedRow,
  type PersonDelivery,
  type UncheckedNotice,
} from '@hotline/db';
import type { DingTalkClient, SendResult } from '@hotline/dingtalk';
import { DomainError } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { requireAccess, scopeFor } from '../access/access';
import { OutboxComposer } from '../outbox/outbox-composer';
import { DINGTALK_CLIENT } from './dingtalk-client.provider';

/** A notice is checked this long after it was accepted (delivery is asynchronous, reference §5.1). */
export const DELIVERY_SETTLE_MS = 10_000;
/**
 * Silent drops a second try can help: 143103, the per-minute limit (reference §5.2, the
 * simulator's code for it), and plain failures. Not 143106 (the same content again today would be
 * dropped again), nor 143105 (the person's daily limit), nor invalid userids.
 */
const RESEND_CODES = new Set(['143103']);

export interface DeliveryCheckReport {
  checked: number;
  notReached: number;
  resent: number;
  stillSending: number;
}

/** What a person who was not reached is told on the ticket page and the admin page. */
export interface NotReachedView {
  outboxId: number;
  ticketId: string | null;
  ticketNumber: string | null;
  notice: string | null;
  userid: string;
  name: string | null;
  status: 'failed' | 'forbidden' | 'invalid';
  code: string | null;
  reason: string;
  checkedAt: string;
  resentAs: number | null;
}

const FORBIDDEN_REASONS: Record<string, string> = {
  '143103': '钉钉限流（每分钟发送人数超限）',
  '143104': '钉钉拦截（发送频率超限）',
  '143105': '该员工今日接收的工作通知已达上限',
  '143106': '相同内容今日已发送过，钉钉不再投递',
  '1430002': '钉钉拦截（该员工无法接收）',
  '1430004': '钉钉拦截（该员工无法接收）',
};

export function notReachedReason(status: string, code: string | null): string {
  if (status === 'invalid') return '钉钉账号无效（userid 不存在或已离职）';
  if (status === 'failed') return '钉钉发送失败';
  return `${(code && FORBIDDEN_REASONS[code]) ?? '钉钉拦截'}（${code ?? '未知代码'}）`;
}

function toView(r: NotReachedRow): NotReachedView {
  return { ...r, reason: notReachedReason(r.status, r.code), checkedAt: r.checkedAt.toISOString() };
}

/** Each person's outcome in one task's result (reference §5.4). */
function outcomes(taskId: number, userids: string[], result: SendResult): PersonDelivery[] {
  const forbidden = new Map((result.forbidden_list ?? []).map((f) => [f.userid, String(f.code)]));
  const failed = new Set(result.failed_user_id_list ?? []);
  const invalid = new Set(result.invalid_user_id_list ?? []);
  const delivered = new Set([...(result.read_user_id_list ?? []), ...(result.unread_user_id_list ?? [])]);
  return userids.map((userid) => {
    if (forbidden.has(userid)) return { userid, taskId, status: 'forbidden', code: forbidden.get(userid)! };
    if (invalid.has(userid)) return { userid, taskId, status: 'invalid', code: null };
    if (failed.has(userid) || !delivered.has(userid)) return { userid, taskId, status: 'failed', code: null };
    return { userid, taskId, status: 'delivered', code: null };
  });
}

/**
 * 16.3: a notice counts as delivered only when DingTalk's send result says so. The worker checks
 * each sent notice once it has settled: waits for the send to finish (getsendprogress), reads
 * getsendresult, records each person's outcome, and re-sends once to those a second try can help.
 * The rest show on the ticket page ("not reached") and the admin page.
 */
@Injectable()
export class NoticeDeliveryCheckService {
  private readonly logger = new Logger(NoticeDeliveryCheckService.name);

  constructor(
    private readonly repo: NoticeDeliveryRepository,
    private readonly tickets: TicketRepository,
    private readonly composer: OutboxComposer,
    @Inject(DINGTALK_CLIENT) private readonly client: DingTalkClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** One round; a round another worker is running already is skipped (16.4: no send result read twice). */
  async runOnce(limit = 20): Promise<DeliveryCheckReport> {
    const skipped: DeliveryCheckReport = { checked: 0, notReached: 0, resent: 0, stillSending: 0 };
    return (await this.repo.exclusively(() => this.checkDue(limit))) ?? skipped;
  }

  private async checkDue(limit: number): Promise<DeliveryCheckReport> {
    const report: DeliveryCheckReport = { checked: 0, notReached: 0, resent: 0, stillSending: 0 };
    for (const notice of await this.repo.unchecked(this.clock.now(), DELIVERY_SETTLE_MS, limit)) {
      try {
        await this.check(notice, report);
      } catch (err) {
        // left unchecked: the next run tries again while DingTalk still keeps the result (24 h)
        this.logger.warn({ outboxId: notice.id, err }, 'notice delivery check failed');
      }
    }
    return report;
  }

  private async check(notice: UncheckedNotice, report: DeliveryCheckReport): Promise<void> {
    const userids = Array.isArray(notice.payload.userids) ? (notice.payload.userids as string[]) : [];
    const people: PersonDelivery[] = [];
    for (const [i, taskId] of notice.taskIds.entries()) {
      // the sender sends 100 userids per task, in order (reference §5.1)
      const batch = userids.slice(i * 100, i * 100 + 100);
      const result = await this.client.getCompletedSendResult(taskId, 2, 200);
      if (!result) {
        report.stillSending++;
        return;
      }
      people.push(...outcomes(taskId, batch, result));
    }
    const again =
      notice.payload.resendOf === undefined
        ? people.filter((p) => p.status === 'failed' || (p.status === 'forbidden' && RESEND_CODES.has(p.code!)))
        : [];
    const resentTo = again.map((p) => p.userid);
    const resend = again.length ? { userids: resentTo, row: this.composer.resend(notice, resentTo) } : null;
    const { recorded } = await this.repo.record(notice, people, resend, this.clock.now());
    if (!recorded) return;
    report.checked++;
    report.resent += again.length;
    report.notReached += people.filter((p) => p.status !== 'delivered').length - again.length;
  }

  /** The people this ticket's notices did not reach (no re-send under way), for whoever sees the ticket. */
  async notReachedOnTicket(user: CurrentUser, ticketId: string): Promise<NotReachedView[]> {
    const scope = scopeFor(user);
    if (!scope || !(await this.tickets.load(ticketId, scope))) {
      throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    }
    return (await this.repo.notReachedOnTicket(ticketId)).map(toView);
  }

  /** The admin page's list of people not reached, with the reason. */
  async recentNotReached(user: CurrentUser, limit = 50): Promise<NotReachedView[]> {
    requireAccess(user, 'admin.dingtalk');
    return (await this.repo.recentNotReached(limit)).map(toView);
  }
}
