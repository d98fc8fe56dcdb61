import { loadConfig } from './config.schema';

describe('ADMIN_USERIDS (issue 13.1)', () => {
  it('ISSUE-13.1: ADMIN_USERIDS is a comma-separated list of userids, trimmed and without duplicates', () => {
    expect(loadConfig({}).auth.adminUserids).toEqual([]);
    expect(loadConfig({ ADMIN_USERIDS: ' manager01, 0123456789 ,manager01,' }).auth.adminUserids).toEqual([
      'manager01',
      '0123456789',
    ]);
  });

  it('ISSUE-13.1: a userid that cannot be one is named in the boot error', () => {
    expect(() => loadConfig({ ADMIN_USERIDS: `ok,${'x'.repeat(65)}` })).toThrow(/ADMIN_USERIDS/);
  });
});
