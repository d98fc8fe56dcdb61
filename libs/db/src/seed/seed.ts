import type { DataSource } from 'typeorm';
import { DEMO_PEOPLE, DEMO_UNITS } from '@hotline/demo';
import { OrganisationRepository } from '../repositories/organisation.repository';
import { TimeLimitRepository } from '../repositories/time-limit.repository';
import { DEFAULT_CATEGORIES, DEFAULT_SOURCES, DEFAULT_TIME_LIMITS } from './reference-data';
import { seedIntakeDemo } from './intake-demo';

/** Sources and categories: inserted when missing, never overwritten. Time limits: only into an empty table. */
export async function seedReferenceData(ds: DataSource): Promise<void> {
  const org = new OrganisationRepository(ds);
  const limits = new TimeLimitRepository(ds);
  await ds.transaction(async (m) => {
    for (const [i, s] of DEFAULT_SOURCES.entries()) await org.upsertSource({ ...s, sort: i }, m);
    for (const [i, c] of DEFAULT_CATEGORIES.entries()) await org.upsertCategory({ ...c, sort: i }, m);
    if ((await limits.count(m)) === 0) {
      await limits.replaceAll(
        m,
        DEFAULT_TIME_LIMITS.map((p) => ({ ...p })),
        null,
        new Date(),
      );
    }
  });
}

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
