export { DEMO_CORP, DEMO_UNITS, DEMO_PEOPLE } from './demo-organisation';
export type { DemoUnit, DemoPerson, GlobalRole, UnitRole } from './demo-organisation';
export { SIM_APP, SIM_APP_KEY, SIM_APP_SECRET, SIM_AGENT_ID, SIM_CORP_ID } from './sim-app';
export type { SimAppCredentials } from './sim-app';
