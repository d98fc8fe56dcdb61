import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthService, ReferenceService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';

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
  me(@Actor() user: CurrentUser) {
    return this.auth.me(user);
  }

  @Get('units')
  units() {
    return this.reference.units();
  }

  @Get('sources')
  sources() {
    return this.reference.sources();
  }

  @Get('categories')
  categories() {
    return this.reference.categories();
  }
}
