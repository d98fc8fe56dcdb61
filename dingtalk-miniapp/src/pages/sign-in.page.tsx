// Sign-in: DingTalk 免登 inside the client; a demo person picker outside it (only where the API allows).
import { useCallback, useEffect, useState } from 'react';
import { Button, ErrorBlock, List, SpinLoading, Toast } from 'antd-mobile';
import { ApiError, api, describeError } from '../api-client';
import { corpIdFromUrl, getAuthCode, inDingTalk } from '../dingtalk';
import type { Session } from '../types';

const DEMO_PEOPLE: { userid: string; name: string; title: string }[] = [
  { userid: 'dispatcher1', name: '王敏', title: '派单员 · 运营服务部' },
  { userid: 'dispatcher2', name: '李娜', title: '派单员 · 运营服务部' },
  { userid: 'ops_head', name: '陈刚', title: '运营服务部负责人' },
  { userid: 'office_reviewer', name: '刘芳', title: '办公室审核人' },
  { userid: 'b1_receiver', name: '赵强', title: '接单员 · 第一分公司' },
  { userid: 'b1_leader', name: '孙伟', title: '分公司经理 · 第一分公司' },
  { userid: 'b2_receiver', name: '周洁', title: '接单员 · 第二分公司' },
  { userid: 'b2_leader', name: '吴磊', title: '分公司经理 · 第二分公司' },
  { userid: 'safety_receiver', name: '郑浩', title: '接单员 · 安全技术科' },
  { userid: 'safety_leader', name: '冯军', title: '科长 · 安全技术科' },
  { userid: 'fare_receiver', name: '何静', title: '接单员 · 票务科' },
  { userid: 'fare_leader', name: '许峰', title: '科长 · 票务科' },
  { userid: 'admin', name: '马超', title: '系统管理员' },
];

export function SignInPage({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const dingtalk = inDingTalk();
  return (
    <div className="sign-in">
      <header className="sign-in-head">
        <div className="logo">热线</div>
        <h1>热线工单</h1>
        <p>服务热线 · 集中受理 · 限时办理</p>
      </header>
      {dingtalk ? <DingTalkSignIn onSignedIn={onSignedIn} /> : <DemoSignIn onSignedIn={onSignedIn} />}
    </div>
  );
}

function DingTalkSignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [misconfigured, setMisconfigured] = useState(false);
  const [busy, setBusy] = useState(true);

  const run = useCallback(async () => {
    setBusy(true);
    setError(null);
    setMisconfigured(false);
    try {
      // 13.5: links from notices and to-dos carry ?corpId=; an older link or a bookmark asks the server.
      const corpId = corpIdFromUrl() ?? (await api.dingtalkCorp()).corpId;
      const code = await getAuthCode(corpId);
      onSignedIn(await api.dingtalkSignIn(code));
    } catch (e) {
      // 16.5: not the person's fault; the message names what the admin must fix
      setMisconfigured(e instanceof ApiError && e.code === 'DINGTALK_MISCONFIGURED');
      setError(e instanceof ApiError ? describeError(e) : e instanceof Error ? e.message : '钉钉登录失败');
    } finally {
      setBusy(false);
    }
  }, [onSignedIn]);

  useEffect(() => {
    void run();
  }, [run]);

  if (busy)
    return (
      <div className="center-block">
        <SpinLoading color="primary" />
        <p className="muted">正在通过钉钉登录…</p>
      </div>
    );
  return (
    <div className="center-block">
      <ErrorBlock
        status="default"
        title={misconfigured ? '系统配置有误，暂时无法登录' : '钉钉登录失败'}
        description={error ?? ''}
      />
      <Button block color="primary" size="large" onClick={() => void run()}>
        重新登录
      </Button>
    </div>
  );
}

function DemoSignIn({ onSignedIn }: { onSignedIn: (s: Session) => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [disabled, setDisabled] = useState(false);

  const pick = async (userid: string) => {
    if (busy) return;
    setBusy(userid);
    try {
      onSignedIn(await api.devSignIn(userid));
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setDisabled(true);
      else Toast.show({ icon: 'fail', content: describeError(e) });
    } finally {
      setBusy(null);
    }
  };

  if (disabled)
    return (
      <ErrorBlock
        status="disconnected"
        title="请在钉钉中打开"
        description="此环境未开放演示登录。请从钉钉工作台进入「热线工单」。"
      />
    );
  return (
    <div className="demo-people">
      <p className="muted hint">当前不在钉钉内。演示环境：请选择一位人员登录</p>
      <List mode="card">
        {DEMO_PEOPLE.map((p) => (
          <List.Item
            key={p.userid}
            className="person"
            prefix={<div className="avatar">{p.name.slice(-2)}</div>}
            description={p.title}
            extra={busy === p.userid ? <SpinLoading style={{ '--size': '18px' }} /> : p.userid}
            onClick={() => void pick(p.userid)}
            arrow
          >
            {p.name}
          </List.Item>
        ))}
      </List>
    </div>
  );
}
