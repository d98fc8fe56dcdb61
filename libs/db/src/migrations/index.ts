// Every migration, in order. Reviewed SQL only; the schema never comes from synchronize.
import { InitialSchema1764300000000 } from './1764300000000-initial-schema';

export const MIGRATIONS: Function[] = [InitialSchema1764300000000];
