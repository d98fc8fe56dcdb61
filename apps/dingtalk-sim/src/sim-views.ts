// What a person "sees" in the simulated DingTalk client: their work notices and to-dos, with
// links made openable in a desktop browser.
import type { Delivery, SimState, SimTodo } from './sim-state';
import { formatShanghai } from '@hotline/calendar';

export interface LinkView {
  label: string;
  /** As sent (possibly a dingtalk:// link). */
  original: string;
  /** A plain http(s) URL a browser can open, or undefined when there is none. */
  href: string | undefined;
}

export interface MessageView {
  taskId: number;
  userid: string;
  receivedAt: number;
  /** Asia/Shanghai, 'YYYY-MM-DD HH:mm'. */
  receivedAtText: string;
  msgtype: string;
  title: string;
  text: string;
  links: LinkView[];
  read: boolean;
  recalled: boolean;
  statusBar?: { statusValue: string; statusBg?: string };
  /** The msg as sent, parsed. */
  msg: Record<string, unknown>;
}

export interface TodoView {
  id: string;
  role: 'executor' | 'participant' | 'creator';
  subject: string;
  description: string;
  dueTime?: number;
  dueTimeText?: string;
  /** Done for this person: the whole task, or their own executor status. */
  done: boolean;
  priority?: number;
  sourceId?: string;
  creatorId: string;
  createdTime: number;
  detailUrl?: { appUrl?: string; pcUrl?: string };
  link?: LinkView;
}

/**
 * ref §7: `dingtalk://dingtalkclient/page/link?url=<encoded>` and
 * `dingtalk://dingtalkclient/action/openapp?…&redirect_url=<encoded>` open a URL inside DingTalk;
 * outside it, the inner URL is what a browser can open. Only http(s) results are returned.
 */
export function browserUrl(url: string): string | undefined {
  let target = url;
  if (url.startsWith('dingtalk://')) {
    try {
      const parsed = new URL(url);
      target = parsed.searchParams.get('url') ?? parsed.searchParams.get('redirect_url') ?? '';
    } catch {
      return undefined;
    }
  }
  return /^https?:\/\//i.test(target) ? target : undefined;
}

function link(label: string, value: unknown): LinkView | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  return { label, original: value, href: browserUrl(value) };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

/** Title, text and links of a notice, per msgtype (ref §5.3). */
export function summariseMessage(msg: Record<string, unknown>): { title: string; text: string; links: LinkView[] } {
  const type = str(msg.msgtype);
  const block = (msg[type] ?? {}) as Record<string, unknown>;
  const links: Array<LinkView | undefined> = [];
  let title = '';
  let text: string;
  switch (type) {
    case 'text':
      text = str(block.content);
      break;
    case 'markdown':
      title = str(block.title);
      text = str(block.text);
      break;
    case 'link':
      title = str(block.title);
      text = str(block.text);
      links.push(link('打开', block.messageUrl));
      break;
    case 'action_card':
      title = str(block.title);
      text = str(block.markdown);
      links.push(link(str(block.single_title) || '查看详情', block.single_url));
      if (Array.isArray(block.btn_json_list)) {
        for (const b of block.btn_json_list as Array<Record<string, unknown>>)
          links.push(link(str(b.title), b.action_url));
      }
      break;
    case 'oa': {
      const head = (block.head ?? {}) as Record<string, unknown>;
      const body = (block.body ?? {}) as Record<string, unknown>;
      title = str(body.title) || str(head.text);
      const form = Array.isArray(body.form) ? (body.form as Array<Record<string, unknown>>) : [];
      text = [...form.map((f) => `${str(f.key)} ${str(f.value)}`), str(body.content)]
        .filter((s) => s !== '')
        .join('\n');
      links.push(link('打开（电脑端）', block.pc_message_url) ?? link('打开', block.message_url));
      break;
    }
    default:
      text = `[${type}]`;
  }
  return { title, text, links: links.filter((l): l is LinkView => l !== undefined) };
}

export function messageView(d: Delivery): MessageView {
  const summary = summariseMessage(d.msg);
  return {
    taskId: d.taskId,
    userid: d.userid,
    receivedAt: d.at,
    receivedAtText: formatShanghai(new Date(d.at), 'never'),
    msgtype: str(d.msg.msgtype),
    ...summary,
    read: d.read,
    recalled: d.recalled,
    ...(d.statusBar ? { statusBar: d.statusBar } : {}),
    msg: d.msg,
  };
}

export function todoView(todo: SimTodo, role: TodoView['role'], unionid: string): TodoView {
  const pc = todo.detailUrl?.pcUrl;
  const app = todo.detailUrl?.appUrl;
  return {
    id: todo.id,
    role,
    subject: todo.subject,
    description: todo.description,
    ...(todo.dueTime !== undefined
      ? { dueTime: todo.dueTime, dueTimeText: formatShanghai(new Date(todo.dueTime), 'never') }
      : {}),
    done: todo.done || todo.executorDone[unionid] === true,
    ...(todo.priority !== undefined ? { priority: todo.priority } : {}),
    ...(todo.sourceId !== undefined ? { sourceId: todo.sourceId } : {}),
    creatorId: todo.creatorId,
    createdTime: todo.createdTime,
    ...(todo.detailUrl ? { detailUrl: todo.detailUrl } : {}),
    ...(pc || app ? { link: link('打开', pc || app) } : {}),
  };
}

/** The messages a person received, newest first (all people when userid is undefined). */
export function messagesOf(state: SimState, userid: string | undefined): MessageView[] {
  return state.messagesFor(userid).map(messageView);
}

/** The live to-dos that show for a person. */
export function todosOf(state: SimState, userid: string): TodoView[] | undefined {
  const user = state.org.user(userid);
  if (!user) return undefined;
  return state.todosForUnionid(user.unionid).map(({ todo, role }) => todoView(todo, role, user.unionid));
}
