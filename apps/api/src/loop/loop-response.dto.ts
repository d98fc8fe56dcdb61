// Response shapes of closing the loop (issue 7): follow-up calls, the ledger, the figures, hot
// spots, the dashboard and the case library, for the OpenAPI document and the micro-app's
// generated types (issue 14.5).
import { ApiProperty } from '@nestjs/swagger';
import { Bool, Int, Obj, ObjOrNull, Str, StrOrNull } from '../common/api-property';
import { CaseFileResponseDto } from '../tickets/ticket-response.dto';

const Rate = (description?: string) =>
  ApiProperty({
    type: Number,
    nullable: true,
    description: description ?? 'a share from 0 to 1; null when nothing counts',
  });

export class FollowUpUnitDto {
  @Str() code: string;
  @Str() name: string;
  @Str({ description: 'sole, lead or co' }) role: string;
}

/** a closed ticket due for its follow-up call. */
export class FollowUpItemResponseDto {
  @Str() id: string;
  @Str() number: string;
  @Str() subject: string;
  @Str() sourceCode: string;
  @Str() categoryCode: string;
  @Str() closedAt: string;
  @Str() visitDueAt: string;
  @Int() round: number;
  @Int({ description: 'calls not answered so far' }) noAnswer: number;
  @Obj(() => FollowUpUnitDto, { isArray: true }) units: FollowUpUnitDto[];
}

export class FollowUpPageResponseDto {
  @Obj(() => FollowUpItemResponseDto, { isArray: true }) items: FollowUpItemResponseDto[];
  @StrOrNull() nextCursor: string | null;
}

/** R-6c, R-6d: one unit's approved reply on a ledger row. */
export class LedgerUnitReplyDto {
  @Str() unit: string;
  @Str({ description: '主办 / 会办 / 承办' }) role: string;
  @Str() handler: string;
  @Str() handledAt: string;
  @Str() content: string;
  @Str() callerAnswer: string;
}

export class TicketNumberRefDto {
  @Str() id: string;
  @Str() number: string;
}

/** one ledger row, one ticket. */
export class LedgerRowResponseDto {
  @Str() id: string;
  @Str() number: string;
  @Str() receivedAt: string;
  @Str() source: string;
  @Str() channel: string;
  @Str() category: string;
  @Str() subject: string;
  @Str() status: string;
  @StrOrNull({ description: 'the review step while in review' }) step: string | null;
  @StrOrNull() route: string | null;
  @Str({ description: 'the units (主办/会办/承办) in dispatch order' }) units: string;
  @StrOrNull() handlerUnit: string | null;
  @StrOrNull() handler: string | null;
  @StrOrNull() handledAt: string | null;
  @StrOrNull({ description: "the sole or lead unit's approved reply, or the direct answer (R-7)" }) reply:
    string | null;
  @StrOrNull({ description: 'how the caller was answered (R-13)' }) callerAnswer: string | null;
  @Bool({ description: "R-7: answered directly instead of by a unit's reply" }) directAnswer: boolean;
  @Obj(() => LedgerUnitReplyDto, { isArray: true, description: "R-6c, R-6d: every unit's approved reply" })
  unitReplies: LedgerUnitReplyDto[];
  @ObjOrNull(() => TicketNumberRefDto, { description: 'X-6: the ticket this one was merged into' })
  mergedInto: TicketNumberRefDto | null;
  @StrOrNull() visitStatus: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) visitSolved: boolean | null;
  @StrOrNull() visitSatisfaction: string | null;
  @StrOrNull() closedAt: string | null;
  @Bool() overdue: boolean;
  @Int() returns: number;
  @Int() extensions: number;
  @Int() rework: number;
  @StrOrNull() responsibility: string | null;
  @StrOrNull() responsibleUnit: string | null;
}

export class LedgerPageResponseDto {
  @Obj(() => LedgerRowResponseDto, { isArray: true }) items: LedgerRowResponseDto[];
  @StrOrNull() nextCursor: string | null;
}

/** issue 19: one ledger export on record; rowCount grows while it runs. */
export class LedgerExportRecordResponseDto {
  @Int() id: number;
  @Str() userid: string;
  @Str() startedAt: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the filters it was made with' })
  filters: Record<string, unknown>;
  @ApiProperty({ enum: ['running', 'done', 'failed', 'cancelled'] }) status:
    'running' | 'done' | 'failed' | 'cancelled';
  @ApiProperty({ type: 'integer', nullable: true, description: 'rows written: so far while running' })
  rowCount: number | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'the rows it holds when complete; null for old exports',
  })
  total: number | null;
  @StrOrNull() finishedAt: string | null;
}

/** one unit's figures for a period (docs/kpi.md). */
export class UnitFiguresResponseDto {
  @Str() unitCode: string;
  @Str() unitName: string;
  @Int() dispatched: number;
  @Int() handled: number;
  @Int() acceptedOnTime: number;
  @Rate() acceptOnTimeRate: number | null;
  @Int() due: number;
  @Int() repliedOnTime: number;
  @Rate() replyOnTimeRate: number | null;
  @Int() overdue: number;
  @Rate() overdueRate: number | null;
  @Int() returnRequests: number;
  @Int() returnsApproved: number;
  @Rate() returnRate: number | null;
  @Int() extensionRequests: number;
  @Int() extensionsApproved: number;
  @Int() rework: number;
  @Int() reworkedAssignments: number;
  @Rate() reworkRate: number | null;
  @Int() visitRework: number;
  @Int() callsReached: number;
  @Int() callsSolved: number;
  @Rate() solvedRate: number | null;
  @Int() callsSatisfied: number;
  @Rate() satisfiedRate: number | null;
  @Int() callsUnreachable: number;
  @Int() responsibleComplaints: number;
  @Int() untrueReplies: number;
  @Int({ description: 'X-10 办结: handled assignments whose handling was approved as finished' }) closed: number;
  @Int() closedOnTime: number;
  @Int() closeDue: number;
  @Rate() onTimeCloseRate: number | null;
  @Int({ description: "closed without rework or a reviewer's send-back" }) firstTimeClosed: number;
  @Rate() firstTimeCloseRate: number | null;
  @Int({ description: "repeats of the same caller's same matter within REPEAT_WINDOW_DAYS" }) repeatCalls: number;
  @Rate() repeatRate: number | null;
  @Int() rank: number;
}

export class UnitFiguresPeriodResponseDto {
  @Str() from: string;
  @Str() to: string;
  @Obj(() => UnitFiguresResponseDto, { isArray: true }) units: UnitFiguresResponseDto[];
}

/** same-day dispatch, per initiator (userid) or for the office (userid null). */
export class DispatchFiguresResponseDto {
  @StrOrNull() userid: string | null;
  @StrOrNull() name: string | null;
  @Int({ description: 'dispatched, or still waiting past their dispatch due time' }) due: number;
  @Int() onTime: number;
  @Int() late: number;
  @Int({ description: 'of `late`: not dispatched yet' }) waiting: number;
  @Rate() lateRate: number | null;
}

export class DispatchFiguresPeriodResponseDto {
  @Str() from: string;
  @Str() to: string;
  @Obj(() => DispatchFiguresResponseDto) total: DispatchFiguresResponseDto;
  @Obj(() => DispatchFiguresResponseDto, { isArray: true }) dispatchers: DispatchFiguresResponseDto[];
}

export class HotSpotResponseDto {
  @Str() key: string;
  @Int() count: number;
  @Bool({ description: 'R-16: at least `threshold` matters' }) strongConcern: boolean;
}

export class HotSpotsResponseDto {
  @Obj(() => HotSpotResponseDto, { isArray: true }) routes: HotSpotResponseDto[];
  @Obj(() => HotSpotResponseDto, { isArray: true }) stops: HotSpotResponseDto[];
  @Obj(() => HotSpotResponseDto, { isArray: true }) categories: HotSpotResponseDto[];
  @Obj(() => HotSpotResponseDto, { isArray: true }) hours: HotSpotResponseDto[];
  @Int() threshold: number;
}

export class KeyCountDto {
  @Str() key: string;
  @Str() name: string;
  @Int() count: number;
}

export class DayCountDto {
  @Str({ description: 'YYYY-MM-DD' }) day: string;
  @Int() count: number;
}

export class LightCountsDto {
  @Int() green: number;
  @Int() yellow: number;
  @Int() red: number;
}

export class OverviewResponseDto {
  @Obj(() => KeyCountDto, { isArray: true }) bySource: KeyCountDto[];
  @Obj(() => KeyCountDto, { isArray: true }) byCategory: KeyCountDto[];
  @Obj(() => DayCountDto, { isArray: true }) byDay: DayCountDto[];
  @Obj(() => LightCountsDto, { description: 'open assignments by deadline light now (X-9)' }) lights: LightCountsDto;
}

export class CaseFilePageResponseDto {
  @Obj(() => CaseFileResponseDto, { isArray: true }) items: CaseFileResponseDto[];
  @StrOrNull() nextCursor: string | null;
}
