import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsDateString,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export const CHANNELS = ['phone', 'wechat', 'dingtalk', 'oa', 'mailbox', 'letter', 'web', 'other'] as const;

export class CallerDto {
  @ApiProperty({ example: '张三' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  name: string;

  @ApiProperty({ example: '13800138000' })
  @IsString()
  @Matches(/^[0-9+\-\s()]{5,20}$/, { message: '电话须为 5–20 位数字（可含空格、+、- 和括号）' })
  phone: string;

  @ApiPropertyOptional({ example: '某市某区某路1号' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  address?: string;
}

export class CreateTicketDto {
  @ApiProperty({ description: 'source code, see GET /api/sources', example: 'group_hotline' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  source: string;

  @ApiProperty({ enum: CHANNELS, example: 'phone' })
  @IsIn(CHANNELS)
  channel: (typeof CHANNELS)[number];

  @ApiProperty({ description: 'category code, see GET /api/categories', example: 'complaint' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  category: string;

  @ApiProperty({ example: '12路公交车未停靠站点' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  subject: string;

  @ApiProperty({ example: '市民反映12路公交车在人民广场站未停车。' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(20000)
  content: string;

  @ApiProperty({ type: CallerDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CallerDto)
  caller: CallerDto;

  @ApiPropertyOptional({ enum: ['normal', 'urgent'] })
  @IsOptional()
  @IsIn(['normal', 'urgent'])
  urgency?: 'normal' | 'urgent';

  @ApiPropertyOptional({ description: 'upstream ticket number (mayor hotline, 12345…)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  upstreamRef?: string;

  @ApiPropertyOptional({ description: 'upstream deadline, ISO 8601' })
  @IsOptional()
  @IsDateString({ strict: true })
  upstreamDeadline?: string;

  @ApiPropertyOptional({ example: '12' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  route?: string;

  @ApiPropertyOptional({ example: '上行' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  direction?: string;

  @ApiPropertyOptional({ example: '人民广场' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  stop?: string;

  @ApiPropertyOptional({ example: '京A12345' })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  vehiclePlate?: string;

  @ApiPropertyOptional({ description: '保密件: the caller is hidden from the handling units entirely (R-19)' })
  @IsOptional()
  @IsBoolean()
  confidential?: boolean;

  @ApiPropertyOptional({ description: 'time of the event, ISO 8601' })
  @IsOptional()
  @IsDateString({ strict: true })
  occurredAt?: string;
}
