// The demo organisation: seeded into our database on an empty start and served by the DingTalk
// simulator as its demo company, so that the two always agree (ids are part of the public
// contract used by tests and the README).

export type GlobalRole = 'dispatcher' | 'ops_head' | 'office_reviewer' | 'admin';
export type UnitRole = 'receiver' | 'unit_leader';

export interface DemoUnit {
  code: string;
  name: string;
  kind: 'ops' | 'office' | 'department' | 'branch';
  /** DingTalk department id in the simulator's demo company. */
  deptId: number;
}

export interface DemoPerson {
  userid: string;
  unionid: string;
  name: string;
  mobile: string;
  title: string;
  unitCode: string;
  roles: Array<GlobalRole | UnitRole>;
  /** DingTalk's leader_in_dept for the person's department. */
  leader: boolean;
}

export const DEMO_CORP = {
  corpId: 'dingdemocorp0000000001',
  name: '示例公交集团有限公司',
  rootDeptId: 1,
} as const;

export const DEMO_UNITS: readonly DemoUnit[] = [
  { code: 'ops', name: '运营服务部', kind: 'ops', deptId: 100 },
  { code: 'office', name: '公司办公室', kind: 'office', deptId: 101 },
  { code: 'branch1', name: '第一分公司', kind: 'branch', deptId: 102 },
  { code: 'branch2', name: '第二分公司', kind: 'branch', deptId: 103 },
  { code: 'safety', name: '安全技术科', kind: 'department', deptId: 104 },
  { code: 'fare', name: '票务科', kind: 'department', deptId: 105 },
];

const p = (
  userid: string,
  name: string,
  unitCode: string,
  roles: DemoPerson['roles'],
  title: string,
  leader: boolean,
  mobileTail: string,
): DemoPerson => ({
  userid,
  unionid: `union-${userid.replace(/_/g, '-')}`,
  name,
  mobile: `1390000${mobileTail}`,
  title,
  unitCode,
  roles,
  leader,
});

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  p('dispatcher1', '王敏', 'ops', ['dispatcher'], '派单员', false, '0001'),
  p('dispatcher2', '李娜', 'ops', ['dispatcher'], '派单员', false, '0002'),
  p('ops_head', '陈刚', 'ops', ['ops_head'], '运营服务部负责人', true, '0003'),
  p('office_reviewer', '刘芳', 'office', ['office_reviewer'], '办公室审核人', true, '0004'),
  p('b1_receiver', '赵强', 'branch1', ['receiver'], '接单员', false, '0005'),
  p('b1_leader', '孙伟', 'branch1', ['unit_leader'], '分公司经理', true, '0006'),
  p('b2_receiver', '周洁', 'branch2', ['receiver'], '接单员', false, '0007'),
  p('b2_leader', '吴磊', 'branch2', ['unit_leader'], '分公司经理', true, '0008'),
  p('safety_receiver', '郑浩', 'safety', ['receiver'], '接单员', false, '0009'),
  p('safety_leader', '冯军', 'safety', ['unit_leader'], '科长', true, '0010'),
  p('fare_receiver', '何静', 'fare', ['receiver'], '接单员', false, '0011'),
  p('fare_leader', '许峰', 'fare', ['unit_leader'], '科长', true, '0012'),
  p('admin', '马超', 'ops', ['admin'], '系统管理员', false, '0013'),
];
