import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { CursorPageQueryDto } from '../common/paging.dto';

export const TICKET_STATUSES = ['registered', 'in_progress', 'in_review', 'follow_up', 'closed', 'revoked'] as const;

export class ListTicketsQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: string;

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

  @ApiPropertyOptional({
    enum: ['green', 'yellow', 'red'],
    description: 'X-9: the worst light of the open assignments',
  })
  @IsOptional()
  @IsIn(['green', 'yellow', 'red'])
  light?: 'green' | 'yellow' | 'red';

  @ApiPropertyOptional({
    enum: ['created', 'light'],
    default: 'created',
    description:
      'created: newest first. light (X-9): red, then yellow, then green, each by its earliest open reply ' +
      'deadline, then tickets with nothing open, newest first; lights are as of the first page',
  })
  @IsOptional()
  @IsIn(['created', 'light'])
  sort?: 'created' | 'light';

  @ApiPropertyOptional({ description: 'keyword in subject or content, or a ticket number' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'created at or after (ISO 8601)' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'created before (ISO 8601)' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;
}

export class InboxQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

export class InboxPageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ description: 'only these actions, comma-separated (a tab), e.g. accept,submit_reply' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  actions?: string;
}
