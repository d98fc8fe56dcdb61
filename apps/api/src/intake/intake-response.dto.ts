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

/** a page of articles (a search answers one page of the best 50). */
export class KbArticlePageResponseDto {
  @Obj(() => KbArticleResponseDto, { isArray: true }) items: KbArticleResponseDto[];
  @StrOrNull() nextCursor: string | null;
}

/** a caller of a merged matter still to be told the result; masked (张*, 139****1111). */
export class MaskedNamePhoneDto {
  @StrOrNull() name: string | null;
  @StrOrNull() phone: string | null;
}

export class TicketSubjectRefDto {
  @Str() id: string;
  @Str() number: string;
  @Str() subject: string;
}

export class TicketIdNumberDto {
  @Str() id: string;
  @Str() number: string;
}

export class CallerToAnswerResponseDto {
  @Str() callerId: string;
  @Obj(() => TicketSubjectRefDto, { description: 'the closed ticket the caller was merged into' })
  ticket: TicketSubjectRefDto;
  @Obj(() => TicketIdNumberDto, { description: 'the ticket the caller first came in on' })
  fromTicket: TicketIdNumberDto;
  @Obj(() => MaskedNamePhoneDto) caller: MaskedNamePhoneDto;
  @Str() closedAt: string;
  @Str() addedAt: string;
}

export class TransitStopResponseDto {
  @Str() routeCode: string;
  @ApiProperty({ enum: ['up', 'down'] }) direction: 'up' | 'down';
  @Int() seq: number;
  @Str() name: string;
}

/** One bad row of an imported sheet (line 1 is the header). */
export class RowErrorDto {
  @Int() line: number;
  @StrOrNull() field: string | null;
  @Str() message: string;
}

/** an import of routes, stops or vehicles: all rows or none. */
export class TransitImportReportResponseDto {
  @ApiProperty({ enum: ['routes', 'stops', 'vehicles'], enumName: 'TransitKind' }) kind:
    'routes' | 'stops' | 'vehicles';
  @Int({ description: 'rows read (blank lines not counted)' }) rows: number;
  @Int({ description: 'rows written: 0 whenever any row is bad' }) imported: number;
  @Bool() dryRun: boolean;
  @Obj(() => RowErrorDto, { isArray: true }) errors: RowErrorDto[];
}

/** a category/keyword → unit rule. */
export class RoutingRuleResponseDto {
  @StrOrNull() categoryCode: string | null;
  @Str({ isArray: true }) keywords: string[];
  @Str() unitCode: string;
  @ApiProperty({ enum: ['sole', 'lead', 'co'] }) role: 'sole' | 'lead' | 'co';
  @StrOrNull() note: string | null;
}

/** An upstream system's key as the admin sees it (never the secret). */
export class IntakeClientResponseDto {
  @Str() code: string;
  @Str() name: string;
  @Str() sourceCode: string;
  @Str() initiator: string;
  @Str() keyHint: string;
  @StrOrNull({ description: 'issue 17.2: the id the system sends in X-Intake-Key-Id; null for an old-form key' })
  keyId: string | null;
  @Bool() active: boolean;
  @Str() createdAt: string;
  @StrOrNull() lastUsedAt: string | null;
  @StrOrNull({ description: 'an old-form key (its secret sent in X-Intake-Key) is accepted until then' })
  legacyUntil: string | null;
  @Int() legacyUses: number;
  @StrOrNull() legacyLastUsedAt: string | null;
  @StrOrNull({ description: 'set while the key is of the old form: what the admin should do' }) warning: string | null;
}

/** The new key: its secret is in this answer only. */
export class IntakeClientKeyResponseDto {
  @Obj(() => IntakeClientResponseDto) client: IntakeClientResponseDto;
  @Str() keyId: string;
  @Str() secret: string;
}

export class UpstreamImportPreviewDto {
  @Int() line: number;
  @Str() ref: string;
  @Str() category: string;
  @Str() subject: string;
  @Obj(() => MaskedNamePhoneDto) caller: MaskedNamePhoneDto;
}

export class UpstreamImportTicketDto {
  @Str() ref: string;
  @Str() id: string;
  @Str() number: string;
}

/** Upstream matters from a sheet: a dry run previews; one bad row and none is imported. */
export class UpstreamImportReportResponseDto {
  @Str() source: string;
  @Int() rows: number;
  @Int() imported: number;
  @Bool() dryRun: boolean;
  @Obj(() => RowErrorDto, { isArray: true }) errors: RowErrorDto[];
  @Obj(() => UpstreamImportPreviewDto, { isArray: true }) preview: UpstreamImportPreviewDto[];
  @Obj(() => UpstreamImportTicketDto, { isArray: true }) tickets: UpstreamImportTicketDto[];
}

/** Issue 19: a long import's run, as its starter follows it (rows checked, then rows written). */
export class ImportRunResponseDto {
  @Str({ format: 'uuid' }) key: string;
  @ApiProperty({ enum: ['upstream', 'routes', 'stops', 'vehicles'] }) kind:
    'upstream' | 'routes' | 'stops' | 'vehicles';
  @Bool() dryRun: boolean;
  @ApiProperty({ enum: ['running', 'done', 'failed', 'cancelled'] }) status:
    'running' | 'done' | 'failed' | 'cancelled';
  @ApiProperty({
    enum: ['checking', 'writing'],
    description: 'checking every row, then writing them (not in a dry run)',
  })
  phase: 'checking' | 'writing';
  @ApiProperty({ type: 'integer', nullable: true, description: 'rows in the file; null while it uploads' })
  total: number | null;
  @Int({ description: 'rows checked (checking) or written (writing) so far' }) rowsDone: number;
  @Bool() cancelRequested: boolean;
  @Str() startedAt: string;
  @StrOrNull() finishedAt: string | null;
}
