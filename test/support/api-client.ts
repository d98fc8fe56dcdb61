// A small test client over the public HTTP contract: sign in as demo people and act.
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signIn } from './app';

export interface Reply<T = any> {
  status: number;
  body: T;
}

export class ApiClient {
  private tokens = new Map<string, string>();
  constructor(private readonly app: NestFastifyApplication) {}

  async token(userid: string): Promise<string> {
    let t = this.tokens.get(userid);
    if (!t) {
      t = await signIn(this.app, userid);
      this.tokens.set(userid, t);
    }
    return t;
  }

  async call(
    userid: string | null,
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const auth = userid ? { authorization: `Bearer ${await this.token(userid)}` } : {};
    const res = await this.app.inject({ method, url, payload: payload as never, headers: { ...auth, ...headers } });
    return { status: res.statusCode, body: res.body ? res.json() : undefined };
  }

  get(userid: string | null, url: string) {
    return this.call(userid, 'GET', url);
  }

  post(userid: string | null, url: string, payload?: unknown, headers?: Record<string, string>) {
    return this.call(userid, 'POST', url, payload ?? {}, headers);
  }

  async act(userid: string, ticketId: string, action: string, body: unknown = {}, headers?: Record<string, string>) {
    return this.post(userid, `/api/tickets/${ticketId}/actions/${action}`, body, headers);
  }

  /** Acts and insists on success. */
  async ok(userid: string, ticketId: string, action: string, body: unknown = {}) {
    const r = await this.act(userid, ticketId, action, body);
    if (r.status !== 200) throw new Error(`${userid} ${action} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async createTicket(userid: string, overrides: Record<string, unknown> = {}) {
    const r = await this.post(userid, '/api/tickets', {
      source: 'group_hotline',
      channel: 'phone',
      category: 'complaint',
      subject: '12路公交车未停靠人民广场站',
      content: '市民反映12路公交车上行方向在人民广场站未停车，耽误上班。',
      caller: { name: '张三丰', phone: '13812345678', address: '人民路100号3单元' },
      route: '12',
      direction: '上行',
      stop: '人民广场',
      vehiclePlate: '京A12345',
      ...overrides,
    });
    if (r.status !== 201) throw new Error(`create → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }
}

export function replyBody(now: Date, overrides: Record<string, unknown> = {}) {
  return {
    content: '经核查，该车驾驶员确未进站停靠，已对其批评教育并扣除当月绩效。',
    handledAt: now.toISOString(),
    handler: '赵强',
    callerContact: {
      contacted: true,
      method: 'phone',
      at: now.toISOString(),
      summary: '已电话告知来电人处理结果，来电人表示认可。',
    },
    satisfaction: 'satisfied',
    ...overrides,
  };
}
