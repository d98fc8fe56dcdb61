// The demo visitor's window into the simulated DingTalk: pick a person, see their work notices
// and to-dos, and open the links into the micro-app in a normal browser.
import { ROOT_DEPT_ID } from './sim-org';
import type { SimState } from './sim-state';
import { messagesOf, todosOf, type LinkView } from './sim-views';

function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function linkHtml(l: LinkView): string {
  if (!l.href) return `<span class="muted" title="${esc(l.original)}">${esc(l.label)}（无法在浏览器中打开）</span>`;
  return `<a class="btn" href="${esc(l.href)}" target="_blank" rel="noopener">${esc(l.label || '打开')}</a>`;
}

const PRIORITY: Record<number, string> = { 10: '低', 20: '普通', 30: '紧急', 40: '非常紧急' };

const STYLE = `
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:0;background:#f2f3f5;color:#1f2329}
header{background:#0089ff;color:#fff;padding:12px 20px}
header h1{font-size:18px;margin:0}
header p{margin:4px 0 0;font-size:13px;opacity:.9}
main{max-width:860px;margin:16px auto;padding:0 12px}
form{background:#fff;padding:12px;border-radius:8px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
select,button{font-size:15px;padding:6px 8px}
section{margin-top:16px}
h2{font-size:16px;margin:0 0 8px}
.card{background:#fff;border-radius:8px;padding:12px 14px;margin-bottom:10px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card.recalled{opacity:.55}
.meta{font-size:12px;color:#8f959e;margin-bottom:6px}
.title{font-weight:600;margin-bottom:4px}
.text{white-space:pre-wrap;font-size:14px;margin-bottom:8px}
.btn{display:inline-block;margin-right:8px;padding:4px 10px;border:1px solid #0089ff;border-radius:4px;color:#0089ff;text-decoration:none;font-size:14px}
.tag{display:inline-block;font-size:12px;padding:0 6px;border-radius:3px;background:#e8f3ff;color:#0089ff;margin-left:6px}
.tag.done{background:#e8f8ee;color:#2ea121}
.tag.warn{background:#fff3e8;color:#e37318}
.muted{color:#8f959e;font-size:13px}
footer{max-width:860px;margin:24px auto;padding:0 12px;font-size:12px;color:#8f959e}
code{background:#e5e6eb;padding:0 4px;border-radius:3px}
`;

/** The page at `/`; viewing a person's notices marks them read, as opening the chat would. */
export function renderDemoPage(state: SimState, userid: string | undefined): string {
  const org = state.org;
  const groups = org
    .allDepartments()
    .filter((d) => d.deptId !== ROOT_DEPT_ID)
    .map((d) => ({ dept: d, people: org.directMembers(d.deptId) }))
    .filter((g) => g.people.length > 0);
  const rootPeople = org.directMembers(ROOT_DEPT_ID);
  const option = (u: { userid: string; name: string; title: string }): string =>
    `<option value="${esc(u.userid)}"${u.userid === userid ? ' selected' : ''}>${esc(u.name)}（${esc(u.title || u.userid)}）</option>`;
  const select = [
    rootPeople.length > 0
      ? `<optgroup label="${esc(org.department(ROOT_DEPT_ID)?.name)}">${rootPeople.map(option).join('')}</optgroup>`
      : '',
    ...groups.map((g) => `<optgroup label="${esc(g.dept.name)}">${g.people.map(option).join('')}</optgroup>`),
  ].join('');

  const person = userid ? org.user(userid) : undefined;
  let content = '<p class="muted">请选择一位员工，查看他/她在钉钉里收到的工作通知和待办。</p>';
  if (userid && !person) content = `<p class="muted">找不到员工 ${esc(userid)}。</p>`;
  if (person) {
    const messages = messagesOf(state, person.userid);
    state.markRead(person.userid);
    const todos = todosOf(state, person.userid) ?? [];
    const deptNames = person.deptIds.map((d) => org.department(d)?.name ?? String(d)).join('、');
    const messageCards = messages.length
      ? messages
          .map(
            (m) => `<div class="card${m.recalled ? ' recalled' : ''}">
  <div class="meta">${esc(m.receivedAtText)} · 工作通知 · ${esc(m.msgtype)}${m.read ? '' : '<span class="tag">未读</span>'}${
    m.recalled ? '<span class="tag warn">已撤回</span>' : ''
  }${m.statusBar ? `<span class="tag">${esc(m.statusBar.statusValue)}</span>` : ''}</div>
  ${m.title ? `<div class="title">${esc(m.title)}</div>` : ''}
  <div class="text">${esc(m.text)}</div>
  ${m.recalled ? '' : m.links.map(linkHtml).join('')}
</div>`,
          )
          .join('\n')
      : '<p class="muted">暂无工作通知。</p>';
    const todoCards = todos.length
      ? todos
          .map(
            (t) => `<div class="card">
  <div class="meta">${t.role === 'executor' ? '我执行的' : t.role === 'participant' ? '我参与的' : '我创建的'}${
    t.dueTimeText ? ` · 截止 ${esc(t.dueTimeText)}` : ''
  }${t.priority !== undefined ? ` · 优先级：${esc(PRIORITY[t.priority] ?? t.priority)}` : ''}${
    t.done ? '<span class="tag done">已完成</span>' : '<span class="tag warn">待处理</span>'
  }</div>
  <div class="title">${esc(t.subject)}</div>
  ${t.description ? `<div class="text">${esc(t.description)}</div>` : ''}
  ${t.link ? linkHtml(t.link) : ''}
</div>`,
          )
          .join('\n')
      : '<p class="muted">暂无待办。</p>';
    content = `<p>${esc(person.name)} · ${esc(person.title)} · ${esc(deptNames)} · userid <code>${esc(person.userid)}</code> · unionid <code>${esc(person.unionid)}</code></p>
<section><h2>工作通知（${messages.length}）</h2>${messageCards}</section>
<section><h2>待办（${todos.length}）</h2>${todoCards}</section>`;
  }

  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>钉钉模拟器 · ${esc(org.department(ROOT_DEPT_ID)?.name)}</title><style>${STYLE}</style></head>
<body>
<header><h1>钉钉模拟器</h1><p>${esc(org.department(ROOT_DEPT_ID)?.name)} · 本地演示用，不连接真实钉钉</p></header>
<main>
<form method="get" action="/"><label for="userid">员工：</label><select id="userid" name="userid">${select}</select><button type="submit">查看</button>${
    person ? ` <a class="btn" href="/?userid=${encodeURIComponent(person.userid)}">刷新</a>` : ''
  }</form>
${content}
</main>
<footer>演示应用：AppKey <code>${esc(state.app.appKey)}</code> · AgentId <code>${esc(state.app.agentId)}</code> · CorpId <code>${esc(
    state.app.corpId,
  )}</code>。测试接口见 <code>/_sim/…</code>（说明见 apps/dingtalk-sim/README.md）。消息中的 dingtalk:// 链接已改写为浏览器可打开的地址。</footer>
</body></html>`;
}
