import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  InboxService,
  TicketActionsService,
  TicketQueriesService,
  TicketRegistrationService,
  type CurrentUser,
} from '@hotline/tickets';
import { ACTIONS, DomainError, type ActionName } from '@hotline/workflow';
import { Actor } from '../common/current-user.decorator';
import { validateBody } from '../common/validation';
import { ACTION_BODIES } from './action.dto';
import { CreateTicketDto } from './create-ticket.dto';
import { InboxPageQueryDto, InboxQueryDto, ListTicketsQueryDto } from './list-tickets.dto';
import {
  InboxItemResponseDto,
  InboxPageResponseDto,
  TicketPageResponseDto,
  TicketResponseDto,
} from './ticket-response.dto';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api')
export class TicketsController {
  constructor(
    private readonly queries: TicketQueriesService,
    private readonly registration: TicketRegistrationService,
    private readonly actions: TicketActionsService,
    private readonly inboxes: InboxService,
  ) {}

  @Post('tickets')
  @ApiOperation({ summary: 'Register a ticket (dispatchers)' })
  @ApiCreatedResponse({ type: TicketResponseDto })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key (and body) returns the first registration, never a second ticket',
  })
  async create(
    @Actor() user: CurrentUser,
    @Body() dto: CreateTicketDto,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<TicketResponseDto> {
    checkIdempotencyKey(idempotencyKey);
    const result = await this.registration.register(
      user,
      {
        ...dto,
        upstreamDeadline: dto.upstreamDeadline ? new Date(dto.upstreamDeadline) : undefined,
        occurredAt: dto.occurredAt ? new Date(dto.occurredAt) : undefined,
      },
      idempotencyKey,
    );
    return result.ticket;
  }

  @Get('tickets')
  @ApiOperation({ summary: 'Tickets visible to you, newest first, keyset-paginated (cursor)' })
  @ApiOkResponse({ type: TicketPageResponseDto })
  list(@Actor() user: CurrentUser, @Query() q: ListTicketsQueryDto) {
    return this.queries.list(user, {
      ...q,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit: q.limit ?? 20,
    });
  }

  @Get('tickets/:id')
  @ApiOperation({
    summary: 'One ticket with assignments, timeline and the actions you may take now; ETag = its version',
  })
  @ApiOkResponse({ type: TicketResponseDto })
  async get(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TicketResponseDto> {
    const ticket = await this.queries.get(user, id);
    void reply.header('ETag', etagOf(ticket.version));
    return ticket;
  }

  @Post('tickets/:id/actions/:action')
  @HttpCode(200)
  @ApiOperation({ summary: 'Take a workflow action; the body depends on the action (see docs/api.md)' })
  @ApiParam({ name: 'action', enum: ACTIONS })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'a retry with the same key returns the first result',
  })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'the ETag of GET /api/tickets/:id (or `expectedVersion` in the body): 409 if the ticket changed since',
  })
  @ApiBody({ schema: { type: 'object' } })
  @ApiOkResponse({ type: TicketResponseDto })
  async act(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('idempotency-key') idempotencyKey?: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<TicketResponseDto> {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new DomainError('NOT_FOUND', `unknown action "${action}"; one of: ${ACTIONS.join(', ')}`);
    }
    checkIdempotencyKey(idempotencyKey);
    const { body: actionBody, expectedVersion } = expectedVersionOf(body, ifMatch);
    const dto = await validateBody(ACTION_BODIES[action as ActionName], actionBody);
    const result = await this.actions.act(user, id, action, { ...dto }, idempotencyKey, expectedVersion);
    void reply.header('ETag', etagOf(result.ticket.version));
    return result.ticket;
  }

  @Get('inbox')
  @ApiOperation({ summary: 'Your pending work across tickets, soonest deadline first' })
  @ApiOkResponse({ type: InboxItemResponseDto, isArray: true })
  inbox(@Actor() user: CurrentUser, @Query() q: InboxQueryDto) {
    return this.inboxes.first(user, q.limit ?? 100);
  }

  @Get('inbox/page')
  @ApiOperation({
    summary:
      'A page of your pending work (a tab: some actions only), with the next cursor and the true counts per action',
  })
  @ApiOkResponse({ type: InboxPageResponseDto })
  inboxPage(@Actor() user: CurrentUser, @Query() q: InboxPageQueryDto) {
    const actions = q.actions
      ?.split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    return this.inboxes.page(user, {
      limit: q.limit ?? 50,
      cursor: q.cursor,
      actions: actions?.length ? actions : undefined,
    });
  }
}

function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !/^[\w.:-]{1,128}$/.test(key)) {
    throw new DomainError('VALIDATION', 'Idempotency-Key must be 1–128 letters, digits, or . _ : -', 'Idempotency-Key');
  }
}

/** A ticket's ETag is its version (issue 18.3): what If-Match sends back with an action. */
function etagOf(version: number): string {
  return `"${version}"`;
}

/**
 * The version the person saw (issue 18.3): `expectedVersion` in the body (taken out before the
 * action's DTO sees it) or an If-Match ETag; both given must agree.
 */
function expectedVersionOf(body: unknown, ifMatch: string | undefined): { body: unknown; expectedVersion?: number } {
  let fromBody: number | undefined;
  let rest = body;
  if (body && typeof body === 'object' && !Array.isArray(body) && 'expectedVersion' in body) {
    const { expectedVersion, ...others } = body as Record<string, unknown>;
    if (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new DomainError('VALIDATION', 'expectedVersion：须为工单的版本号（非负整数）', 'expectedVersion');
    }
    fromBody = expectedVersion;
    rest = others;
  }
  let fromHeader: number | undefined;
  if (ifMatch !== undefined) {
    const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(ifMatch);
    if (!m) throw new DomainError('VALIDATION', 'If-Match：须为 GET /api/tickets/:id 给出的 ETag，如 "3"', 'If-Match');
    fromHeader = Number(m[1]);
  }
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new DomainError('VALIDATION', 'expectedVersion 与 If-Match 不一致', 'If-Match');
  }
  const expectedVersion = fromBody ?? fromHeader;
  return expectedVersion === undefined ? { body: rest } : { body: rest, expectedVersion };
}
