import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDateString, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CursorPageQueryDto } from '../common/paging.dto';
import { TICKET_STATUSES } from '../tickets/list-tickets.dto';

export class FollowUpQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'true: every closed ticket still to be called, not only those due today' })
  @IsOptional()
  @Transform(({ value }) => value === true || value === 'true' || value === '1')
  @IsBoolean()
  all?: boolean;
}

/** the ledger's filters (the export takes the same). */
export class LedgerFilterDto {
  @ApiPropertyOptional({ description: 'received at or after (ISO 8601)' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'received before (ISO 8601)' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  source?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  category?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unit?: string;

  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: string;

  @ApiPropertyOptional({ description: 'route (线路), exactly' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  route?: string;

  @ApiPropertyOptional({ enum: ['green', 'yellow', 'red'] })
  @IsOptional()
  @IsIn(['green', 'yellow', 'red'])
  light?: 'green' | 'yellow' | 'red';

  @ApiPropertyOptional({ description: 'keyword in subject or content, or a ticket number' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class LedgerQueryDto extends LedgerFilterDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export class PeriodQueryDto {
  @ApiProperty({ description: 'period start (ISO 8601), inclusive' })
  @IsDateString({ strict: true })
  from: string;

  @ApiProperty({ description: 'period end (ISO 8601), exclusive' })
  @IsDateString({ strict: true })
  to: string;
}

export class HotSpotQueryDto extends PeriodQueryDto {
  @ApiPropertyOptional({
    description: 'matters in the window that make a route or topic a strong public concern',
    default: 5,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  threshold?: number;
}

export class CaseFileQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'keyword in cause, party, measures, lesson, subject or route' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unit?: string;

  @ApiPropertyOptional({ enum: ['driver', 'route', 'vehicle', 'unit'] })
  @IsOptional()
  @IsIn(['driver', 'route', 'vehicle', 'unit'])
  partyKind?: string;

  @ApiPropertyOptional({
    enum: ['written', 'pending', 'all'],
    default: 'written',
    description: 'issue 15.12: written analyses (the library), those the units still owe, or both',
  })
  @IsOptional()
  @IsIn(['written', 'pending', 'all'])
  status?: 'written' | 'pending' | 'all';
}
