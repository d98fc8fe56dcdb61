// Response shapes of sign-in and the reference lists (issue 14.5: the micro-app's types come from these).
import { Bool, Int, Obj, Str, StrOrNull } from '../common/api-property';

export class UserUnitResponseDto {
  @Str() code: string;
  @Str() name: string;
  @Bool() isLeader: boolean;
}

export class MeResponseDto {
  @Str() userid: string;
  @Str() name: string;
  @StrOrNull() title: string | null;
  @Str({ isArray: true }) roles: string[];
  @Obj(() => UserUnitResponseDto, { isArray: true }) units: UserUnitResponseDto[];
}

export class SessionResponseDto {
  @Str({ description: 'bearer access token (short-lived)' }) token: string;
  @Str() expiresAt: string;
  @Str({ description: 'one-use: POST /api/auth/refresh exchanges it for a new pair' }) refreshToken: string;
  @Str() refreshExpiresAt: string;
  @Obj(() => MeResponseDto) user: MeResponseDto;
}

export class JsapiConfigResponseDto {
  @Str() agentId: string;
  @Str() corpId: string;
  @Int() timeStamp: number;
  @Str() nonceStr: string;
  @Str() signature: string;
  @Str() url: string;
}

export class UnitResponseDto {
  @Str() code: string;
  @Str() name: string;
  @Str() kind: string;
}

export class SourceResponseDto {
  @Str() code: string;
  @Str() name: string;
  @Str({ description: 'the dispatch chain (Article 8)' }) chain: string;
}

export class CategoryResponseDto {
  @Str() code: string;
  @Str() name: string;
}
