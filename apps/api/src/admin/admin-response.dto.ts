// Response shapes of the admin's routes (issue 4: DingTalk usage, notices, org sync:
// time limits, calendar; R-19: reveal audit, retention) and of the deadline preview, for the
// OpenAPI document and the micro-app's generated types (issue 14.5).
import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { Bool, Int, JsonOrNull, Obj, ObjOrNull, Str, StrOrNull } from '../common/api-property';

const Counts = (description: string) =>
  ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description });

export class DingTalkUsageResponseDto {
  @Str({ description: 'YYYY-MM, Shanghai time' }) month: string;
  @Int({ description: 'every call sent this month, token, sign-in and contacts calls included' }) calls: number;
  @Int({ description: 'issue 16.4: the calls counted against the quota (all processes); at `quota` they are refused' })
  quotaCalls: number;
  @Int({ description: 'DINGTALK_MONTHLY_QUOTA; 0 = no limit of ours' }) quota: number;
  @Counts('calls per DingTalk API') byApi: Record<string, number>;
  @Counts('outbox rows per status') outbox: Record<string, number>;
}

export class OutboxTicketRefDto {
  @Str() id: string;
  @Str() number: string;
  @Str({ required: false }) categoryName?: string;
  @Str() subject: string;
}

/** What the admin's page reads of an outbox row's payload (the row holds more, per kind). */
export class OutboxPayloadDto {
  @Str({ required: false, description: 'the notice kind (kind notice)' }) notice?: string;
  @Str({ required: false, description: 'the to-do action (kind todo_open)' }) action?: string;
  @Str({ required: false, isArray: true }) userids?: string[];
  @ObjOrNull(() => OutboxTicketRefDto, { required: false }) ticket?: OutboxTicketRefDto | null;
}

@ApiExtraModels(OutboxPayloadDto)
export class OutboxRowResponseDto {
  @Int() id: number;
  @StrOrNull() ticketId: string | null;
  @ApiProperty({ enum: ['notice', 'todo_open', 'todo_done'] }) kind: 'notice' | 'todo_open' | 'todo_done';
  @Str() dedupeKey: string;
  @ApiProperty({
    allOf: [{ $ref: getSchemaPath(OutboxPayloadDto) }],
    additionalProperties: true,
    description: "free-form per kind and notice; these are the fields the admin's page reads",
  })
  payload: OutboxPayloadDto;
  @Str({ description: 'pending, sent, failed or skipped' }) status: string;
  @Int() attempts: number;
  @StrOrNull() lastError: string | null;
  @JsonOrNull({ description: "DingTalk's answer, when sent" }) result: Record<string, unknown> | null;
  @Str() createdAt: string;
}

export class OutboxRetryResponseDto {
  @Int() id: number;
  @ApiProperty({ enum: ['pending'] }) status: 'pending';
}

export class SyncCountsDto {
  @Int() created: number;
  @Int() updated: number;
  @Int() deactivated: number;
}

export class OrgSyncSummaryResponseDto {
  @Int() departments: number;
  @Bool({ description: 'false when a limit cut the read short: then nobody and no unit was deactivated' })
  complete: boolean;
  @Str({ required: false, description: 'why the read stopped early (complete false)' }) incompleteReason?: string;
  @Obj(() => SyncCountsDto) units: SyncCountsDto;
  @Obj(() => SyncCountsDto) people: SyncCountsDto;
  @Int({ description: 'ADMIN_USERIDS that became admins in this run' }) adminsGranted: number;
}

/** The last organisation sync; null before the first. */
export class OrgSyncRunResponseDto {
  @Int() id: number;
  @Str({ description: 'admin or schedule' }) trigger: string;
  @Str() startedAt: string;
  @StrOrNull() finishedAt: string | null;
  @Str() status: string;
  @JsonOrNull({ description: 'an OrgSyncSummaryResponseDto once finished; the error otherwise' })
  summary: Record<string, unknown> | null;
}

export class TimeOfDayRangeDto {
  @Str({ description: 'HH:MM' }) start: string;
  @Str({ description: 'HH:MM' }) end: string;
}

export class MissingYearDto {
  @Int() year: number;
  @Str() firstSeenAt: string;
  @Str() lastSeenAt: string;
  @StrOrNull() lastTicketId: string | null;
}

export class CalendarOverrideResponseDto {
  @Str({ description: 'YYYY-MM-DD' }) date: string;
  @ApiProperty({ enum: ['closed', 'working'] }) kind: 'closed' | 'working';
  @StrOrNull() note: string | null;
  @StrOrNull() updatedBy: string | null;
  @Str() updatedAt: string;
}

export class CalendarYearResponseDto {
  @Int() year: number;
  @Str({ isArray: true }) holidays: string[];
  @Str({ isArray: true }) workdays: string[];
  @StrOrNull({ description: 'the State Council notice as entered' }) sourceText: string | null;
  @StrOrNull() updatedBy: string | null;
  @Str() updatedAt: string;
}

/** the working-day calendar. */
export class CalendarStatusResponseDto {
  @Str({ description: "where the national data comes from, e.g. 'chinese-days 1.5.7'" }) dataSource: string;
  @Str() version: string;
  @Obj(() => TimeOfDayRangeDto) officeHours: TimeOfDayRangeDto;
  @ObjOrNull(() => TimeOfDayRangeDto) lunchBreak: TimeOfDayRangeDto | null;
  @Int({ isArray: true }) coveredYears: number[];
  @Obj(() => MissingYearDto, {
    isArray: true,
    description: 'X-2: years a computed deadline reached into that still have no holiday data',
  })
  missingYears: MissingYearDto[];
  @Obj(() => CalendarOverrideResponseDto, { isArray: true }) overrides: CalendarOverrideResponseDto[];
  @Obj(() => CalendarYearResponseDto, {
    isArray: true,
    description: 'years the admin entered (they replace the package data)',
  })
  years: CalendarYearResponseDto[];
}

export const LIMIT_UNITS = ['minutes', 'working_hours', 'working_days', 'calendar_months'] as const;

export class LimitResponseDto {
  @Int() amount: number;
  @ApiProperty({ enum: LIMIT_UNITS, enumName: 'LimitUnit' }) unit: (typeof LIMIT_UNITS)[number];
}

/** one time-limit policy; null source / category / urgency = any. */
export class TimeLimitPolicyResponseDto {
  @Int() id: number;
  @StrOrNull() sourceCode: string | null;
  @StrOrNull() categoryCode: string | null;
  @ApiProperty({ enum: ['normal', 'urgent'], nullable: true }) urgency: 'normal' | 'urgent' | null;
  @ObjOrNull(() => LimitResponseDto) accept: LimitResponseDto | null;
  @Obj(() => LimitResponseDto) reply: LimitResponseDto;
  @ObjOrNull(() => LimitResponseDto) review: LimitResponseDto | null;
  @Int({ description: "R-6d, issue 15.4: co units' deadline this many working days before the lead's" })
  coLeadWorkingDays: number;
  @Int({ description: 'X-3, issue 15.5: working days kept before an upstream deadline' })
  upstreamMarginWorkingDays: number;
  @StrOrNull() note: string | null;
  @StrOrNull() updatedBy: string | null;
  @Str() updatedAt: string;
}

/** one look at a caller's clear details. */
export class RevealAuditResponseDto {
  @Int() id: number;
  @Str() ticketId: string;
  @Str() ticketNumber: string;
  @Str() userid: string;
  @Str() name: string;
  @Str() at: string;
  @Str() reason: string;
  @Str() basis: string;
}

/** Issue 8.7: the retention run (or its dry run). */
export class RetentionReportResponseDto {
  @Bool() dryRun: boolean;
  @Int() years: number;
  @Str() cutoff: string;
  @Int({ description: 'tickets whose caller data is (dry run) or was erased' }) count: number;
  @Int({ description: 'merged callers (X-6) of such tickets whose data is (dry run) or was erased' }) callers: number;
  @StrOrNull() oldestClosedAt: string | null;
  @Str({ isArray: true, description: 'ticket numbers, at most 20' }) sample: string[];
}

export class DeadlinePreviewPolicyDto {
  @ApiProperty({ type: 'integer', nullable: true }) id: number | null;
  @StrOrNull() sourceCode: string | null;
  @StrOrNull() categoryCode: string | null;
  @ApiProperty({ enum: ['normal', 'urgent'], nullable: true }) urgency: 'normal' | 'urgent' | null;
  @StrOrNull() note: string | null;
  @ApiProperty({
    enum: ['policy', 'upstream_margin', 'dispatcher', 'extension'],
    description: 'policy: the time limit; upstream_margin: capped before the upstream deadline (X-3)',
  })
  source: 'policy' | 'upstream_margin' | 'dispatcher' | 'extension';
  @Str({ description: "the policy's own deadline, before any cap" }) policyDeadline: string;
  @Str({ required: false }) upstreamDeadline?: string;
  @Int({ required: false }) marginWorkingDays?: number;
}

/** Issue 6.4: what a dispatch now would give each unit (R-9d, X-1 … X-3); writes nothing. */
export class DeadlinePreviewResponseDto {
  @Str() replyDeadline: string;
  @Str({ required: false }) acceptDeadline?: string;
  @Str({ description: "issue 15.4 (R-6d): a co unit's earlier deadline" }) coReplyDeadline: string;
  @Int() coLeadWorkingDays: number;
  @Obj(() => LimitResponseDto) limit: LimitResponseDto;
  @Obj(() => DeadlinePreviewPolicyDto, {
    description: 'the time-limit row that matched, and how the deadline came about',
  })
  policy: DeadlinePreviewPolicyDto;
  @Str() calendarVersion: string;
  @Int({ isArray: true, description: 'X-2: years reached into without holiday data' }) missingYears: number[];
}
