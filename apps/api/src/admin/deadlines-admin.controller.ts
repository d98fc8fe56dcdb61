import { Body, Controller, Delete, Get, Param, ParseIntPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CalendarService, TimeLimitService, type CurrentUser } from '@hotline/tickets';
import { DomainError } from '@hotline/workflow';
import { Actor } from '../common/current-user.decorator';
import { CalendarStatusResponseDto, TimeLimitPolicyResponseDto } from './admin-response.dto';

const UNITS = ['minutes', 'working_hours', 'working_days', 'calendar_months'] as const;

export class LimitDto {
  @ApiProperty({ minimum: 1 })
  @IsInt()
  @Min(1)
  amount: number;

  @ApiProperty({ enum: UNITS })
  @IsIn(UNITS)
  unit: (typeof UNITS)[number];
}

export class TimeLimitPolicyDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'null = any source' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  sourceCode?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'null = any category' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  categoryCode?: string | null;

  @ApiPropertyOptional({ enum: ['normal', 'urgent'], nullable: true, description: 'null = any urgency' })
  @IsOptional()
  @IsIn(['normal', 'urgent'])
  urgency?: 'normal' | 'urgent' | null;

  @ApiPropertyOptional({ type: LimitDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => LimitDto)
  accept?: LimitDto | null;

  @ApiProperty({ type: LimitDto })
  @ValidateNested()
  @Type(() => LimitDto)
  reply: LimitDto;

  @ApiPropertyOptional({ type: LimitDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => LimitDto)
  review?: LimitDto | null;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 10,
    default: 1,
    description: "R-6, issue 15.4: co units' deadline this many working days before the lead's",
  })
  @IsOptional()
  @IsInt()
  coLeadWorkingDays?: number;

  @ApiPropertyOptional({
    minimum: 0,
    description:
      'X-3, issue 15.5: working days before an upstream deadline; at least the four chain-B review limits (default: exactly that, at least 1)',
  })
  @IsOptional()
  @IsInt()
  upstreamMarginWorkingDays?: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string | null;
}

export class TimeLimitsDto {
  @ApiProperty({ type: [TimeLimitPolicyDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => TimeLimitPolicyDto)
  policies: TimeLimitPolicyDto[];
}

export class CalendarOverrideDto {
  @ApiProperty({ enum: ['closed', 'working'], description: 'an extra closure day, or an extra working day' })
  @IsIn(['closed', 'working'])
  kind: 'closed' | 'working';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string;
}

export class CalendarYearDto {
  @ApiPropertyOptional({
    description: 'the State Council notice, one entry a line: "2027-01-01 至 2027-01-03 休", "2027-02-20 上班"',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  text?: string;

  @ApiPropertyOptional({ type: [String], description: 'or: days off and ranges ("2027-02-05 至 02-13")' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  holidays?: string[];

  @ApiPropertyOptional({ type: [String], description: 'make-up working days (调休上班)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  workdays?: string[];
}

class DateParam {
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  date: string;
}

/** time limits and the working-day calendar, kept by the admin. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
export class DeadlinesAdminController {
  constructor(
    private readonly limits: TimeLimitService,
    private readonly calendar: CalendarService,
  ) {}

  @Get('time-limits')
  @ApiOperation({ summary: 'Time-limit policies per source × category × urgency (X-1)' })
  @ApiOkResponse({ type: TimeLimitPolicyResponseDto, isArray: true })
  timeLimits(@Actor() user: CurrentUser) {
    return this.limits.list(user);
  }

  @Put('time-limits')
  @ApiOperation({
    summary: 'Replace the time-limit policies (one default row with no source/category/urgency is required)',
  })
  @ApiOkResponse({ type: TimeLimitPolicyResponseDto, isArray: true })
  putTimeLimits(@Actor() user: CurrentUser, @Body() dto: TimeLimitsDto) {
    return this.limits.replace(
      user,
      dto.policies.map((p) => ({
        sourceCode: p.sourceCode ?? null,
        categoryCode: p.categoryCode ?? null,
        urgency: p.urgency ?? null,
        accept: p.accept ? { amount: p.accept.amount, unit: p.accept.unit } : null,
        reply: { amount: p.reply.amount, unit: p.reply.unit },
        review: p.review ? { amount: p.review.amount, unit: p.review.unit } : null,
        coLeadWorkingDays: p.coLeadWorkingDays ?? 1,
        upstreamMarginWorkingDays: p.upstreamMarginWorkingDays ?? null,
        note: p.note ?? null,
      })),
    );
  }

  @Get('calendar')
  @ApiOperation({ summary: 'The working-day calendar: covered years, missing years, overrides, entered years (X-2)' })
  @ApiOkResponse({ type: CalendarStatusResponseDto })
  calendarStatus(@Actor() user: CurrentUser) {
    return this.calendar.status(user);
  }

  @Put('calendar/overrides/:date')
  @ApiOperation({ summary: 'Set a local override: an extra closure day or an extra working day' })
  @ApiOkResponse({ type: CalendarStatusResponseDto })
  putOverride(@Actor() user: CurrentUser, @Param() p: DateParam, @Body() dto: CalendarOverrideDto) {
    return this.calendar.putOverride(user, p.date, dto);
  }

  @Delete('calendar/overrides/:date')
  @ApiOperation({ summary: 'Remove a local override' })
  @ApiOkResponse({ type: CalendarStatusResponseDto })
  deleteOverride(@Actor() user: CurrentUser, @Param() p: DateParam) {
    return this.calendar.deleteOverride(user, p.date);
  }

  @Put('calendar/years/:year')
  @ApiOperation({ summary: "Enter a year's holidays and make-up working days from the State Council notice" })
  @ApiOkResponse({ type: CalendarStatusResponseDto })
  putYear(@Actor() user: CurrentUser, @Param('year', new ParseIntPipe()) year: number, @Body() dto: CalendarYearDto) {
    return this.calendar.putYear(user, checkYear(year), dto);
  }

  @Delete('calendar/years/:year')
  @ApiOperation({ summary: "Remove an entered year (the package's data, if any, applies again)" })
  @ApiOkResponse({ type: CalendarStatusResponseDto })
  deleteYear(@Actor() user: CurrentUser, @Param('year', new ParseIntPipe()) year: number) {
    return this.calendar.deleteYear(user, checkYear(year));
  }
}

function checkYear(year: number): number {
  if (year < 2000 || year > 2200) throw new DomainError('VALIDATION', '年份须在 2000 至 2200 之间。', 'year');
  return year;
}
