import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { CurrentUser } from '@hotline/tickets';

export const Actor = createParamDecorator((_data: unknown, ctx: ExecutionContext): CurrentUser => {
  return ctx.switchToHttp().getRequest<{ user: CurrentUser }>().user;
});
