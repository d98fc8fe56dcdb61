// the ledger's columns in the .xlsx export, shared by the API and the export process
// (ledger-export.process.ts), which loads this without Nest (issue 19 goal 3).
import { formatShanghai } from '@hotline/calendar';
import type { LedgerRow } from '@hotline/db/ledger-export';
import type { XlsxCell } from './xlsx-stream';

const SATISFACTION_ZH: Record<string, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  unsatisfied: '不满意',
};
const VISIT_ZH: Record<string, string> = {
  pending: '待回访',
  reached: '已回访',
  unreachable: '无法联系',
  refused: '拒绝回访',
};
const STATUS_ZH: Record<string, string> = {
  registered: '已登记',
  in_progress: '办理中',
  in_review: '审核中',
  follow_up: '跟踪中',
  closed: '已办结',
  revoked: '已撤销',
};

/** the ledger's columns, in order (the screen shows the same fields). */
export const LEDGER_COLUMNS: Array<{ header: string; key: string; width: number; value: (r: LedgerRow) => XlsxCell }> =
  [
    { header: '工单号', key: 'number', width: 16, value: (r) => r.number },
    { header: '受理时间', key: 'receivedAt', width: 17, value: (r) => formatShanghai(r.receivedAt) },
    { header: '来源', key: 'source', width: 14, value: (r) => r.source },
    { header: '事项类型', key: 'category', width: 8, value: (r) => r.category },
    { header: '主题', key: 'subject', width: 30, value: (r) => r.subject },
    { header: '线路', key: 'route', width: 6, value: (r) => r.route ?? '' },
    { header: '承办单位', key: 'units', width: 24, value: (r) => r.units },
    { header: '答复单位', key: 'handlerUnit', width: 12, value: (r) => r.handlerUnit ?? '' },
    { header: '经办人', key: 'handler', width: 8, value: (r) => r.handler ?? '' },
    { header: '办理时间', key: 'handledAt', width: 17, value: (r) => (r.handledAt ? formatShanghai(r.handledAt) : '') },
    { header: '办理结果', key: 'reply', width: 40, value: (r) => r.reply ?? '' },
    { header: '回复诉求人情况', key: 'callerAnswer', width: 30, value: (r) => r.callerAnswer ?? '' },
    {
      header: '办理方式',
      key: 'directAnswer',
      width: 8,
      value: (r) => (r.directAnswer ? '直接答复' : r.units ? '转办' : ''),
    },
    {
      // R-6c, R-6d: every unit's reply, one per line.
      header: '各单位回复',
      key: 'unitReplies',
      width: 60,
      value: (r) =>
        r.unitReplies
          .map(
            (u) =>
              `${u.unit}（${u.role}）${u.handler} ${formatShanghai(u.handledAt)}：${u.content}（${u.callerAnswer}）`,
          )
          .join('\n'),
    },
    { header: '并入工单', key: 'mergedInto', width: 16, value: (r) => r.mergedInto?.number ?? '' },
    { header: '状态', key: 'status', width: 8, value: (r) => STATUS_ZH[r.status] ?? r.status },
    { header: '办结时间', key: 'closedAt', width: 17, value: (r) => (r.closedAt ? formatShanghai(r.closedAt) : '') },
    {
      header: '回访结果',
      key: 'visit',
      width: 10,
      value: (r) => (r.visitStatus ? (VISIT_ZH[r.visitStatus] ?? r.visitStatus) : ''),
    },
    {
      header: '是否解决',
      key: 'solved',
      width: 8,
      value: (r) => (r.visitSolved === null ? '' : r.visitSolved ? '是' : '否'),
    },
    {
      header: '满意度',
      key: 'satisfaction',
      width: 8,
      value: (r) => (r.visitSatisfaction ? SATISFACTION_ZH[r.visitSatisfaction] : ''),
    },
    { header: '超期', key: 'overdue', width: 6, value: (r) => (r.overdue ? '是' : '否') },
    { header: '退回次数', key: 'returns', width: 8, value: (r) => r.returns },
    { header: '延期次数', key: 'extensions', width: 8, value: (r) => r.extensions },
    { header: '重办次数', key: 'rework', width: 8, value: (r) => r.rework },
    {
      header: '责任认定',
      key: 'responsibility',
      width: 14,
      value: (r) =>
        r.responsibility === 'at_fault'
          ? `有责（${r.responsibleUnit ?? ''}）`
          : r.responsibility === 'not_at_fault'
            ? '无责'
            : '',
    },
  ];
