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
