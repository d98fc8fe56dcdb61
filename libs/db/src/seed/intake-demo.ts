import type { EntityManager } from 'typeorm';
import { TransitRepository, type RoutingRuleRow } from '../repositories/transit.repository';

/** default category/keyword rules (fares → 票务科, safety → 安全技术科); the admin edits them. */
export const DEFAULT_ROUTING_RULES: readonly RoutingRuleRow[] = [
  {
    categoryCode: null,
    keywords: ['票价', '刷卡', '扣费', '乘车码', '投币', '老年卡', '学生卡', '公交卡', '票务', '找零'],
    unitCode: 'fare',
    role: 'sole',
    note: '票务问题由票务科办理',
  },
  {
    categoryCode: null,
    keywords: ['事故', '摔倒', '急刹', '受伤', '碰撞', '安全', '冒烟', '起火'],
    unitCode: 'safety',
    role: 'lead',
    note: '安全事件由安全技术科主办',
  },
];

/** The demo company's routes, a few stops and vehicles, and the default rules (demo units). */
export async function seedIntakeDemo(m: EntityManager, now: Date): Promise<void> {
  const transit = new TransitRepository(m.connection);
  await transit.upsertRoutes(
    m,
    [
      { code: '12', name: '12路', branchCode: 'branch1', upTerminal: '火车站', downTerminal: '大学城' },
      { code: '35', name: '35路', branchCode: 'branch2', upTerminal: '汽车南站', downTerminal: '高新区' },
      { code: 'K1', name: 'K1路（快线）', branchCode: 'branch1', upTerminal: '机场', downTerminal: '人民广场' },
    ],
    now,
  );
  await transit.replaceStops(m, [
    { routeCode: '12', direction: 'up', seq: 1, name: '大学城' },
    { routeCode: '12', direction: 'up', seq: 2, name: '人民广场' },
    { routeCode: '12', direction: 'up', seq: 3, name: '火车站' },
    { routeCode: '35', direction: 'up', seq: 1, name: '高新区' },
    { routeCode: '35', direction: 'up', seq: 2, name: '汽车南站' },
  ]);
  await transit.upsertVehicles(
    m,
    [
      { plate: '京A12345', fleetNumber: '1201', routeCode: '12', branchCode: 'branch1' },
      { plate: '京B35035', fleetNumber: '3501', routeCode: '35', branchCode: 'branch2' },
    ],
    now,
  );
  if ((await transit.countRules(m)) === 0) await transit.replaceRules(m, [...DEFAULT_ROUTING_RULES]);
}
