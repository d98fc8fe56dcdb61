// Every migration, in order. Reviewed SQL only; the schema never comes from synchronize.
import { InitialSchema1764300000000 } from './1764300000000-initial-schema';
import { DingTalkDelivery1764400000000 } from './1764400000000-dingtalk-delivery';

export const MIGRATIONS: Function[] = [InitialSchema1764300000000, DingTalkDelivery1764400000000];
