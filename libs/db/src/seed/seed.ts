import type { DataSource } from 'typeorm';
import { DEMO_PEOPLE, DEMO_UNITS } from '@hotline/demo';
import { OrganisationRepository } from '../repositories/organisation.repository';
import { seedIntakeDemo } from './intake-demo';

// The reference data every install needs (R-2 sources with their chains, categories, X-1 time
// limits) is installed by the migration 1765500000000-reference-data, exactly once. Only the
// demo lives here.

/** The demo organisation, on a database that has no people yet. Returns whether it seeded. */
export async function seedDemoOrganisation(ds: DataSource): Promise<boolean> {
  const org = new OrganisationRepository(ds);
  if ((await org.countPeople()) > 0) return false;
  await ds.transaction(async (m) => {
    for (const u of DEMO_UNITS)
      await org.upsertUnit({ code: u.code, name: u.name, kind: u.kind, dingtalkDeptId: u.deptId }, m);
    for (const p of DEMO_PEOPLE) {
      await org.upsertPerson(
        {
          userid: p.userid,
          unionid: p.unionid,
          name: p.name,
          title: p.title,
          roles: [...p.roles],
          units: [{ code: p.unitCode, isLeader: p.leader }],
        },
        m,
      );
    }
    await seedIntakeDemo(m, new Date());
  });
  return true;
}
