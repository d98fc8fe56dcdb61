import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { AuthService } from '@hotline/tickets';
import { Public } from '../common/public.decorator';

export class DevSignInDto {
  @ApiProperty({ example: 'dispatcher1' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  userid: string;
}

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('dev')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in as a demo person (only with the DingTalk simulator or DEV_LOGIN=true; else 404)' })
  dev(@Body() dto: DevSignInDto) {
    return this.auth.devSignIn(dto.userid);
  }
}
