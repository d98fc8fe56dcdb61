import { Button, List } from 'antd-mobile';
import { navigate } from '../router';
import { useApp } from '../app-context';
import { USER_ROLE, label } from '../labels';
import { mayEditKb } from './knowledge-base.page';
import { answersCallers } from './callers-to-answer.page';
import { seesTransit } from './transit.page';
import { usesUpstreamIntake } from './upstream-intake.page';
import { readsCases } from './case-library.page';

export function MePage() {
  const { session, signOut } = useApp();
  const u = session.user;
  return (
    <div className="me">
      <div className="me-head">
        <div className="avatar big">{u.name.slice(-2)}</div>
        <div>
          <div className="me-name">{u.name}</div>
          <div className="muted">{u.title}</div>
        </div>
      </div>
      <List mode="card" header="身份">
        <List.Item extra={u.roles.map((r) => label(USER_ROLE, r)).join('、')}>角色</List.Item>
        {u.units.map((unit) => (
          <List.Item key={unit.code} extra={unit.isLeader ? '负责人' : '成员'}>
            {unit.name}
          </List.Item>
        ))}
        <List.Item extra={u.userid}>账号</List.Item>
      </List>
      <List mode="card" header="受理台">
        <List.Item
          arrow
          onClick={() => navigate('/kb')}
          description={mayEditKb(u.roles) ? '查找、编写和维护常见问题答复' : '常见问题的答复'}
        >
          办事指南
        </List.Item>
        {readsCases(u.roles) && (
          <List.Item arrow onClick={() => navigate('/cases')} description="责任投诉的案例分析，供培训学习（第十六条）">
            案例库
          </List.Item>
        )}
        {u.roles.some((r) => ['dispatcher', 'ops_head', 'receiver', 'unit_leader'].includes(r)) && (
          // Issue 15.6 (R-14(3)): reports found true under follow-up, with each unit's progress.
          <List.Item arrow onClick={() => navigate('/follow-ups')} description="经核查属实、继续跟踪的工单及各单位进展">
            回访与跟踪
          </List.Item>
        )}
        {answersCallers(u.roles) && (
          <List.Item arrow onClick={() => navigate('/callers')} description="并单后尚未告知处理结果的来电人">
            待告知来电人
          </List.Item>
        )}
        {seesTransit(u.roles) && (
          <List.Item arrow onClick={() => navigate('/transit')} description="线路、站点、车辆与分派规则">
            线路与车辆
          </List.Item>
        )}
        {usesUpstreamIntake(u.roles) && (
          <List.Item
            arrow
            onClick={() => navigate('/upstream')}
            description={u.roles.includes('admin') ? '接入密钥、Excel 批量导入' : 'Excel 批量导入上级转办事项'}
          >
            上级系统接入
          </List.Item>
        )}
      </List>
      {u.roles.includes('admin') && (
        <List mode="card" header="管理">
          <List.Item
            arrow
            onClick={() => navigate('/admin')}
            description="人员与角色、单位、来源与类型、钉钉额度、发送失败、组织同步、节假日、时限、审计"
          >
            系统管理
          </List.Item>
        </List>
      )}
      <div className="pad">
        <Button block size="large" color="danger" fill="outline" onClick={signOut}>
          退出登录
        </Button>
      </div>
    </div>
  );
}
