import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RepeatsService, TicketActionsService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { AnswerCallerDto, RepeatsQueryDto } from './intake.dto';
import { TicketResponseDto } from '../tickets/ticket-response.dto';
import { CallerToAnswerResponseDto, RepeatPanelResponseDto } from './intake-response.dto';

/** the repeat panel and the callers of merged matters. */
@ApiTags('intake')
@ApiBearerAuth()
@Controller('api')
export class IntakeDeskController {
  constructor(
    private readonly repeats: RepeatsService,
    private readonly actions: TicketActionsService,
  ) {}

  @Get('intake/repeats')
  @ApiOperation({
    summary: 'Earlier matters of the same phone (keyed hash) or vehicle/route/stop within `days` (dispatchers)',
  })
  @ApiOkResponse({ type: RepeatPanelResponseDto })
  panel(@Actor() user: CurrentUser, @Query() q: RepeatsQueryDto): Promise<RepeatPanelResponseDto> {
    return this.repeats.repeats(user, q);
  }

  @Get('intake/callers-to-answer')
  @ApiOperation({ summary: 'Callers of closed, merged-into tickets still to be told the result' })
  @ApiOkResponse({ type: CallerToAnswerResponseDto, isArray: true })
  callersToAnswer(@Actor() user: CurrentUser) {
    return this.repeats.callersToAnswer(user);
  }

  @Post('tickets/:id/callers/:callerId/answered')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record that an additional (merged) caller was told the result' })
  @ApiOkResponse({ type: TicketResponseDto })
  answered(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Param('callerId') callerId: string,
    @Body() dto: AnswerCallerDto,
  ) {
    return this.actions.answerCaller(user, id, callerId, dto);
  }
}
