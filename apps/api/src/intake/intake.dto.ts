// Bodies and queries of the intake desk (issue 9): knowledge base, transit, repeats, upstream intake.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CursorPageQueryDto } from '../common/paging.dto';

const bool = ({ value }: { value: unknown }) =>
  value === 'true' || value === true ? true : value === 'false' ? false : value;

export class KbArticleDto {
  @ApiProperty() @IsString() @IsNotEmpty({ message: '请填写标题' }) @MaxLength(200) title: string;
  @ApiProperty() @IsString() @IsNotEmpty({ message: '请填写正文' }) @MaxLength(20000) body: string;
  @ApiPropertyOptional({ type: String, nullable: true, description: 'category code (consultation, lost_item …)' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  category?: string | null;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MaxLength(40, { each: true })
  tags?: string[];
  @ApiPropertyOptional({ type: [String], description: 'route numbers the article is about (12, K1)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(20, { each: true })
  routes?: string[];
  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-01-01' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '生效日期须为 YYYY-MM-DD' })
  validFrom?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-12-31' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '失效日期须为 YYYY-MM-DD' })
  validUntil?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsDateString()
  reviewedAt?: string | null;
}

export class KbListQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'search text: the best 50 matches, one page' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  q?: string;
  @ApiPropertyOptional({ description: 'include withdrawn articles' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  all?: boolean;
}

export class KbSuggestQueryDto {
  @ApiProperty({ description: 'what the dispatcher has typed so far' })
  @IsString()
  @MaxLength(20000)
  q: string;
  @ApiPropertyOptional() @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(20) limit?: number;
}

export class LookupQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(20) route?: string;
}

export class RoutingSuggestQueryDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) route?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(30) vehiclePlate?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) category?: string;
  @ApiPropertyOptional({ description: 'subject and content so far (keyword rules)' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  text?: string;
}

export class RepeatsQueryDto {
  @ApiPropertyOptional({ description: 'the phone being typed; hashed on the server, never echoed' })
  @IsOptional()
  @IsString()
  @MaxLength(30)
  phone?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) route?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(30) vehiclePlate?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) stop?: string;
  @ApiPropertyOptional({ description: 'days back (default REPEAT_WINDOW_DAYS)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  days?: number;
}

export class ImportQueryDto {
  @ApiPropertyOptional({ description: 'true: check and report only (the preview)' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean()
  dryRun?: boolean;
  @ApiPropertyOptional({ description: 'upstream batches: the source the matters come from' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  source?: string;
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'issue 19: a key the client chose for this import; while it runs, GET /api/imports/{key} shows its progress and POST /api/imports/{key}/cancel stops it',
  })
  @IsOptional()
  @IsUUID('all', { message: 'progress 须为 uuid' })
  progress?: string;
}

/** Issue 19: an import's run, by the key its client chose. */
export class ImportRunParamDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'key 须为 uuid' })
  key: string;
}

export class RoutingRuleDto {
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  category?: string | null;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(20, { each: true })
  keywords?: string[];
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(40) unit: string;
  @ApiPropertyOptional({ enum: ['sole', 'lead', 'co'] }) @IsOptional() @IsIn(['sole', 'lead', 'co']) role?:
    'sole' | 'lead' | 'co';
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string | null;
}

export class RoutingRulesDto {
  @ApiProperty({ type: [RoutingRuleDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RoutingRuleDto)
  rules: RoutingRuleDto[];
}

export class AnswerCallerDto {
  @ApiProperty({ enum: ['phone', 'sms', 'visit', 'wechat', 'other'] })
  @IsIn(['phone', 'sms', 'visit', 'wechat', 'other'])
  method: string;
  @ApiProperty() @IsString() @IsNotEmpty({ message: '请填写告知情况' }) @MaxLength(2000) summary: string;
}

class UpstreamCallerDto {
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(50) name: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(30) phone: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) address?: string;
}

export class UpstreamMatterDto {
  @ApiProperty({ description: 'your reference number; a retry with the same one returns the first ticket' })
  @IsString()
  @Matches(/^[\w.:/-]{1,100}$/, { message: 'ref 须为 1–100 个字母、数字或 . _ : / -' })
  ref: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(40) category: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(200) subject: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(20000) content: string;
  @ApiProperty({ type: UpstreamCallerDto })
  @IsObject()
  @ValidateNested()
  @Type(() => UpstreamCallerDto)
  caller: UpstreamCallerDto;
  @ApiPropertyOptional()
  @IsOptional()
  @IsIn(['phone', 'wechat', 'dingtalk', 'oa', 'mailbox', 'letter', 'web', 'other'])
  channel?: string;
  @ApiPropertyOptional() @IsOptional() @IsIn(['normal', 'urgent']) urgency?: 'normal' | 'urgent';
  @ApiPropertyOptional() @IsOptional() @IsDateString() upstreamDeadline?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) route?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) direction?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) stop?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(30) vehiclePlate?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() occurredAt?: string;
}

export class IntakeClientDto {
  @ApiProperty()
  @Matches(/^[a-z][a-z0-9_]{1,39}$/, { message: '代码须以小写字母开头，共 2–40 个小写字母、数字或 _' })
  code: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(100) name: string;
  @ApiProperty({ description: 'the source its matters come from' }) @IsString() @MaxLength(40) source: string;
  @ApiProperty({ description: 'the dispatcher (发起人) on whose desk its matters land' })
  @IsString()
  @MaxLength(64)
  initiator: string;
}
