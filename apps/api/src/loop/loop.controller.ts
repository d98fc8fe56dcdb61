import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { LoopService, type CurrentUser } from '@hotline/tickets';
import { DomainError } from '@hotline/workflow';
import { Actor } from '../common/current-user.decorator';
import {
  CaseFileQueryDto,
  FollowUpQueryDto,
  HotSpotQueryDto,
  LedgerFilterDto,
  LedgerQueryDto,
  PeriodQueryDto,
} from './loop.dto';
import {
  CaseFilePageResponseDto,
  DispatchFiguresPeriodResponseDto,
  FollowUpPageResponseDto,
  HotSpotsResponseDto,
  LedgerExportRecordResponseDto,
  LedgerPageResponseDto,
  OverviewResponseDto,
  UnitFiguresPeriodResponseDto,
} from './loop-response.dto';

const date = (v?: string) => (v ? new Date(v) : undefined);
const filterOf = (q: LedgerFilterDto) => ({ ...q, from: date(q.from), to: date(q.to) });

/** Closing the loop (issue 7): follow-up calls, ledger, assessment, hot spots, case files. */
@ApiTags('loop')
@ApiBearerAuth()
@Controller('api')
export class LoopController {
  constructor(private readonly loop: LoopService) {}

  @Get('follow-ups')
  @ApiOperation({ summary: 'X-5: closed tickets due for a follow-up call (next working day by default)' })
  @ApiOkResponse({ type: FollowUpPageResponseDto })
  followUps(@Actor() user: CurrentUser, @Query() q: FollowUpQueryDto) {
    return this.loop.followUps(user, { all: q.all, limit: q.limit ?? 20, cursor: q.cursor });
  }

  @Get('ledger')
  @ApiOperation({ summary: 'R-15: the ledger, one row per ticket, newest first, keyset-paginated' })
  @ApiOkResponse({ type: LedgerPageResponseDto })
  ledger(@Actor() user: CurrentUser, @Query() q: LedgerQueryDto) {
    const { limit, cursor, ...filter } = q;
    return this.loop.ledger(user, filterOf(filter), limit ?? 50, cursor);
  }

  @Get('ledger/export')
  @ApiOperation({ summary: 'R-15: the ledger as Excel, streamed; with from and to also the unit figures' })
  @ApiProduces('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async export(
    @Actor() user: CurrentUser,
    @Query() q: LedgerFilterDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const { stream, fileName, exportId, total } = await this.loop.exportLedger(user, filterOf(q));
    void reply.header('cache-control', 'no-store');
    // Issue 19: the micro-app follows the export's progress at GET /api/ledger/exports/:id.
    void reply.header('x-export-id', String(exportId));
    void reply.header('x-row-count', String(total));
    return new StreamableFile(stream, {
      type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      disposition: `attachment; filename="${fileName}"`,
    });
  }

  @Get('ledger/exports')
  @ApiOperation({ summary: 'R-15, R-19: the record of ledger exports (who, when, filters, rows)' })
  @ApiOkResponse({ type: LedgerExportRecordResponseDto, isArray: true })
  exports(@Actor() user: CurrentUser) {
    return this.loop.exports(user, 100);
  }

  @Get('ledger/exports/:id')
  @ApiOperation({
    summary: 'Issue 19: one export, its progress while it runs (rowCount of total); for whoever started it',
  })
  @ApiOkResponse({ type: LedgerExportRecordResponseDto })
  exportRecord(@Actor() user: CurrentUser, @Param('id') id: string) {
    if (!/^[1-9]\d{0,14}$/.test(id)) throw new DomainError('VALIDATION', 'id 须为导出记录的编号。', 'id');
    return this.loop.exportRecord(user, Number(id));
  }

  @Get('stats/units')
  @ApiOperation({ summary: 'R-18, X-10: every unit’s figures for the period, ranked (docs/kpi.md)' })
  @ApiOkResponse({ type: UnitFiguresPeriodResponseDto })
  units(@Actor() user: CurrentUser, @Query() q: PeriodQueryDto) {
    return this.loop.unitFigures(user, new Date(q.from), new Date(q.to));
  }

  @Get('stats/dispatch')
  @ApiOperation({ summary: 'R-17: same-day dispatch (当日收、当日转) per initiator and office-wide (docs/kpi.md)' })
  @ApiOkResponse({ type: DispatchFiguresPeriodResponseDto })
  dispatch(@Actor() user: CurrentUser, @Query() q: PeriodQueryDto) {
    return this.loop.dispatchFigures(user, new Date(q.from), new Date(q.to));
  }

  @Get('stats/hotspots')
  @ApiOperation({
    summary: 'R-3, R-16: hot routes, stops, categories and hours; strong public concern past a threshold',
  })
  @ApiOkResponse({ type: HotSpotsResponseDto })
  hotSpots(@Actor() user: CurrentUser, @Query() q: HotSpotQueryDto) {
    return this.loop.hotSpots(user, new Date(q.from), new Date(q.to), q.threshold);
  }

  @Get('stats/overview')
  @ApiOperation({ summary: 'Dashboard: volume by source, category and day; open traffic lights now' })
  @ApiOkResponse({ type: OverviewResponseDto })
  overview(@Actor() user: CurrentUser, @Query() q: PeriodQueryDto) {
    return this.loop.overview(user, new Date(q.from), new Date(q.to));
  }

  @Get('case-files')
  @ApiOperation({
    summary:
      'R-16: the case library of at-fault complaints, newest first, searchable; issue 15.12: status=pending lists the analyses the units still owe',
  })
  @ApiOkResponse({ type: CaseFilePageResponseDto })
  caseFiles(@Actor() user: CurrentUser, @Query() q: CaseFileQueryDto) {
    return this.loop.caseFiles(user, { ...q, limit: q.limit ?? 20 });
  }
}
