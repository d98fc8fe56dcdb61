// One DTO per workflow action (the body of POST /api/tickets/:id/actions/:action).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsUUID,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { NOT_CONTACTED_REASONS, type ActionName } from '@hotline/workflow';

class UnitScoped {
  @ApiPropertyOptional({ description: 'acting unit, when you belong to several (or the target unit for ops)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unit?: string;
}

export class OptionalCommentDto extends UnitScoped {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class RequiredCommentDto extends UnitScoped {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写意见' })
  @MaxLength(2000)
  comment: string;
}

export class DispatchAssignmentDto {
  @ApiProperty({ example: 'branch1' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  unit: string;

  @ApiProperty({ enum: ['sole', 'lead', 'co'] })
  @IsIn(['sole', 'lead', 'co'])
  role: 'sole' | 'lead' | 'co';
}

export class DispatchDto {
  @ApiProperty({ type: [DispatchAssignmentDto] })
  @IsArray()
  @ArrayMinSize(1, { message: '请至少选择一个承办单位' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => DispatchAssignmentDto)
  assignments: DispatchAssignmentDto[];

  @ApiPropertyOptional({ description: 'latest reply time (ISO 8601); default from the time-limit policy' })
  @IsOptional()
  @IsDateString({ strict: true })
  replyDeadline?: string;
}

export class RequestReturnDto extends UnitScoped {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写理由' })
  @MaxLength(2000)
  reason: string;

  @ApiProperty({ description: 'the rule or duty division the return rests on (R-11)' })
  @IsString()
  @IsNotEmpty({ message: '请填写依据' })
  @MaxLength(2000)
  basis: string;
}

export class CallerContactDto {
  @ApiProperty()
  @IsBoolean()
  contacted: boolean;

  @ApiProperty({ example: 'phone' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(32)
  method: string;

  @ApiProperty()
  @IsDateString({ strict: true })
  at: string;

  @ApiProperty({ description: 'what the caller was told; when not contacted, what was tried (R-13)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  summary: string;

  @ApiPropertyOptional({
    enum: NOT_CONTACTED_REASONS,
    description:
      'R-13: required when contacted is false, absent when true: empty_number 空号/停机, no_answer_3_tries ' +
      '三次联系未接通/拒接, declined_contact 来电人要求不回访, no_contact_info 未留联系方式/匿名, other 其他',
  })
  @IsOptional()
  @IsIn(NOT_CONTACTED_REASONS)
  notContactedReason?: string;
}

export class SubmitReplyDto extends UnitScoped {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  content: string;

  @ApiProperty()
  @IsDateString({ strict: true })
  handledAt: string;

  @ApiProperty({ description: '经办人' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  handler: string;

  @ApiProperty({ type: CallerContactDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CallerContactDto)
  callerContact: CallerContactDto;

  @ApiProperty({ enum: ['satisfied', 'basically_satisfied', 'unsatisfied', 'unknown'] })
  @IsIn(['satisfied', 'basically_satisfied', 'unsatisfied', 'unknown'])
  satisfaction: string;
}

export class SendBackDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写意见' })
  @MaxLength(2000)
  comment: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  units?: string[];
}

export class RevokeDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写理由' })
  @MaxLength(2000)
  reason: string;
}

export class AnswerDirectlyDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写答复内容' })
  @MaxLength(20000)
  answer: string;

  @ApiPropertyOptional({ description: 'X-7: the knowledge-base article the answer cites (its use is counted)' })
  @IsOptional()
  @IsUUID('all', { message: 'articleId 须为办事指南文章的编号' })
  articleId?: string;
}

/** 并单 — this (new) matter joins an open ticket; its caller becomes an additional caller there. */
export class MergeDto {
  @ApiProperty({ description: 'id of the open ticket this matter joins' })
  @IsUUID('all', { message: 'into 须为工单的编号' })
  into: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class CloseDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ description: 'R-14(3): keep a report or accident found true under follow-up' })
  @IsOptional()
  @IsBoolean()
  followUp?: boolean;
}

/** pass_review; at the office's wording review also the edited consolidated answer (issue 15.10, Art. 4). */
export class PassReviewDto extends CloseDto {
  @ApiPropertyOptional({
    description:
      'office_review only: the consolidated answer as the office edited it; report_upstream reports this text (issue 15.10)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(8000)
  upstreamAnswer?: string;
}

export class FollowUpNoteDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写意见' })
  @MaxLength(2000)
  comment: string;
}

export class FinishFollowUpDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class RemindDto extends OptionalCommentDto {}

/** the workflow checks the configured cap (EXTENSION_MAX_DAYS); this only bounds the shape. */
export class RequestExtensionDto extends UnitScoped {
  @ApiProperty({ description: 'working days asked for (1 … EXTENSION_MAX_DAYS, default 3)', example: 2 })
  @IsInt()
  @Min(1)
  @Max(15)
  days: number;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写理由' })
  @MaxLength(2000)
  reason: string;
}

/** one follow-up call (回访). The workflow checks which fields go with which outcome. */
export class RecordVisitDto {
  @ApiProperty({ enum: ['reached', 'no_answer', 'refused'] })
  @IsIn(['reached', 'no_answer', 'refused'])
  outcome: 'reached' | 'no_answer' | 'refused';

  @ApiPropertyOptional({ description: 'reached only: was the matter solved' })
  @IsOptional()
  @IsBoolean()
  solved?: boolean;

  @ApiPropertyOptional({
    enum: ['satisfied', 'basically_satisfied', 'unsatisfied'],
    description: 'reached only: 满意 / 基本满意 / 不满意',
  })
  @IsOptional()
  @IsIn(['satisfied', 'basically_satisfied', 'unsatisfied'])
  satisfaction?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ description: 'unsatisfied through this unit: re-opens the ticket to it as rework (重办)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unitAtFault?: string;
}

export class CaseFileDto {
  @ApiProperty({ description: 'what went wrong' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  cause: string;

  @ApiProperty({ enum: ['driver', 'route', 'vehicle', 'unit'] })
  @IsIn(['driver', 'route', 'vehicle', 'unit'])
  partyKind: string;

  @ApiProperty({ description: "the driver's number, the route, the plate or the unit" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  party: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  measures: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2000)
  lesson: string;
}

/** 有责/无责 on a complaint; the case file is the unit's (write_case_file), or given here by the ops department. */
export class MarkResponsibleDto {
  @ApiProperty({ description: 'true = 有责 (at fault), false = 无责' })
  @IsBoolean()
  atFault: boolean;

  @ApiProperty({ description: 'what the decision rests on' })
  @IsString()
  @IsNotEmpty({ message: '请填写依据' })
  @MaxLength(2000)
  basis: string;

  @ApiPropertyOptional({ description: 'at fault: the unit that answers for it' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  responsibleUnit?: string;

  @ApiPropertyOptional({ type: CaseFileDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CaseFileDto)
  caseFile?: CaseFileDto;
}

/** Issue 15.6 (Art. 14(三)): a handling unit's follow-up progress. */
export class UnitFollowUpDto extends UnitScoped {
  @ApiProperty({ description: 'what the unit did since (progress of the follow-up)' })
  @IsString()
  @IsNotEmpty({ message: '请填写跟踪进展' })
  @MaxLength(2000)
  comment: string;
}

/** Issue 15.7 (Art. 10): the ops department finds a unit's approved reply untrue; it is corrected. */
export class FlagUntrueReplyDto extends UnitScoped {
  @ApiProperty({ description: 'what was found untrue (the reason)' })
  @IsString()
  @IsNotEmpty({ message: '请填写不实情况（理由）' })
  @MaxLength(2000)
  reason: string;

  @ApiProperty({ description: 'new latest reply time for the corrected reply (ISO 8601), after now' })
  @IsDateString({ strict: true }, { message: 'replyDeadline 须为新的最晚回复时间（ISO 8601）' })
  replyDeadline: string;
}

/** Issue 15.9 (改派): which unit's assignment is withdrawn, the unit sent instead, and why. */
export class RerouteDto {
  @ApiPropertyOptional({ description: 'the unit whose assignment is withdrawn (needed when several are open)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unit?: string;

  @ApiProperty({ example: 'branch2', description: 'the unit dispatched instead, in the same role; not on the ticket' })
  @IsString()
  @IsNotEmpty({ message: '请选择改派给哪个单位' })
  @MaxLength(40)
  newUnit: string;

  @ApiProperty()
  @IsString()
  @IsNotEmpty({ message: '请填写改派理由' })
  @MaxLength(2000)
  reason: string;

  @ApiPropertyOptional({
    description: "the new unit's latest reply time (ISO 8601); default from the time-limit policy",
  })
  @IsOptional()
  @IsDateString({ strict: true })
  replyDeadline?: string;
}

/** The body class for each action name of the public contract. */
export const ACTION_BODIES: Record<ActionName, new () => object> = {
  dispatch: DispatchDto,
  answer_directly: AnswerDirectlyDto,
  merge: MergeDto,
  revoke: RevokeDto,
  accept: UnitScoped,
  request_return: RequestReturnDto,
  approve_return: OptionalCommentDto,
  reject_return: RequiredCommentDto,
  submit_reply: SubmitReplyDto,
  approve_reply: OptionalCommentDto,
  reject_reply: RequiredCommentDto,
  pass_review: PassReviewDto,
  send_back: SendBackDto,
  report_upstream: CloseDto,
  record_follow_up: FollowUpNoteDto,
  finish_follow_up: FinishFollowUpDto,
  remind: RemindDto,
  request_extension: RequestExtensionDto,
  approve_extension: OptionalCommentDto,
  reject_extension: RequiredCommentDto,
  record_visit: RecordVisitDto,
  mark_responsible: MarkResponsibleDto,
  // Issue 15.12 (Art. 16): the unit at fault's case analysis.
  write_case_file: CaseFileDto,
  record_unit_follow_up: UnitFollowUpDto,
  flag_untrue_reply: FlagUntrueReplyDto,
  reroute: RerouteDto,
};
