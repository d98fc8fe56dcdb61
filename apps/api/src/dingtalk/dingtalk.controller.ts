import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, IsUrl, MaxLength } from 'class-validator';
import {
  DingTalkConfigProblemsService,
  DingTalkSignInService,
  NoticeDeliveryCheckService,
  requirePageUnderPublicUrl,
  type CurrentUser,
} from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { Public } from '../common/public.decorator';
import { JsapiConfigResponseDto, SessionResponseDto } from '../auth/session-response.dto';

export class DingTalkSignInDto {
  @ApiProperty({ description: 'the one-shot code from runtime.permission.requestAuthCode (5 minutes)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  code: string;
}

export class JsapiConfigQueryDto {
  @ApiProperty({ description: 'a page URL under PUBLIC_URL (without #fragment it is signed as is)' })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  url: string;
}

@ApiTags('dingtalk')
@Controller('api')
export class DingTalkController {
  constructor(
    private readonly signInService: DingTalkSignInService,
    private readonly configProblems: DingTalkConfigProblemsService,
    private readonly deliveries: NoticeDeliveryCheckService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('auth/dingtalk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in inside DingTalk with a requestAuthCode code' })
  @ApiOkResponse({ type: SessionResponseDto })
  signIn(@Body() dto: DingTalkSignInDto): Promise<SessionResponseDto> {
    return this.signInService.signIn(dto.code);
  }

  @Public()
  @Get('auth/dingtalk/corp')
  @ApiOperation({ summary: 'The DingTalk corp id for requestAuthCode, when the page URL has none (13.5)' })
  corp() {
    return this.signInService.corp();
  }

  @Get('dingtalk/jsapi-config')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'dd.config parameters (agentId, corpId, timeStamp, nonceStr, signature) for a page' })
  @ApiOkResponse({ type: JsapiConfigResponseDto })
  jsapiConfig(@Query() q: JsapiConfigQueryDto): Promise<JsapiConfigResponseDto> {
    requirePageUnderPublicUrl(q.url, this.config.publicUrl);
    return this.signInService.jsapiConfig(q.url);
  }

  @Get('admin/dingtalk/config-problems')
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'DingTalk configuration errors seen (60011 permission, 60020 IP allow-list, credentials), newest first (admin)',
  })
  configProblemList(@Actor() user: CurrentUser) {
    return this.configProblems.list(user);
  }

  @Delete('admin/dingtalk/config-problems/:code')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Mark a DingTalk configuration error handled (admin)' })
  async clearConfigProblem(@Actor() user: CurrentUser, @Param('code') code: string): Promise<void> {
    await this.configProblems.clear(user, code);
  }

  @Get('tickets/:id/not-reached')
  @ApiBearerAuth()
  @ApiOperation({ summary: "People this ticket's work notices did not reach, per DingTalk's send result (16.3)" })
  notReached(@Actor() user: CurrentUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.deliveries.notReachedOnTicket(user, id);
  }

  @Get('admin/dingtalk/not-reached')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Recent work notices that did not reach a person, with the reason (admin, 16.3)' })
  recentNotReached(@Actor() user: CurrentUser) {
    return this.deliveries.recentNotReached(user);
  }
}
