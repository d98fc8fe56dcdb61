import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UpstreamIntakeService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { hangUpSignal } from '../common/hang-up';
import { Public } from '../common/public.decorator';
import { validateBody } from '../common/validation';
import { ImportQueryDto, IntakeClientDto, UpstreamMatterDto } from './intake.dto';
import { readUpload } from './read-upload';
import {
  IntakeClientKeyResponseDto,
  IntakeClientResponseDto,
  UpstreamImportReportResponseDto,
} from './intake-response.dto';

const SIGNED = [
  {
    name: 'X-Intake-Key-Id',
    description: 'the key id of your system (never the secret: the secret only signs)',
    required: true,
  },
  { name: 'X-Intake-Timestamp', description: 'Unix seconds; within the replay window', required: true },
  {
    name: 'X-Intake-Signature',
    description: 'hex HMAC-SHA256 with the secret of `timestamp + "\\n" + body` (GET: the path instead of the body)',
    required: true,
  },
];

/** Intake from upstream systems: signed submissions and read-back; Excel batches; keys. */
@ApiTags('intake')
@Controller('api')
export class UpstreamIntakeController {
  constructor(private readonly intake: UpstreamIntakeService) {}

  @Public()
  @Post('intake')
  @ApiOperation({ summary: 'Submit a matter (signed). 201 new; 200 the same reference again (the first ticket)' })
  @ApiHeader(SIGNED[0])
  @ApiHeader(SIGNED[1])
  @ApiHeader(SIGNED[2])
  @ApiBody({ type: UpstreamMatterDto })
  async submit(
    @Req() req: FastifyRequest & { rawBody?: Buffer },
    @Headers() h: Record<string, string | undefined>,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    // The signature covers the exact bytes sent, so it is checked before the body is read.
    const client = await this.intake.authenticate({
      keyId: h['x-intake-key-id'],
      key: h['x-intake-key'],
      timestamp: h['x-intake-timestamp'],
      signature: h['x-intake-signature'],
      payload: req.rawBody?.toString('utf8') ?? '',
    });
    const dto = await validateBody(UpstreamMatterDto, body);
    const { created, result } = await this.intake.submit(client, {
      ...dto,
      upstreamDeadline: dto.upstreamDeadline ? new Date(dto.upstreamDeadline) : undefined,
      occurredAt: dto.occurredAt ? new Date(dto.occurredAt) : undefined,
    });
    void reply.status(created ? 201 : 200);
    return result;
  }

  @Public()
  @Get('intake/:source/:ref')
  @ApiOperation({ summary: 'Read a submitted matter’s status and, once closed, its result (signed over the path)' })
  @ApiHeader(SIGNED[0])
  @ApiHeader(SIGNED[1])
  @ApiHeader(SIGNED[2])
  async read(
    @Req() req: FastifyRequest,
    @Headers() h: Record<string, string | undefined>,
    @Param('source') source: string,
    @Param('ref') ref: string,
  ) {
    const client = await this.intake.authenticate({
      keyId: h['x-intake-key-id'],
      key: h['x-intake-key'],
      timestamp: h['x-intake-timestamp'],
      signature: h['x-intake-signature'],
      payload: req.url,
    });
    return this.intake.read(client, source, ref);
  }

  @ApiBearerAuth()
  @Post('intake/import')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Import upstream matters from a sheet (dispatchers): dryRun=true previews; one bad row, none imported; with progress, followed at /api/imports/{key} and cancellable (409 when cancelled)',
  })
  @ApiOkResponse({ type: UpstreamImportReportResponseDto })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  async importBatch(
    @Actor() user: CurrentUser,
    @Query() q: ImportQueryDto,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const progress = q.progress ? { key: q.progress, signal: hangUpSignal(reply) } : undefined;
    return this.intake.importBatch(user, q.source ?? '', () => readUpload(req), q.dryRun ?? false, progress);
  }

  @ApiBearerAuth()
  @Get('admin/intake-clients')
  @ApiOkResponse({ type: IntakeClientResponseDto, isArray: true })
  clients(@Actor() user: CurrentUser) {
    return this.intake.clients(user);
  }

  @ApiBearerAuth()
  @Post('admin/intake-clients')
  @ApiOperation({
    summary: 'Create or re-key an upstream system; its key id and secret are in this answer only (admin)',
  })
  @ApiCreatedResponse({ type: IntakeClientKeyResponseDto })
  saveClient(@Actor() user: CurrentUser, @Body() dto: IntakeClientDto) {
    return this.intake.saveClient(user, dto);
  }

  @ApiBearerAuth()
  @Delete('admin/intake-clients/:code')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'withdrawn' })
  async withdrawClient(@Actor() user: CurrentUser, @Param('code') code: string) {
    await this.intake.withdrawClient(user, code);
  }
}
