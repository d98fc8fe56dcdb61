import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { AuthService } from '@hotline/tickets';
import { Public } from '../common/public.decorator';
import { SessionResponseDto } from './session-response.dto';

export class DevSignInDto {
  @ApiProperty({ example: 'dispatcher1' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  userid: string;
}

export class RefreshDto {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken: string;
}

/** Sign-in endpoints are rate-limited per client address (AUTH_RATE_LIMIT_PER_MINUTE). */
@ApiTags('auth')
@Controller('api/auth')
@UseGuards(ThrottlerGuard)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('dev')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sign in as a demo person (only with the DingTalk simulator and DEV_LOGIN not false; else 404)',
  })
  @ApiOkResponse({ type: SessionResponseDto })
  dev(@Body() dto: DevSignInDto): Promise<SessionResponseDto> {
    return this.auth.devSignIn(dto.userid);
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new access token and refresh token (one use)' })
  @ApiOkResponse({ type: SessionResponseDto })
  refresh(@Body() dto: RefreshDto): Promise<SessionResponseDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Public()
  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'End the session of this refresh token' })
  async logout(@Body() dto: RefreshDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }
}
