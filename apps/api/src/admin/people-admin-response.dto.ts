// Response shapes of the admin's people, roles, units, sources and categories (issue 13.3), for
// the OpenAPI document and the micro-app's generated types (issue 14.5).
import { ApiProperty } from '@nestjs/swagger';
import { ALL_ROLES, UNIT_KINDS } from '@hotline/tickets';
import { Bool, Int, Obj, Str, StrOrNull } from '../common/api-property';
import { UserUnitResponseDto } from '../auth/session-response.dto';

export const RoleNames = (extra: { isArray?: boolean; description?: string } = {}) =>
  ApiProperty({ enum: ALL_ROLES, enumName: 'RoleName', ...extra });
const UnitKind = () => ApiProperty({ enum: UNIT_KINDS, enumName: 'UnitKind' });
const CHAINS = ['A', 'B', 'direct'] as const;

export class RoleInfoResponseDto {
  @RoleNames() role: (typeof ALL_ROLES)[number];
  @Str() label: string;
  @ApiProperty({
    enum: ['dingtalk', 'admin'],
    description: 'dingtalk: set by the org sync; admin: granted on the page',
  })
  source: 'dingtalk' | 'admin';
  @Str() note: string;
}

export class AdminPersonResponseDto {
  @Str() userid: string;
  @Str() name: string;
  @StrOrNull() title: string | null;
  @Bool() active: boolean;
  @RoleNames({ isArray: true }) roles: string[];
  @Obj(() => UserUnitResponseDto, { isArray: true }) units: UserUnitResponseDto[];
  @Bool({ description: 'seen by an org sync or a DingTalk sign-in (false: only named in ADMIN_USERIDS so far)' })
  synced: boolean;
  @Bool({ description: 'named in ADMIN_USERIDS: the admin role comes from the setting and cannot be removed here' })
  configuredAdmin: boolean;
  @Bool({ description: 'an admin has saved the roles, so the sync no longer derives `receiver`' })
  receiverByAdmin: boolean;
}

export class AdminPeoplePageResponseDto {
  @Obj(() => AdminPersonResponseDto, { isArray: true }) items: AdminPersonResponseDto[];
  @StrOrNull() nextCursor: string | null;
}

export class RoleChangeResponseDto {
  @Int() id: number;
  @Str() at: string;
  @StrOrNull() changedBy: string | null;
  @StrOrNull() changedByName: string | null;
  @ApiProperty({ enum: ['admin', 'setting', 'org_sync'] }) via: 'admin' | 'setting' | 'org_sync';
  @Str() userid: string;
  @StrOrNull() name: string | null;
  @RoleNames({ isArray: true }) before: string[];
  @RoleNames({ isArray: true }) after: string[];
}

export class RoleChangePageResponseDto {
  @Obj(() => RoleChangeResponseDto, { isArray: true }) items: RoleChangeResponseDto[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'pass as `before` for the next page' })
  nextBefore: number | null;
}

/** A unit as PATCH /api/admin/units/:code answers (without the list's kindLabel and renamed). */
export class AdminUnitRowResponseDto {
  @Str() code: string;
  @Str() name: string;
  @UnitKind() kind: (typeof UNIT_KINDS)[number];
  @ApiProperty({ type: 'integer', nullable: true }) dingtalkDeptId: number | null;
  @StrOrNull({ description: "the DingTalk department's own name (the last sync)" }) dingtalkName: string | null;
  @Bool() active: boolean;
  @ApiProperty({ enum: ['admin', 'sync'], nullable: true }) deactivatedBy: 'admin' | 'sync' | null;
  @Int() members: number;
}

/** A unit as GET /api/admin/units lists it. */
export class AdminUnitResponseDto extends AdminUnitRowResponseDto {
  @Str() kindLabel: string;
  @Bool({ description: "renamed here: the name differs from the DingTalk department's" }) renamed: boolean;
}

export class AdminSourceResponseDto {
  @Str() code: string;
  @Str() name: string;
  @ApiProperty({ enum: CHAINS, description: 'the dispatch chain (R-8)' }) chain: string;
  @Bool() active: boolean;
}

export class AdminCategoryResponseDto {
  @Str() code: string;
  @Str() name: string;
  @Bool() active: boolean;
}
