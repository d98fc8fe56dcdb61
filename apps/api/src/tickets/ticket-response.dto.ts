// Response shapes of the ticket routes, for the OpenAPI document and the micro-app's generated
// types (issue 14.5). The controllers declare them as return types, so the compiler checks that
// the services' views fit them.
import { ApiProperty } from '@nestjs/swagger';
import { ACTIONS, type ActionName } from '@hotline/workflow';
import { Bool, Int, JsonOrNull, LightOrNull, Obj, ObjOrNull, Str, StrOrNull } from '../common/api-property';

const ActionNames = (extra: { isArray?: boolean } = {}) =>
  ApiProperty({ enum: ACTIONS, enumName: 'ActionName', ...extra });

export class CodeNameDto {
  @Str() code: string;
  @Str() name: string;
}

export class PersonRefDto {
  @Str() userid: string;
  @Str() name: string;
}

export class CallerContactResponseDto {
  @Bool() contacted: boolean;
  @Str() method: string;
  @Str() at: string;
  @Str() summary: string;
  @StrOrNull({ description: 'R-13: why the caller was not reached (null when reached)' })
  notContactedReason: string | null;
}

export class ReplyResponseDto {
  @Str() content: string;
  @Str() handledAt: string;
  @Str() handler: string;
  @Obj(() => CallerContactResponseDto) callerContact: CallerContactResponseDto;
  @Str() satisfaction: string;
  @Str() submittedBy: string;
  @Str() submittedAt: string;
  @StrOrNull() approvedBy: string | null;
  @StrOrNull() approvedAt: string | null;
}

export class ExtensionRequestResponseDto {
  @Int() days: number;
  @Str() reason: string;
  @Str() requestedBy: string;
  @Str() requestedAt: string;
  @Str() newDeadline: string;
}

export class ReturnRequestResponseDto {
  @Str() reason: string;
  @Str() basis: string;
  @Str() requestedBy: string;
  @Str() requestedAt: string;
}

export class AssignmentResponseDto {
  @Str() id: string;
  @Obj(() => CodeNameDto) unit: CodeNameDto;
  @Str({ description: 'sole, lead or co' }) role: string;
  @Str() status: string;
  @Str() dispatchedAt: string;
  @Str() dispatchedBy: string;
  @Str() replyDeadline: string;
  @StrOrNull({ description: 'R-11: until when a return may be requested; null after a rejected return' })
  returnWindowEndsAt: string | null;
  @LightOrNull() light: 'green' | 'yellow' | 'red' | null;
  @StrOrNull({ description: 'X-1: the accept limit of the policy' }) acceptDeadline: string | null;
  @JsonOrNull({ description: 'X-2: what the reply deadline was computed with' })
  deadlineBasis: Record<string, unknown> | null;
  @StrOrNull() calendarVersion: string | null;
  @StrOrNull({ description: 'R-9d, R-18: when the deadline job found it overdue' }) overdueAt: string | null;
  @Int({ description: 'X-4' }) extensionCount: number;
  @ObjOrNull(() => ExtensionRequestResponseDto) extensionRequest: ExtensionRequestResponseDto | null;
  @StrOrNull() acceptedBy: string | null;
  @StrOrNull() acceptedAt: string | null;
  @Int() reworkCount: number;
  @Int({ description: 'Issue 15.7 (Art. 10): times a leader-approved reply was found untrue and re-opened' })
  untrueCount: number;
  @ObjOrNull(() => ReplyResponseDto) reply: ReplyResponseDto | null;
  @ObjOrNull(() => ReturnRequestResponseDto) returnRequest: ReturnRequestResponseDto | null;
}

export class TimelineEventResponseDto {
  @Str() action: string;
  @Obj(() => PersonRefDto) actor: PersonRefDto;
  @Str() at: string;
  @StrOrNull() comment: string | null;
  @StrOrNull() unit: string | null;
  @StrOrNull() fromStatus: string | null;
  @StrOrNull() toStatus: string | null;
  @StrOrNull() step: string | null;
  @JsonOrNull() data: Record<string, unknown> | null;
}

export class MaskedCallerDto {
  @StrOrNull() name: string | null;
  @StrOrNull() phone: string | null;
  @StrOrNull() address: string | null;
  @Bool({ description: 'R-19: always true' }) masked: true;
  @Bool({ description: 'all null for the handling units of a confidential ticket (保密件)' }) hidden: boolean;
}

export class CallerAnsweredDto {
  @Str() at: string;
  @Str() by: string;
  @StrOrNull() method: string | null;
  @StrOrNull() summary: string | null;
}

export class TicketRefDto {
  @Str() id: string;
  @Str() number: string;
}

/** a caller who joined by a merge (并单), masked like the ticket's own caller. */
export class TicketCallerResponseDto {
  @Str() id: string;
  @Obj(() => TicketRefDto) fromTicket: TicketRefDto;
  @StrOrNull() name: string | null;
  @StrOrNull() phone: string | null;
  @StrOrNull() address: string | null;
  @Str() addedBy: string;
  @Str() addedAt: string;
  @ObjOrNull(() => CallerAnsweredDto) answered: CallerAnsweredDto | null;
}

export class UpstreamAnswerReportedDto {
  @Str() answer: string;
  @Bool() edited: boolean;
  @Str() by: string;
  @Str() at: string;
}

/** Issue 15.10 (Art. 4): composed from the approved replies, edited by the office, reported upstream. */
export class UpstreamAnswerResponseDto {
  @Str() composed: string;
  @StrOrNull() edited: string | null;
  @StrOrNull() editedBy: string | null;
  @StrOrNull() editedAt: string | null;
  @Str({ description: "what report_upstream reports: the office's text, else the composition" }) answer: string;
  @ObjOrNull(() => UpstreamAnswerReportedDto) reported: UpstreamAnswerReportedDto | null;
}

/** R-16, issue 15.12: a case file, pending until the unit at fault writes its analysis. */
export class CaseFileResponseDto {
  @Str() id: string;
  @Str() ticketId: string;
  @Str() ticketNumber: string;
  @Str() subject: string;
  @StrOrNull() route: string | null;
  @Obj(() => CodeNameDto) unit: CodeNameDto;
  @Str() basis: string;
  @ApiProperty({ enum: ['pending', 'written'] }) status: 'pending' | 'written';
  @StrOrNull() cause: string | null;
  @StrOrNull() partyKind: string | null;
  @StrOrNull() party: string | null;
  @StrOrNull() measures: string | null;
  @StrOrNull() lesson: string | null;
  @Str() createdBy: string;
  @Str() createdAt: string;
  @Str() updatedAt: string;
  @ObjOrNull(() => PersonRefDto) writtenBy: PersonRefDto | null;
  @StrOrNull() writtenAt: string | null;
}

/** One ticket with its assignments, timeline and the actions the reader may take now. */
export class TicketResponseDto {
  @Str() id: string;
  @Str() number: string;
  @Str() status: string;
  @LightOrNull({ description: 'X-9: the worst light among the open assignments' })
  light: 'green' | 'yellow' | 'red' | null;
  @StrOrNull() step: string | null;
  @Str() chain: string;
  @Int({ description: 'issue 18.3: the ETag' }) version: number;
  @Obj(() => CodeNameDto) source: CodeNameDto;
  @Str() channel: string;
  @Obj(() => CodeNameDto) category: CodeNameDto;
  @Str() urgency: string;
  @Str() subject: string;
  @Str() content: string;
  @Obj(() => MaskedCallerDto) caller: MaskedCallerDto;
  @Obj(() => TicketCallerResponseDto, { isArray: true, required: false }) callers?: TicketCallerResponseDto[];
  @Bool({ required: false, description: '13.7: this person may reveal the caller (audited)' })
  callerRevealable?: boolean;
  @ObjOrNull(() => UpstreamAnswerResponseDto, { required: false }) upstreamAnswer?: UpstreamAnswerResponseDto | null;
  @ObjOrNull(() => CaseFileResponseDto, { required: false }) caseFile?: CaseFileResponseDto | null;
  @Bool() confidential: boolean;
  @StrOrNull() upstreamRef: string | null;
  @StrOrNull() upstreamDeadline: string | null;
  @StrOrNull() route: string | null;
  @StrOrNull() direction: string | null;
  @StrOrNull() stop: string | null;
  @StrOrNull() vehiclePlate: string | null;
  @StrOrNull() occurredAt: string | null;
  @Str() receivedAt: string;
  @Str() createdAt: string;
  @Str() updatedAt: string;
  @StrOrNull() closedAt: string | null;
  @StrOrNull({ description: "X-1: the current review step's deadline; null outside review" })
  stepDeadline: string | null;
  @StrOrNull() directAnswer: string | null;
  @Str() initiator: string;
  @Obj(() => AssignmentResponseDto, { isArray: true }) assignments: AssignmentResponseDto[];
  @Obj(() => TimelineEventResponseDto, { isArray: true }) timeline: TimelineEventResponseDto[];
  @ActionNames({ isArray: true }) actions: ActionName[];
}

export class TicketListUnitDto {
  @Str() code: string;
  @Str() role: string;
  @Str() status: string;
  @LightOrNull() light: 'green' | 'yellow' | 'red' | null;
}

export class TicketListItemResponseDto {
  @Str() id: string;
  @Str() number: string;
  @Str() subject: string;
  @Str() status: string;
  @StrOrNull() step: string | null;
  @Str() sourceCode: string;
  @Str() categoryCode: string;
  @Str() urgency: string;
  @Str() createdAt: string;
  @StrOrNull() replyDeadline: string | null;
  @LightOrNull({ description: 'X-9: the worst light of the open assignments' })
  light: 'green' | 'yellow' | 'red' | null;
  @Obj(() => TicketListUnitDto, { isArray: true }) units: TicketListUnitDto[];
}

export class TicketPageResponseDto {
  @Obj(() => TicketListItemResponseDto, { isArray: true }) items: TicketListItemResponseDto[];
  @StrOrNull() nextCursor: string | null;
}

export class InboxTicketDto {
  @Str() id: string;
  @Str() number: string;
  @Str() subject: string;
  @Str() status: string;
  @StrOrNull() step: string | null;
  @Str() category: string;
  @Str() urgency: string;
}

export class InboxItemResponseDto {
  @ActionNames() action: ActionName;
  @StrOrNull() unit: string | null;
  @StrOrNull() deadline: string | null;
  @StrOrNull({ description: "when the item's clock started (dispatch, or the review step's start)" })
  startedAt: string | null;
  @LightOrNull({ description: 'X-9: on the working-day calendar; null without a deadline' })
  light: 'green' | 'yellow' | 'red' | null;
  @Obj(() => InboxTicketDto) ticket: InboxTicketDto;
}

/** GET /api/inbox/page (issue 19). */
export class InboxPageResponseDto {
  @Obj(() => InboxItemResponseDto, { isArray: true }) items: InboxItemResponseDto[];
  @StrOrNull({ description: 'pass as cursor for the next page; null on the last page' }) nextCursor: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'everything waiting for this person, per action: the true totals, not the page',
  })
  counts: Record<string, number>;
  @Int({ description: 'the sum of counts' }) total: number;
}

export class AttachmentResponseDto {
  @Str() id: string;
  @Str() ticketId: string;
  @StrOrNull({ description: "set on a reply's attachment: the unit's assignment it belongs to" })
  assignmentId: string | null;
  @ApiProperty({ enum: ['ticket', 'reply'] }) kind: 'ticket' | 'reply';
  @Str() fileName: string;
  @Str() contentType: string;
  @Int() sizeBytes: number;
  @Obj(() => PersonRefDto) uploadedBy: PersonRefDto;
  @Str() createdAt: string;
  @Str({ description: 'download path (needs the bearer token)' }) url: string;
}

/** POST /api/tickets/:id/caller/reveal (13.7, R-19: on the record). */
export class RevealedCallerResponseDto {
  @StrOrNull() name: string | null;
  @StrOrNull() phone: string | null;
  @StrOrNull() address: string | null;
}
