// Default reference data (R-2 sources with their chain, R-6 categories). Admin-editable later;
// seeding never overwrites an existing row.
export const DEFAULT_SOURCES = [
  { code: 'group_hotline', name: '集团客服热线', chain: 'A' },
  { code: 'mayor_hotline', name: '市长公开电话', chain: 'B' },
  { code: 'mayor_mailbox', name: '市长信箱', chain: 'B' },
  { code: 'npc_cppcc', name: '人大政协提案', chain: 'B' },
  { code: 'people_daily', name: '人民网留言', chain: 'B' },
  { code: 'transport_bureau', name: '交通局转办', chain: 'B' },
  { code: 'xingfeng_online', name: '行风在线', chain: 'B' },
  { code: 'digital_city', name: '数字化城管', chain: 'B' },
  { code: 'chairman_mailbox', name: '董事长信箱', chain: 'A' },
  { code: 'direct', name: '直接来电', chain: 'direct' },
] as const;

export const DEFAULT_CATEGORIES = [
  { code: 'consultation', name: '咨询' },
  { code: 'complaint', name: '投诉' },
  { code: 'report', name: '举报' },
  { code: 'help', name: '求助' },
  { code: 'suggestion', name: '建议' },
  { code: 'lost_item', name: '寻物' },
  { code: 'praise', name: '表扬' },
] as const;

/**
 * X-1 defaults (REQUIREMENTS X-1): urgent 2 working hours; NPC/CPPCC proposals 3 calendar months;
 * consultation 3 working days; complaint, help, report, suggestion and the rest 5 working days;
 * accept within 1 working day (urgent: 30 minutes). Seeded only into an empty table.
 */
export const DEFAULT_TIME_LIMITS = [
  {
    sourceCode: null,
    categoryCode: null,
    urgency: null,
    accept: { amount: 1, unit: 'working_days' },
    reply: { amount: 5, unit: 'working_days' },
    review: { amount: 1, unit: 'working_days' },
    note: '默认：5个工作日',
  },
  {
    sourceCode: null,
    categoryCode: 'consultation',
    urgency: null,
    accept: { amount: 1, unit: 'working_days' },
    reply: { amount: 3, unit: 'working_days' },
    review: { amount: 1, unit: 'working_days' },
    note: '咨询：3个工作日',
  },
  {
    sourceCode: 'npc_cppcc',
    categoryCode: null,
    urgency: null,
    accept: { amount: 1, unit: 'working_days' },
    reply: { amount: 3, unit: 'calendar_months' },
    review: { amount: 5, unit: 'working_days' },
    note: '人大政协提案：3个月（最长6个月）',
  },
  {
    sourceCode: null,
    categoryCode: null,
    urgency: 'urgent',
    accept: { amount: 30, unit: 'minutes' },
    reply: { amount: 2, unit: 'working_hours' },
    review: { amount: 2, unit: 'working_hours' },
    note: '紧急：2个工作小时',
  },
] as const;
