import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { AdminPeopleService, ALL_ROLES, UNIT_KINDS, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { BeforeIdPageQueryDto, CursorPageQueryDto } from '../common/paging.dto';
import {
  AdminCategoryResponseDto,
  AdminPeoplePageResponseDto,
  AdminPersonResponseDto,
  AdminSourceResponseDto,
  AdminUnitResponseDto,
  AdminUnitRowResponseDto,
  RoleChangePageResponseDto,
  RoleInfoResponseDto,
  RoleNames,
} from './people-admin-response.dto';

export class PeopleQueryDto extends CursorPageQueryDto {
  @ApiPropertyOptional({ description: 'part of the name or the userid' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ enum: ALL_ROLES, enumName: 'RoleName' })
  @IsOptional()
  @IsIn(ALL_ROLES)
  role?: string;

  @ApiPropertyOptional({ description: 'unit code' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  unit?: string;
}

export class SetRolesDto {
  @RoleNames({ isArray: true })
  @IsArray()
  @ArrayMaxSize(6)
  @IsIn(ALL_ROLES, { each: true })
  roles: string[];
}

export class RoleChangesQueryDto extends BeforeIdPageQueryDto {
  @ApiPropertyOptional({ description: 'one person only' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  userid?: string;
}

export class UnitPatchDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    enum: UNIT_KINDS,
    description: 'ops 运营服务部, office 公司办公室, branch 分公司, department 其他部门',
  })
  @IsOptional()
  @IsIn(UNIT_KINDS)
  kind?: string;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    description: 'the DingTalk department this unit is; null unlinks it',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @Type(() => Number)
  @IsInt()
  @Min(2)
  dingtalkDeptId?: number | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class NewSourceDto {
  @ApiProperty({ example: 'metro_hotline', description: 'lower-case letters, digits, _' })
  @IsString()
  @MaxLength(40)
  code: string;

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: ['A', 'B', 'direct'] })
  @IsIn(['A', 'B', 'direct'])
  chain: string;
}

export class SourcePatchDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ enum: ['A', 'B', 'direct'] })
  @IsOptional()
  @IsIn(['A', 'B', 'direct'])
  chain?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class NewCategoryDto {
  @ApiProperty({ example: 'lost_item' })
  @IsString()
  @MaxLength(40)
  code: string;

  @ApiProperty({ maxLength: 100 })
  @IsString()
  @MaxLength(100)
  name: string;
}

export class CategoryPatchDto {
  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class ConfigChangesQueryDto {
  @ApiPropertyOptional({ enum: ['unit', 'source', 'category'] })
  @IsOptional()
  @IsIn(['unit', 'source', 'category'])
  entity?: 'unit' | 'source' | 'category';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(40)
  code?: string;
}

/** Issue 13.3: people and roles, units, sources and categories. Admin only; every change audited. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin')
export class PeopleAdminController {
  constructor(private readonly admin: AdminPeopleService) {}

  @Get('roles')
  @ApiOperation({ summary: 'The six roles, and which come from DingTalk (the org sync) and which an admin grants' })
  @ApiOkResponse({ type: RoleInfoResponseDto, isArray: true })
  roles(@Actor() user: CurrentUser) {
    return this.admin.roles(user);
  }

  @Get('people')
  @ApiOperation({ summary: 'People with their roles and units (keyset pages; q matches name or userid)' })
  @ApiOkResponse({ type: AdminPeoplePageResponseDto })
  people(@Actor() user: CurrentUser, @Query() q: PeopleQueryDto) {
    return this.admin.listPeople(user, q);
  }

  @Put('people/:userid/roles')
  @ApiOperation({ summary: "Set a person's roles (audited; the last active admin cannot be removed)" })
  @ApiOkResponse({ type: AdminPersonResponseDto })
  setRoles(@Actor() user: CurrentUser, @Param('userid') userid: string, @Body() body: SetRolesDto) {
    return this.admin.setRoles(user, userid, body.roles);
  }

  @Get('role-changes')
  @ApiOperation({ summary: "The role audit trail, newest first: one person's (userid) or everyone's" })
  @ApiOkResponse({ type: RoleChangePageResponseDto })
  roleChanges(@Actor() user: CurrentUser, @Query() q: RoleChangesQueryDto) {
    return this.admin.roleChanges(user, q);
  }

  @Get('units')
  @ApiOperation({ summary: 'Every unit, active or not, with its DingTalk department and kind' })
  @ApiOkResponse({ type: AdminUnitResponseDto, isArray: true })
  units(@Actor() user: CurrentUser) {
    return this.admin.units(user);
  }

  @Patch('units/:code')
  @ApiOperation({ summary: 'Rename a unit, set its kind or DingTalk department, activate or deactivate it' })
  @ApiOkResponse({ type: AdminUnitRowResponseDto })
  updateUnit(@Actor() user: CurrentUser, @Param('code') code: string, @Body() body: UnitPatchDto) {
    return this.admin.updateUnit(user, code, body);
  }

  @Get('sources')
  @ApiOperation({ summary: 'Every source, active or not' })
  @ApiOkResponse({ type: AdminSourceResponseDto, isArray: true })
  sources(@Actor() user: CurrentUser) {
    return this.admin.sources(user);
  }

  @Get('categories')
  @ApiOperation({ summary: 'Every category, active or not' })
  @ApiOkResponse({ type: AdminCategoryResponseDto, isArray: true })
  categories(@Actor() user: CurrentUser) {
    return this.admin.categories(user);
  }

  @Post('sources')
  @ApiOperation({ summary: 'Add a source (R-2) with its dispatch chain (R-8)' })
  @ApiCreatedResponse({ type: AdminSourceResponseDto })
  createSource(@Actor() user: CurrentUser, @Body() body: NewSourceDto) {
    return this.admin.createSource(user, body);
  }

  @Patch('sources/:code')
  @ApiOperation({ summary: 'Rename a source, change its chain (new tickets only), activate or deactivate it' })
  @ApiOkResponse({ type: AdminSourceResponseDto })
  updateSource(@Actor() user: CurrentUser, @Param('code') code: string, @Body() body: SourcePatchDto) {
    return this.admin.updateSource(user, code, body);
  }

  @Post('categories')
  @ApiOperation({ summary: 'Add a category' })
  @ApiCreatedResponse({ type: AdminCategoryResponseDto })
  createCategory(@Actor() user: CurrentUser, @Body() body: NewCategoryDto) {
    return this.admin.createCategory(user, body);
  }

  @Patch('categories/:code')
  @ApiOperation({ summary: 'Rename a category, activate or deactivate it' })
  @ApiOkResponse({ type: AdminCategoryResponseDto })
  updateCategory(@Actor() user: CurrentUser, @Param('code') code: string, @Body() body: CategoryPatchDto) {
    return this.admin.updateCategory(user, code, body);
  }

  @Get('config-changes')
  @ApiOperation({ summary: 'The audit of unit, source and category changes, newest first' })
  configChanges(@Actor() user: CurrentUser, @Query() q: ConfigChangesQueryDto) {
    return this.admin.configChanges(user, q);
  }
}
