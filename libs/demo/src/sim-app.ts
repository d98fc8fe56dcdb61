// The simulator's one demo app. Fixed and public on purpose: they only open the local stand-in.
import { DEMO_CORP } from './demo-organisation';

export const SIM_APP_KEY = 'dingsimappkey0001';
export const SIM_APP_SECRET = 'sim-app-secret-0001-change-me';
export const SIM_AGENT_ID = '100000001';
export const SIM_CORP_ID: string = DEMO_CORP.corpId;

export interface SimAppCredentials {
  appKey: string;
  appSecret: string;
  agentId: string;
  corpId: string;
}

export const SIM_APP: Readonly<SimAppCredentials> = Object.freeze({
  appKey: SIM_APP_KEY,
  appSecret: SIM_APP_SECRET,
  agentId: SIM_AGENT_ID,
  corpId: SIM_CORP_ID,
});
