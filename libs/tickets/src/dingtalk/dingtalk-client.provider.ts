import type { Provider } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { DingTalkRepository } from '@hotline/db';
import { SIM_APP } from '@hotline/demo';
import { DingTalkClient, type DingTalkClientOptions } from '@hotline/dingtalk';
import { CLOCK, type Clock } from '../clock';
import { PostgresCallBudget } from './dingtalk-call-budget';
import type { AppLinks } from './notice-composer';

export const DINGTALK_CLIENT = Symbol('DINGTALK_CLIENT');

/**
 * Where DingTalk is and who we are there. With the four DINGTALK_* settings: DingTalk itself.
 * Without them: the local simulator and its documented demo app. Only the base URLs and the
 * credentials differ; no other code asks which one it talks to (STYLE habit 10).
 */
export function dingTalkEndpoint(config: AppConfig): Omit<DingTalkClientOptions, 'onCall'> {
  const creds = config.dingtalk.credentials;
  if (creds) {
    return {
      oapiBaseUrl: config.dingtalk.oapiBaseUrl ?? 'https://oapi.dingtalk.com',
      apiBaseUrl: config.dingtalk.apiBaseUrl ?? 'https://api.dingtalk.com',
      ...creds,
    };
  }
  const sim = `http://127.0.0.1:${config.dingtalk.simulatorPort}`;
  return {
    oapiBaseUrl: config.dingtalk.oapiBaseUrl ?? sim,
    apiBaseUrl: config.dingtalk.apiBaseUrl ?? sim,
    ...SIM_APP,
  };
}

/** The micro-app's address and the corp id its links carry for 免登 (13.5). */
export function appLinks(config: AppConfig): AppLinks {
  return { publicUrl: config.publicUrl, corpId: dingTalkEndpoint(config).corpId };
}

export const dingTalkClientProvider: Provider = {
  provide: DINGTALK_CLIENT,
  inject: [APP_CONFIG, DingTalkRepository, CLOCK],
  useFactory: (config: AppConfig, repo: DingTalkRepository, clock: Clock) =>
    new DingTalkClient({
      ...dingTalkEndpoint(config),
      // The month a call counts in is the application's (the admin page reads it with that clock).
      monthClock: () => clock.now().getTime(),
      // 16.4: the per-API rate and the monthly quota are one budget for every process (PostgreSQL).
      budget: new PostgresCallBudget(repo),
      ...(config.dingtalk.monthlyQuota > 0 ? { monthlyQuota: config.dingtalk.monthlyQuota } : {}),
      // Quota (reference §8): every call is counted per month and API in the database.
      onCall: (api, month) => void repo.countCall(month, api).catch(() => undefined),
    }),
};
