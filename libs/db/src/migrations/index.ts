// Every migration, in order. Reviewed SQL only; the schema never comes from synchronize.
export const MIGRATIONS: Function[] = [];
