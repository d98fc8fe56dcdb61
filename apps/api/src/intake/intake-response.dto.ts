// Response shapes of the intake desk (issue 9: ), for the OpenAPI document and the
// micro-app's generated types (issue 14.5).
import { ApiProperty } from '@nestjs/swagger';
import { Bool, Int, Obj, ObjOrNull, Str, StrOrNull } from '../common/api-property';
import { PersonRefDto } from '../tickets/ticket-response.dto';

/** an article that fits the text typed so far. */
export class KbSuggestionResponseDto {
  @Str() id: string;
  @Str() title: string;
  @Str() excerpt: string;
  @StrOrNull() category: string | null;
  @ApiProperty({ type: Number }) score: number;
  @Int() uses: number;
}

/** 办事指南, one article. */
export class KbArticleResponseDto {
  @Str() id: string;
  @Str() title: string;
  @Str() body: string;
  @StrOrNull() category: string | null;
  @Str({ isArray: true }) tags: string[];
  @Str({ isArray: true }) routes: string[];
  @StrOrNull() validFrom: string | null;
  @StrOrNull() validUntil: string | null;
  @Obj(() => PersonRefDto) author: PersonRefDto;
  @StrOrNull() reviewedAt: string | null;
  @Bool() active: boolean;
  @Int({ description: 'X-7: matters this article answered directly' }) uses: number;
  @Str() createdAt: string;
  @Str() updatedAt: string;
}

export class TransitRouteResponseDto {
  @Str() code: string;
  @Str() name: string;
  @Str() branchCode: string;
  @Str() branchName: string;
  @StrOrNull() upTerminal: string | null;
  @StrOrNull() downTerminal: string | null;
}

export class TransitVehicleResponseDto {
  @Str() plate: string;
  @StrOrNull() fleetNumber: string | null;
  @StrOrNull() routeCode: string | null;
  @Str() branchCode: string;
  @Str() branchName: string;
}

export class SuggestedBranchDto {
  @Str() code: string;
  @Str() name: string;
  @ApiProperty({ enum: ['vehicle', 'route'] }) from: 'vehicle' | 'route';
}

export class SuggestedUnitDto {
  @Str() code: string;
  @Str() name: string;
  @ApiProperty({ enum: ['sole', 'lead', 'co'] }) role: 'sole' | 'lead' | 'co';
  @Str() reason: string;
}

/** suggestions only; the dispatcher decides. */
export class RoutingSuggestionResponseDto {
  @ObjOrNull(() => TransitRouteResponseDto) route: TransitRouteResponseDto | null;
  @ObjOrNull(() => TransitVehicleResponseDto) vehicle: TransitVehicleResponseDto | null;
  @ObjOrNull(() => SuggestedBranchDto, { description: 'the branch company of the vehicle (first) or the route' })
  branch: SuggestedBranchDto | null;
  @Obj(() => SuggestedUnitDto, { isArray: true }) units: SuggestedUnitDto[];
}

export class RepeatCallerDto {
  @StrOrNull() name: string | null;
  @StrOrNull() phone: string | null;
  @Bool() hidden: boolean;
}

/** an earlier matter on the repeat panel; the caller only masked, never the number. */
export class RepeatMatchResponseDto {
  @Str() id: string;
  @Str() number: string;
  @Str() subject: string;
  @Str() status: string;
  @Str() category: string;
  @Str() createdAt: string;
  @StrOrNull() route: string | null;
  @StrOrNull() stop: string | null;
  @StrOrNull() vehiclePlate: string | null;
  @ApiProperty({ enum: ['phone', 'vehicle', 'route', 'stop'], isArray: true, description: 'what matched' })
  matchedOn: Array<'phone' | 'vehicle' | 'route' | 'stop'>;
  @Obj(() => RepeatCallerDto) caller: RepeatCallerDto;
  @Bool({ description: 'open matters can take a merge (并单)' }) open: boolean;
}

export class RepeatPanelResponseDto {
  @Int() days: number;
  @Str() since: string;
  @Obj(() => RepeatMatchResponseDto, { isArray: true }) matches: RepeatMatchResponseDto[];
}
