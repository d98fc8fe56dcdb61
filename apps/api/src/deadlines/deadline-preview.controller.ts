import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsDateString, IsIn, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { DeadlinePreviewService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { DeadlinePreviewResponseDto } from '../admin/admin-response.dto';

export class DeadlinePreviewQueryDto {
  @ApiProperty({ description: 'source code, as in GET /api/sources' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  source: string;

  @ApiProperty({ description: 'category code, as in GET /api/categories' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  category: string;

  @ApiPropertyOptional({ enum: ['normal', 'urgent'], default: 'normal' })
  @IsOptional()
  @IsIn(['normal', 'urgent'])
  urgency?: 'normal' | 'urgent';

  @ApiPropertyOptional({ description: "the upstream platform's deadline (ISO 8601), X-3" })
  @IsOptional()
  @IsDateString({ strict: true })
  upstreamDeadline?: string;
}

@ApiTags('deadlines')
@ApiBearerAuth()
@Controller('api/deadlines')
export class DeadlinePreviewController {
  constructor(private readonly previews: DeadlinePreviewService) {}

  @Get('preview')
  @ApiOperation({
    summary: 'The reply deadline a dispatch now would compute, for the new-ticket form (dispatchers, ops head)',
  })
  @ApiOkResponse({ type: DeadlinePreviewResponseDto })
  preview(@Actor() user: CurrentUser, @Query() q: DeadlinePreviewQueryDto) {
    return this.previews.preview(user, {
      source: q.source,
      category: q.category,
      urgency: q.urgency ?? 'normal',
      upstreamDeadline: q.upstreamDeadline ? new Date(q.upstreamDeadline) : undefined,
    });
  }
}
