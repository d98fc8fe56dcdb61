import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { TicketsService, type CurrentUser } from '@hotline/tickets';
import { ACTIONS, DomainError, type ActionName } from '@hotline/workflow';
import { Actor } from '../common/current-user.decorator';
import { validateBody } from '../common/validation';
import { ACTION_BODIES } from './action.dto';
import { CreateTicketDto } from './create-ticket.dto';
import { InboxQueryDto, ListTicketsQueryDto } from './list-tickets.dto';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api')
export class TicketsController {
  constructor(private readonly tickets: TicketsService) {}

  @Post('tickets')
  @ApiOperation({ summary: 'Register a ticket (dispatchers)' })
  create(@Actor() user: CurrentUser, @Body() dto: CreateTicketDto) {
    return this.tickets.create(user, {
      ...dto,
      upstreamDeadline: dto.upstreamDeadline ? new Date(dto.upstreamDeadline) : undefined,
      occurredAt: dto.occurredAt ? new Date(dto.occurredAt) : undefined,
    });
  }

  @Get('tickets')
  @ApiOperation({ summary: 'Tickets visible to you, newest first, keyset-paginated (cursor)' })
  list(@Actor() user: CurrentUser, @Query() q: ListTicketsQueryDto) {
    return this.tickets.list(user, {
      ...q,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      limit: q.limit ?? 20,
    });
  }

  @Get('tickets/:id')
  @ApiOperation({ summary: 'One ticket with assignments, timeline and the actions you may take now' })
  get(@Actor() user: CurrentUser, @Param('id') id: string) {
    return this.tickets.get(user, id);
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
  @ApiBody({ schema: { type: 'object' } })
  async act(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Param('action') action: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    if (!(ACTIONS as readonly string[]).includes(action)) {
      throw new DomainError('NOT_FOUND', `unknown action "${action}"; one of: ${ACTIONS.join(', ')}`);
    }
    if (idempotencyKey !== undefined && !/^[\w.:-]{1,128}$/.test(idempotencyKey)) {
      throw new DomainError(
        'VALIDATION',
        'Idempotency-Key must be 1–128 letters, digits, or . _ : -',
        'Idempotency-Key',
      );
    }
    const dto = await validateBody(ACTION_BODIES[action as ActionName], body);
    const result = await this.tickets.act(user, id, action, { ...dto }, idempotencyKey);
    return result.ticket;
  }

  @Get('inbox')
  @ApiOperation({ summary: 'Your pending work across tickets, soonest deadline first' })
  inbox(@Actor() user: CurrentUser, @Query() q: InboxQueryDto) {
    return this.tickets.inbox(user, q.limit ?? 100);
  }
}
