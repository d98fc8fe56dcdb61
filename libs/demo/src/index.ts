export { DEMO_CORP, DEMO_UNITS, DEMO_PEOPLE } from './demo-organisation';
export type { DemoUnit, DemoPerson, GlobalRole, UnitRole } from './demo-organisation';
