import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ImportRunsService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { ImportRunParamDto } from './intake.dto';
import { ImportRunResponseDto } from './intake-response.dto';

/** Issue 19 goal 3: a long import (upstream batch, transit data) followed and cancelled by its starter. */
@ApiTags('intake')
@ApiBearerAuth()
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly runs: ImportRunsService) {}

  @Get(':key')
  @ApiOperation({ summary: 'Issue 19: an import’s run (rows checked, then written, of the total); for its starter' })
  @ApiOkResponse({ type: ImportRunResponseDto })
  run(@Actor() user: CurrentUser, @Param() p: ImportRunParamDto): Promise<ImportRunResponseDto> {
    return this.runs.run(user, p.key);
  }

  @Post(':key/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue 19: stop a running import (its starter); nothing is imported; 409 once it has ended',
  })
  @ApiOkResponse({ type: ImportRunResponseDto })
  cancel(@Actor() user: CurrentUser, @Param() p: ImportRunParamDto): Promise<ImportRunResponseDto> {
    return this.runs.cancel(user, p.key);
  }
}
