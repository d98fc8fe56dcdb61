// Which roles come from where (issue 13.3). The database's CHECK on people.roles lists the same six.

/** Roles only an admin grants; the org sync never adds or removes them. */
export const GRANTED_ROLES = ['dispatcher', 'ops_head', 'office_reviewer', 'admin'] as const;

/**
 * `unit_leader` is DingTalk's leader flag of the person's department (部门主管), set on every sync;
 * `receiver` is given by the sync to unit members who lead none and have no granted role, until an
 * admin saves the person's roles (then the admin's choice stands).
 */
export const DINGTALK_ROLES = ['receiver', 'unit_leader'] as const;

export const ALL_ROLES = [...GRANTED_ROLES, ...DINGTALK_ROLES] as const;
export type Role = (typeof ALL_ROLES)[number];
