import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { TransitService, type CurrentUser, type TransitImportKind } from '@hotline/tickets';
import { DomainError } from '@hotline/workflow';
import { Actor } from '../common/current-user.decorator';
import { hangUpSignal } from '../common/hang-up';
import { ImportQueryDto, LookupQueryDto, RoutingRulesDto, RoutingSuggestQueryDto } from './intake.dto';
import { readUpload } from './read-upload';
import {
  RoutingRuleResponseDto,
  RoutingSuggestionResponseDto,
  TransitImportReportResponseDto,
  TransitRouteResponseDto,
  TransitStopResponseDto,
  TransitVehicleResponseDto,
} from './intake-response.dto';

const KINDS: TransitImportKind[] = ['routes', 'stops', 'vehicles'];

/** routes, stops and vehicles; routing suggestions; category/keyword rules. */
@ApiTags('transit')
@ApiBearerAuth()
@Controller('api')
export class TransitController {
  constructor(private readonly transit: TransitService) {}

  @Get('transit/routes')
  @ApiOkResponse({ type: TransitRouteResponseDto, isArray: true })
  routes(@Actor() user: CurrentUser, @Query() q: LookupQueryDto) {
    return this.transit.routes(user, q.q);
  }

  @Get('transit/stops')
  @ApiOkResponse({ type: TransitStopResponseDto, isArray: true })
  stops(@Actor() user: CurrentUser, @Query() q: LookupQueryDto) {
    return this.transit.stops(user, q.route, q.q);
  }

  @Get('transit/vehicles')
  @ApiOkResponse({ type: TransitVehicleResponseDto, isArray: true })
  vehicles(@Actor() user: CurrentUser, @Query() q: LookupQueryDto) {
    return this.transit.vehicles(user, q.q);
  }

  @Post('transit/import/:kind')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import routes, stops or vehicles from .xlsx or CSV (admin); all rows or none, errors per row; with progress, followed at /api/imports/{key} and cancellable',
  })
  @ApiParam({ name: 'kind', enum: KINDS })
  @ApiOkResponse({ type: TransitImportReportResponseDto })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  async import(
    @Actor() user: CurrentUser,
    @Param('kind') kind: string,
    @Query() q: ImportQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!KINDS.includes(kind as TransitImportKind)) {
      throw new DomainError('NOT_FOUND', `import one of: ${KINDS.join(', ')}`);
    }
    const progress = q.progress ? { key: q.progress, signal: hangUpSignal(reply) } : undefined;
    return this.transit.import(user, kind as TransitImportKind, () => readUpload(req), q.dryRun ?? false, progress);
  }

  @Get('intake/suggest')
  @ApiOperation({ summary: 'The branch company for a route or plate and the units to suggest (suggestions only)' })
  @ApiOkResponse({ type: RoutingSuggestionResponseDto })
  suggest(@Actor() user: CurrentUser, @Query() q: RoutingSuggestQueryDto): Promise<RoutingSuggestionResponseDto> {
    return this.transit.suggest(user, q);
  }

  @Get('admin/routing-rules')
  @ApiOkResponse({ type: RoutingRuleResponseDto, isArray: true })
  rules(@Actor() user: CurrentUser) {
    return this.transit.rules(user);
  }

  @Put('admin/routing-rules')
  @ApiOperation({ summary: 'Replace the category/keyword → unit rules (admin)' })
  @ApiOkResponse({ type: RoutingRuleResponseDto, isArray: true })
  replaceRules(@Actor() user: CurrentUser, @Body() dto: RoutingRulesDto) {
    return this.transit.replaceRules(
      user,
      dto.rules.map((r) => ({
        categoryCode: r.category ?? null,
        keywords: r.keywords ?? [],
        unitCode: r.unit,
        role: r.role ?? 'sole',
        note: r.note ?? null,
      })),
    );
  }
}
