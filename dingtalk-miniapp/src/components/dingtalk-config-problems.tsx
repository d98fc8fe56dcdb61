// 16.5: DingTalk refusals only the admin can fix (60011 a missing permission, 60020 the server's IP
// not on the allow-list, wrong app credentials), as sign-in met them; marked handled once fixed.
import { useCallback } from 'react';
import { Button, Dialog, Tag, Toast } from 'antd-mobile';
import { apiRequest as request, describeError } from '../api-client';
import { formatTime } from '../time';
import { Panel, useLoad } from './panel';

export interface DingTalkConfigProblem {
  code: string;
  kind: 'permission_denied' | 'ip_not_allowed' | 'invalid_credentials';
  advice: string;
  api: string;
  message: string;
  firstAt: string;
  lastAt: string;
  count: number;
}

const KIND: Record<string, string> = {
  permission_denied: '缺少接口权限',
  ip_not_allowed: 'IP 不在白名单',
  invalid_credentials: 'AppKey / AppSecret 错误',
};

const problems = () => request<DingTalkConfigProblem[]>('GET', '/api/admin/dingtalk/config-problems');

export function DingTalkConfigProblemsCard() {
  const { data, error, reload } = useLoad(problems);
  const handled = useCallback(
    async (p: DingTalkConfigProblem) => {
      const ok = await Dialog.confirm({
        title: '标记为已处理',
        content: `已在钉钉开发者后台处理「${KIND[p.kind] ?? p.kind}」（错误码 ${p.code}）？`,
        confirmText: '已处理',
        cancelText: '取消',
      });
      if (!ok) return;
      try {
        await request<void>('DELETE', `/api/admin/dingtalk/config-problems/${encodeURIComponent(p.code)}`);
        await reload();
      } catch (e) {
        Toast.show({ icon: 'fail', content: describeError(e) });
      }
    },
    [reload],
  );
  return (
    <Panel title="钉钉配置问题" id="admin-dingtalk-config" error={error} loading={!data} onRetry={() => void reload()}>
      {data && data.length === 0 && <p className="muted small">未发现配置问题：登录时钉钉未拒绝本应用。</p>}
      {data?.map((p) => (
        <div key={p.code} className="config-problem">
          <div>
            <Tag color="danger">{KIND[p.kind] ?? p.kind}</Tag> <span className="mono">错误码 {p.code}</span>{' '}
            <span className="muted small">
              {p.count} 次，最近 {formatTime(p.lastAt)}
            </span>
          </div>
          <div className="small">{p.advice}</div>
          <div className="muted small mono">
            {p.api}：{p.message}
          </div>
          <Button size="small" onClick={() => void handled(p)}>
            已处理
          </Button>
        </div>
      ))}
    </Panel>
  );
}
