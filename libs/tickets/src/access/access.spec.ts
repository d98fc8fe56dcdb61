import { DomainError, type Role } from '@hotline/workflow';
import { PERMISSIONS, can, refuse, requireAccess, requireScope, scopeFor, type Permission } from './access';

// The permission × role table, written out by hand so that a change of a grant in access.ts is a
// visible change here too. Columns: D dispatcher, H ops_head, O office_reviewer, R receiver,
// L unit_leader, A admin; 'x' granted, '.' refused.
const ROLES: readonly Role[] = ['dispatcher', 'ops_head', 'office_reviewer', 'receiver', 'unit_leader', 'admin'];

const TABLE: Array<[requirement: string, permission: Permission, grants: string]> = [
  //                                                   D H O R L A
  ['R-19', 'tickets.view_all', /*                  */ 'x x . . . x'],
  ['R-4, R-19', 'tickets.view_chain_b', /*         */ '. . x . . .'],
  ['R-19', 'tickets.view_own_units', /*            */ '. . . x x .'],
  ['R-7', 'tickets.register', /*                   */ 'x . . . . .'],
  ['R-7', 'tickets.attach_any', /*                 */ 'x . . . . .'],
  ['R-19', 'caller.see_confidential', /*           */ 'x x x . . x'],
  ['R-19', 'caller.reveal', /*                     */ 'x . . . . .'],
  ['R-19, X-5', 'caller.reveal_follow_up', /*      */ '. x . . . .'],
  ['R-19', 'caller.reveal_open_assignment', /*     */ '. . . x x .'],
  ['R-19', 'caller.reveal_log', /*                 */ '. . . . . x'],
  ['X-6, R-13', 'callers.answer', /*               */ 'x x . . . .'],
  ['X-6', 'intake.repeats', /*                     */ 'x . . . . .'],
  ['X-3', 'intake.upstream_import', /*             */ 'x . . . . .'],
  ['X-7', 'kb.edit', /*                            */ 'x x . . . .'],
  ['X-8', 'routing_rules.view', /*                 */ 'x x . . . x'],
  ['X-1', 'deadlines.preview', /*                  */ 'x x . . . .'],
  ['X-1', 'time_limits.view', /*                   */ 'x x . . . x'],
  ['X-5', 'follow_up.work', /*                     */ 'x x . . . .'],
  ['R-18, X-10', 'figures.view', /*                */ 'x x x . x x'],
  ['R-15', 'ledger.export', /*                     */ 'x x . . x x'],
  ['R-15', 'ledger.exports_view', /*               */ 'x x . . . x'],
  ['R-16, R-19', 'case_files.view_all', /*         */ 'x x x . . x'],
  ['R-16, R-19', 'case_files.view_own_units', /*   */ '. . . x x .'],
  ['issue 13.3', 'admin.people', /*                */ '. . . . . x'],
  ['R-5', 'admin.dingtalk', /*                     */ '. . . . . x'],
  ['X-2', 'admin.calendar', /*                     */ '. . . . . x'],
  ['X-1', 'admin.time_limits', /*                  */ '. . . . . x'],
  ['X-8', 'admin.routing_rules', /*                */ '. . . . . x'],
  ['X-3', 'admin.intake_keys', /*                  */ '. . . . . x'],
  ['R-19', 'admin.retention', /*                   */ '. . . . . x'],
  ['issue 13.3', 'admin.health_details', /*        */ '. . . . . x'],
];

const person = (roles: Role[], unitCodes: string[] = []) => ({ roles, unitCodes });

describe('access: named permissions × roles (issue 14.3)', () => {
  it('issue 14.3: the table names every permission once, with the requirement access.ts cites', () => {
    expect(TABLE.map(([, p]) => p).sort()).toEqual(Object.keys(PERMISSIONS).sort());
    for (const [requirement, p] of TABLE) expect(PERMISSIONS[p].rule).toBe(requirement);
  });

  describe.each(TABLE)('%s: %s', (_requirement, permission, grants) => {
    const expected = grants.split(' ');
    it.each(ROLES.map((role, i) => [role, expected[i] === 'x'] as const))('%s → %s', (role, granted) => {
      expect(can(person([role]), permission)).toBe(granted);
      if (granted) expect(() => requireAccess(person([role]), permission)).not.toThrow();
      else expect(() => requireAccess(person([role]), permission)).toThrow(DomainError);
    });
  });

  it('issue 14.3: a person with several roles has the union of their permissions', () => {
    const both = person(['office_reviewer', 'receiver']);
    expect(can(both, 'tickets.view_chain_b')).toBe(true);
    expect(can(both, 'caller.reveal_open_assignment')).toBe(true);
    expect(can(both, 'tickets.register')).toBe(false);
  });

  it('issue 14.3: a refusal is a FORBIDDEN naming the rule in Chinese', () => {
    expect(() => refuse('ledger.export')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN', message: PERMISSIONS['ledger.export'].refusal }),
    );
    expect(() => requireAccess(person([]), 'admin.people')).toThrow('只有管理员可以执行此操作。');
  });
});

describe('access: ticket scope (R-19)', () => {
  it('R-19: the ops department and the admin see every ticket', () => {
    for (const role of ['dispatcher', 'ops_head', 'admin'] as const) {
      expect(scopeFor(person([role]))).toEqual({ kind: 'all' });
    }
  });

  it('R-19: the office reviewer sees chain B (government channels) only', () => {
    expect(scopeFor(person(['office_reviewer']))).toEqual({ kind: 'chain', chain: 'B' });
  });

  it('R-19: unit people see their units, and nothing without a unit', () => {
    expect(scopeFor(person(['receiver'], ['b1']))).toEqual({ kind: 'units', unitCodes: ['b1'] });
    expect(scopeFor(person(['unit_leader'], ['b1', 'b2']))).toEqual({ kind: 'units', unitCodes: ['b1', 'b2'] });
    expect(scopeFor(person(['receiver']))).toBeNull();
    expect(() => requireScope(person(['receiver']))).toThrow(DomainError);
  });

  it('R-19: the widest scope wins when a person has several roles', () => {
    expect(scopeFor(person(['receiver', 'dispatcher'], ['b1']))).toEqual({ kind: 'all' });
    expect(scopeFor(person(['receiver', 'office_reviewer'], ['b1']))).toEqual({ kind: 'chain', chain: 'B' });
  });

  it('R-19: a person with no role sees nothing', () => {
    expect(scopeFor(person([]))).toBeNull();
  });
});
