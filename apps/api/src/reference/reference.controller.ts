import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService, ReferenceService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { CategoryResponseDto, MeResponseDto, SourceResponseDto, UnitResponseDto } from '../auth/session-response.dto';

@ApiTags('reference')
@ApiBearerAuth()
@Controller('api')
export class ReferenceController {
  constructor(
    private readonly reference: ReferenceService,
    private readonly auth: AuthService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in person, roles and units' })
  @ApiOkResponse({ type: MeResponseDto })
  me(@Actor() user: CurrentUser): Promise<MeResponseDto> {
    return this.auth.me(user);
  }

  @Get('units')
  @ApiOkResponse({ type: UnitResponseDto, isArray: true })
  units(): Promise<UnitResponseDto[]> {
    return this.reference.units();
  }

  @Get('sources')
  @ApiOkResponse({ type: SourceResponseDto, isArray: true })
  sources(): Promise<SourceResponseDto[]> {
    return this.reference.sources();
  }

  @Get('categories')
  @ApiOkResponse({ type: CategoryResponseDto, isArray: true })
  categories(): Promise<CategoryResponseDto[]> {
    return this.reference.categories();
  }
}
