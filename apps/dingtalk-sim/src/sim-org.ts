// The simulated company: departments under root dept 1 and the people in them, seeded from the
// demo organisation (@hotline/demo) so that the simulator and our seeded database agree.
import { DEMO_CORP, DEMO_PEOPLE, DEMO_UNITS } from '@hotline/demo';

export interface SimDepartment {
  deptId: number;
  name: string;
  /** null for the root. */
  parentId: number | null;
  order: number;
}

export interface SimUser {
  userid: string;
  unionid: string;
  name: string;
  mobile: string;
  title: string;
  deptIds: number[];
  /** Departments in which the person is a leader (DingTalk's leader_in_dept). */
  leaderInDepts: number[];
  active: boolean;
  admin: boolean;
  /**
   * Hidden in the address book (通讯录隐藏, an access-restricted employee): `user/list` leaves
   * them out unless the caller passes `contain_access_limit: true`.
   */
  hidden: boolean;
  jobNumber: string;
  email: string;
  /** Entry order, for user/list's entry_asc / entry_desc and dept_order. */
  entrySeq: number;
  modifiedAt: number;
}

export interface NewUserInput {
  userid: string;
  name: string;
  deptIds: number[];
  unionid?: string;
  mobile?: string;
  title?: string;
  /** Leader in all of `deptIds`. */
  leader?: boolean;
  /** Leader in exactly these departments (wins over `leader`). */
  leaderInDepts?: number[];
  admin?: boolean;
  hidden?: boolean;
  email?: string;
  jobNumber?: string;
}

export interface UserPatch {
  name?: string;
  mobile?: string;
  title?: string;
  deptIds?: number[];
  leader?: boolean;
  leaderInDepts?: number[];
  active?: boolean;
  admin?: boolean;
  hidden?: boolean;
  email?: string;
  jobNumber?: string;
}

export interface NewDepartmentInput {
  deptId?: number;
  name: string;
  parentId?: number;
}

export interface DepartmentPatch {
  name?: string;
  parentId?: number;
}

/** A refused change to the org, with the HTTP status the admin endpoint answers. */
export class OrgChangeError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
    this.name = 'OrgChangeError';
  }
}

export const ROOT_DEPT_ID = DEMO_CORP.rootDeptId;

export class SimOrg {
  private readonly departments = new Map<number, SimDepartment>();
  private readonly users = new Map<string, SimUser>();
  private seq = 0;

  constructor(private readonly now: () => number) {
    this.reset();
  }

  /** Back to the demo company. */
  reset(): void {
    this.departments.clear();
    this.users.clear();
    this.seq = 0;
    this.departments.set(ROOT_DEPT_ID, { deptId: ROOT_DEPT_ID, name: DEMO_CORP.name, parentId: null, order: 0 });
    for (const unit of DEMO_UNITS) {
      this.departments.set(unit.deptId, {
        deptId: unit.deptId,
        name: unit.name,
        parentId: ROOT_DEPT_ID,
        order: ++this.seq,
      });
    }
    for (const person of DEMO_PEOPLE) {
      const unit = DEMO_UNITS.find((u) => u.code === person.unitCode);
      if (!unit) throw new Error(`demo person ${person.userid} names unknown unit ${person.unitCode}`);
      this.users.set(person.userid, {
        userid: person.userid,
        unionid: person.unionid,
        name: person.name,
        mobile: person.mobile,
        title: person.title,
        deptIds: [unit.deptId],
        leaderInDepts: person.leader ? [unit.deptId] : [],
        active: true,
        admin: false,
        hidden: false,
        jobNumber: '',
        email: '',
        entrySeq: ++this.seq,
        modifiedAt: this.now(),
      });
    }
  }

  // ---- reading ---------------------------------------------------------------------------------

  department(deptId: number): SimDepartment | undefined {
    return this.departments.get(deptId);
  }

  user(userid: string): SimUser | undefined {
    return this.users.get(userid);
  }

  userByUnionid(unionid: string): SimUser | undefined {
    for (const u of this.users.values()) if (u.unionid === unionid) return u;
    return undefined;
  }

  allUsers(): SimUser[] {
    return [...this.users.values()];
  }

  allDepartments(): SimDepartment[] {
    return [...this.departments.values()];
  }

  /** One level down, in display order. */
  children(deptId: number): SimDepartment[] {
    return this.allDepartments()
      .filter((d) => d.parentId === deptId)
      .sort((a, b) => a.order - b.order);
  }

  /** The department and every department below it. */
  subtree(deptId: number): number[] {
    const out: number[] = [deptId];
    for (let i = 0; i < out.length; i++) for (const c of this.children(out[i]!)) out.push(c.deptId);
    return out;
  }

  /** Direct members, in entry order. */
  directMembers(deptId: number): SimUser[] {
    return this.allUsers()
      .filter((u) => u.deptIds.includes(deptId))
      .sort((a, b) => a.entrySeq - b.entrySeq);
  }

  // ---- changing (the /_sim/org endpoints) -------------------------------------------------------

  addUser(input: NewUserInput): SimUser {
    if (this.users.has(input.userid)) throw new OrgChangeError(409, `userid ${input.userid} already exists`);
    const unionid = input.unionid ?? `union-${input.userid.replace(/_/g, '-')}`;
    if (this.userByUnionid(unionid)) throw new OrgChangeError(409, `unionid ${unionid} already exists`);
    this.checkDepartments(input.deptIds);
    const seq = ++this.seq;
    const mobile = input.mobile ?? `1380000${String(seq).padStart(4, '0')}`;
    this.checkMobileFree(mobile, undefined);
    const user: SimUser = {
      userid: input.userid,
      unionid,
      name: input.name,
      mobile,
      title: input.title ?? '',
      deptIds: [...input.deptIds],
      leaderInDepts: leaderDepts(input.deptIds, input.leader, input.leaderInDepts),
      active: true,
      admin: input.admin ?? false,
      hidden: input.hidden ?? false,
      jobNumber: input.jobNumber ?? '',
      email: input.email ?? '',
      entrySeq: seq,
      modifiedAt: this.now(),
    };
    this.users.set(user.userid, user);
    return user;
  }

  updateUser(userid: string, patch: UserPatch): SimUser {
    const user = this.users.get(userid);
    if (!user) throw new OrgChangeError(404, `no user ${userid}`);
    if (patch.deptIds !== undefined) this.checkDepartments(patch.deptIds);
    if (patch.mobile !== undefined) this.checkMobileFree(patch.mobile, userid);
    if (patch.name !== undefined) user.name = patch.name;
    if (patch.mobile !== undefined) user.mobile = patch.mobile;
    if (patch.title !== undefined) user.title = patch.title;
    if (patch.active !== undefined) user.active = patch.active;
    if (patch.admin !== undefined) user.admin = patch.admin;
    if (patch.hidden !== undefined) user.hidden = patch.hidden;
    if (patch.email !== undefined) user.email = patch.email;
    if (patch.jobNumber !== undefined) user.jobNumber = patch.jobNumber;
    if (patch.deptIds !== undefined) {
      user.deptIds = [...patch.deptIds];
      user.leaderInDepts = user.leaderInDepts.filter((d) => user.deptIds.includes(d));
    }
    if (patch.leader !== undefined || patch.leaderInDepts !== undefined) {
      user.leaderInDepts = leaderDepts(user.deptIds, patch.leader, patch.leaderInDepts);
    }
    user.modifiedAt = this.now();
    return user;
  }

  removeUser(userid: string): void {
    if (!this.users.delete(userid)) throw new OrgChangeError(404, `no user ${userid}`);
  }

  addDepartment(input: NewDepartmentInput): SimDepartment {
    const parentId = input.parentId ?? ROOT_DEPT_ID;
    if (!this.departments.has(parentId)) throw new OrgChangeError(404, `no parent department ${parentId}`);
    const deptId = input.deptId ?? Math.max(1000, ...this.departments.keys()) + 1;
    if (this.departments.has(deptId)) throw new OrgChangeError(409, `department ${deptId} already exists`);
    const dept: SimDepartment = { deptId, name: input.name, parentId, order: ++this.seq };
    this.departments.set(deptId, dept);
    return dept;
  }

  updateDepartment(deptId: number, patch: DepartmentPatch): SimDepartment {
    const dept = this.departments.get(deptId);
    if (!dept) throw new OrgChangeError(404, `no department ${deptId}`);
    if (patch.parentId !== undefined) {
      if (deptId === ROOT_DEPT_ID) throw new OrgChangeError(409, 'the root department cannot move');
      if (!this.departments.has(patch.parentId))
        throw new OrgChangeError(404, `no parent department ${patch.parentId}`);
      if (this.subtree(deptId).includes(patch.parentId)) {
        throw new OrgChangeError(409, `department ${patch.parentId} is inside ${deptId}: that would be a cycle`);
      }
      dept.parentId = patch.parentId;
    }
    if (patch.name !== undefined) dept.name = patch.name;
    return dept;
  }

  removeDepartment(deptId: number): void {
    if (deptId === ROOT_DEPT_ID) throw new OrgChangeError(409, 'the root department cannot be removed');
    if (!this.departments.has(deptId)) throw new OrgChangeError(404, `no department ${deptId}`);
    if (this.children(deptId).length > 0) throw new OrgChangeError(409, `department ${deptId} has sub-departments`);
    if (this.directMembers(deptId).length > 0) throw new OrgChangeError(409, `department ${deptId} has members`);
    this.departments.delete(deptId);
  }

  private checkDepartments(deptIds: number[]): void {
    if (deptIds.length === 0) throw new OrgChangeError(400, 'a person needs at least one department');
    for (const d of deptIds) if (!this.departments.has(d)) throw new OrgChangeError(404, `no department ${d}`);
  }

  private checkMobileFree(mobile: string, exceptUserid: string | undefined): void {
    for (const u of this.users.values()) {
      if (u.mobile === mobile && u.userid !== exceptUserid) {
        throw new OrgChangeError(409, `mobile ${mobile} already belongs to ${u.userid}`);
      }
    }
  }

  // ---- DingTalk's views (ref §3.3) ------------------------------------------------------------------

  /** `topapi/v2/user/get` result. */
  userView(u: SimUser): Record<string, unknown> {
    return {
      userid: u.userid,
      unionid: u.unionid,
      name: u.name,
      avatar: '',
      state_code: '86',
      mobile: u.mobile,
      hide_mobile: false,
      telephone: '',
      job_number: u.jobNumber,
      title: u.title,
      email: u.email,
      org_email: '',
      work_place: '',
      remark: '',
      dept_id_list: [...u.deptIds],
      dept_order_list: u.deptIds.map((d) => ({ dept_id: d, order: u.entrySeq })),
      leader_in_dept: u.deptIds.map((d) => ({ dept_id: d, leader: u.leaderInDepts.includes(d) })),
      manager_userid: this.managerOf(u),
      active: u.active,
      admin: u.admin,
      boss: false,
      senior: false,
      real_authed: true,
      exclusive_account: false,
      role_list: [],
    };
  }

  /** A `topapi/v2/user/list` item: `leader` is about the listed department. */
  userListItem(u: SimUser, deptId: number): Record<string, unknown> {
    const { dept_order_list: _order, leader_in_dept: _leaders, manager_userid: _manager, ...rest } = this.userView(u);
    return { ...rest, dept_order: u.entrySeq, leader: u.leaderInDepts.includes(deptId) };
  }

  /** A `topapi/v2/department/listsub` item. */
  departmentView(d: SimDepartment): Record<string, unknown> {
    return {
      dept_id: d.deptId,
      name: d.name,
      parent_id: d.parentId ?? 0,
      create_dept_group: false,
      auto_add_user: false,
    };
  }

  /** The first leader of the person's first department, other than the person. */
  private managerOf(u: SimUser): string {
    for (const d of u.deptIds) {
      const leader = this.directMembers(d).find((m) => m.userid !== u.userid && m.leaderInDepts.includes(d));
      if (leader) return leader.userid;
    }
    return '';
  }
}

function leaderDepts(deptIds: number[], leader: boolean | undefined, explicit: number[] | undefined): number[] {
  if (explicit !== undefined) return explicit.filter((d) => deptIds.includes(d));
  return leader ? [...deptIds] : [];
}
