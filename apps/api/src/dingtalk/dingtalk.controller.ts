import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, IsUrl, MaxLength } from 'class-validator';
import { DingTalkSignInService } from '@hotline/tickets';
import { Public } from '../common/public.decorator';

export class DingTalkSignInDto {
  @ApiProperty({ description: 'the one-shot code from runtime.permission.requestAuthCode (5 minutes)' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  code: string;
}

export class JsapiConfigQueryDto {
  @ApiProperty({ description: 'the page URL (without #fragment it is signed as is)' })
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  @MaxLength(2000)
  url: string;
}

@ApiTags('dingtalk')
@Controller('api')
export class DingTalkController {
  constructor(private readonly signInService: DingTalkSignInService) {}

  @Public()
  @UseGuards(ThrottlerGuard)
  @Post('auth/dingtalk')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in inside DingTalk with a requestAuthCode code' })
  signIn(@Body() dto: DingTalkSignInDto) {
    return this.signInService.signIn(dto.code);
  }

  @Get('dingtalk/jsapi-config')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'dd.config parameters (agentId, corpId, timeStamp, nonceStr, signature) for a page' })
  jsapiConfig(@Query() q: JsapiConfigQueryDto) {
    return this.signInService.jsapiConfig(q.url);
  }
}
