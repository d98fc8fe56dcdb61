import { Body, Controller, Delete, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { KnowledgeBaseService, type CurrentUser } from '@hotline/tickets';
import { Actor } from '../common/current-user.decorator';
import { KbArticleDto, KbListQueryDto, KbSuggestQueryDto } from './intake.dto';
import { KbArticlePageResponseDto, KbArticleResponseDto, KbSuggestionResponseDto } from './intake-response.dto';

/** 办事指南. */
@ApiTags('knowledge base')
@ApiBearerAuth()
@Controller('api/kb')
export class KnowledgeBaseController {
  constructor(private readonly kb: KnowledgeBaseService) {}

  @Get('suggest')
  @ApiOperation({ summary: 'Articles that fit the text typed so far (valid today), best first' })
  @ApiOkResponse({ type: KbSuggestionResponseDto, isArray: true })
  suggest(@Actor() user: CurrentUser, @Query() q: KbSuggestQueryDto): Promise<KbSuggestionResponseDto[]> {
    return this.kb.suggest(user, q.q, q.limit ?? 5);
  }

  @Get('articles')
  @ApiOperation({
    summary: 'Articles {items, nextCursor}: searched with q (best 50), else most used first, keyset-paginated',
  })
  @ApiOkResponse({ type: KbArticlePageResponseDto })
  list(@Actor() user: CurrentUser, @Query() q: KbListQueryDto) {
    return this.kb.list(user, { q: q.q, all: q.all, limit: q.limit ?? 20, cursor: q.cursor });
  }

  @Get('articles/:id')
  @ApiOkResponse({ type: KbArticleResponseDto })
  get(@Actor() user: CurrentUser, @Param('id') id: string): Promise<KbArticleResponseDto> {
    return this.kb.get(user, id);
  }

  @Post('articles')
  @ApiOperation({ summary: 'Write an article (dispatchers, ops head)' })
  @ApiCreatedResponse({ type: KbArticleResponseDto })
  create(@Actor() user: CurrentUser, @Body() dto: KbArticleDto) {
    return this.kb.create(user, dto);
  }

  @Put('articles/:id')
  @ApiOperation({ summary: 'Rewrite an article (dispatchers, ops head)' })
  @ApiOkResponse({ type: KbArticleResponseDto })
  update(@Actor() user: CurrentUser, @Param('id') id: string, @Body() dto: KbArticleDto) {
    return this.kb.update(user, id, dto);
  }

  @Delete('articles/:id')
  @ApiOperation({ summary: 'Withdraw an article (kept, with its use count)' })
  @ApiOkResponse({ type: KbArticleResponseDto })
  withdraw(@Actor() user: CurrentUser, @Param('id') id: string) {
    return this.kb.withdraw(user, id);
  }
}
