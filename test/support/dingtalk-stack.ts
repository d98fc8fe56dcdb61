// The whole DingTalk path for an e2e test: the simulator on its own port, the HTTP app pointed at
// it, and the worker's outbox sender on the same database and clock. Tests drain the outbox
// themselves and read what DingTalk received from the simulator's `/_sim` endpoints.
import { startDingTalkSimulator } from '../../apps/dingtalk-sim/src/simulator';
import type { OutboxSender } from '../../apps/worker/src/outbox/outbox-sender.service';
import { createTestApp, type TestApp } from './app';
import { ApiClient } from './api-client';
import { createTestSender } from './worker';

export type Sim = Awaited<ReturnType<typeof startDingTalkSimulator>>;

/** A to-do as the simulator lists it. */
export interface SimTodo {
  done: boolean;
  sourceId?: string;
  subject?: string;
  executorIds?: string[];
  [k: string]: unknown;
}

export interface DingTalkStack {
  sim: Sim;
  t: TestApp;
  api: ApiClient;
  sender: OutboxSender;
  /** GET on the simulator, parsed. */
  simGet(path: string): Promise<any>;
  /** A JSON request to the simulator; the status and the parsed body. */
  simPost(path: string, body: unknown, method?: string): Promise<{ status: number; body: any }>;
  /** The to-dos DingTalk holds for a person. */
  todos(userid: string): Promise<SimTodo[]>;
  /** The work notices DingTalk delivered to a person. */
  messages(userid: string): Promise<any[]>;
  close(): Promise<void>;
}

export async function startDingTalkStack(opts: {
  dbSuffix: string;
  env?: Record<string, string>;
}): Promise<DingTalkStack> {
  const sim = await startDingTalkSimulator({ port: 0, host: '127.0.0.1' });
  const t = await createTestApp({
    dbSuffix: opts.dbSuffix,
    env: { DINGTALK_SIM_PORT: String(sim.port), PUBLIC_URL: 'http://hotline.test', ...opts.env },
  });
  const s = await createTestSender(t.config, t.databaseUrl, t.clock);
  const simGet = async (path: string) => (await fetch(`${sim.url}${path}`)).json();
  return {
    sim,
    t,
    api: new ApiClient(t.app),
    sender: s.sender,
    simGet,
    simPost: async (path, body, method = 'POST') => {
      const r = await fetch(`${sim.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: r.status, body: await r.json().catch(() => null) };
    },
    todos: async (userid) => (await simGet(`/_sim/todos?userid=${encodeURIComponent(userid)}`)) as SimTodo[],
    messages: async (userid) => (await simGet(`/_sim/messages?userid=${encodeURIComponent(userid)}`)) as any[],
    close: async () => {
      await s.ctx.close();
      await t.close();
      await sim.close();
    },
  };
}
