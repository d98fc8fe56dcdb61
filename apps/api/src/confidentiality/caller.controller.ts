import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { CallerRevealService, RetentionService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { BeforeIdPageQueryDto } from '../common/paging.dto';
import { RevealedCallerResponseDto } from '../tickets/ticket-response.dto';
import { RetentionReportResponseDto, RevealAuditResponseDto } from '../admin/admin-response.dto';

export class RevealDto {
  @ApiProperty({ description: "why you need the caller's details (recorded)", example: '回访来电人' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason: string;
}

export class RevealAuditQueryDto extends BeforeIdPageQueryDto {
  @ApiPropertyOptional({ description: 'only this ticket' })
  @IsOptional()
  @IsUUID()
  ticket?: string;
}

@ApiTags('confidentiality')
@ApiBearerAuth()
@Controller('api')
export class CallerController {
  constructor(
    private readonly reveals: CallerRevealService,
    private readonly retention: RetentionService,
  ) {}

  @Post('tickets/:id/caller/reveal')
  @HttpCode(200)
  @ApiOperation({ summary: "The caller's clear name, phone and address, for those who need them; recorded (R-19)" })
  @ApiOkResponse({ type: RevealedCallerResponseDto })
  reveal(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Body() dto: RevealDto,
  ): Promise<RevealedCallerResponseDto> {
    return this.reveals.reveal(user, id, dto.reason);
  }

  @Get('admin/audit/caller-reveals')
  @ApiOperation({ summary: "Who saw which caller's details, when and why (admin; append-only)" })
  @ApiOkResponse({ type: RevealAuditResponseDto, isArray: true })
  audit(@Actor() user: CurrentUser, @Query() q: RevealAuditQueryDto) {
    return this.reveals.auditLog(user, q.limit ?? 50, q.before, q.ticket);
  }

  @Get('admin/retention')
  @ApiOperation({ summary: 'Retention dry run: how many closed tickets would have their caller data erased (admin)' })
  @ApiOkResponse({ type: RetentionReportResponseDto })
  retentionReport(@Actor() user: CurrentUser) {
    return this.retention.report(user);
  }

  @Post('admin/retention/run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Erase the caller data of tickets closed longer ago than RETENTION_CALLER_YEARS (admin)' })
  @ApiOkResponse({ type: RetentionReportResponseDto })
  retentionRun(@Actor() user: CurrentUser) {
    return this.retention.run(user);
  }
}
