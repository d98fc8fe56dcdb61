import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { AdminService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { BeforeIdPageQueryDto } from '../common/paging.dto';
import {
  DingTalkUsageResponseDto,
  OrgSyncRunResponseDto,
  OrgSyncSummaryResponseDto,
  OutboxRetryResponseDto,
  OutboxRowResponseDto,
} from './admin-response.dto';

export class OutboxQueryDto extends BeforeIdPageQueryDto {
  @ApiPropertyOptional({ enum: ['pending', 'sent', 'failed', 'skipped'], default: 'failed' })
  @IsOptional()
  @IsIn(['pending', 'sent', 'failed', 'skipped'])
  status?: string;
}

@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
export class AdminController {
  constructor(private readonly admin: AdminService) {}

  @Get('dingtalk/usage')
  @ApiOperation({ summary: 'DingTalk API calls this month against the quota, and the outbox by status' })
  @ApiOkResponse({ type: DingTalkUsageResponseDto })
  usage(@Actor() user: CurrentUser) {
    return this.admin.usage(user);
  }

  @Get('outbox')
  @ApiOperation({ summary: 'Notices and to-dos by status (failed by default)' })
  @ApiOkResponse({ type: OutboxRowResponseDto, isArray: true })
  outbox(@Actor() user: CurrentUser, @Query() q: OutboxQueryDto) {
    return this.admin.outboxRows(user, q.status ?? 'failed', q.limit ?? 50, q.before);
  }

  @Post('outbox/:id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Queue a failed notice or to-do again' })
  @ApiOkResponse({ type: OutboxRetryResponseDto })
  retry(@Actor() user: CurrentUser, @Param('id', ParseIntPipe) id: number) {
    return this.admin.retryOutbox(user, id);
  }

  @Post('org-sync')
  @HttpCode(200)
  @ApiOperation({ summary: 'Synchronise units and people from DingTalk now' })
  @ApiOkResponse({ type: OrgSyncSummaryResponseDto })
  orgSync(@Actor() user: CurrentUser) {
    return this.admin.syncOrganisation(user);
  }

  @Get('org-sync')
  @ApiOperation({ summary: 'The last organisation sync (null before the first)' })
  @ApiOkResponse({ type: OrgSyncRunResponseDto })
  lastOrgSync(@Actor() user: CurrentUser) {
    return this.admin.lastOrgSync(user);
  }
}
