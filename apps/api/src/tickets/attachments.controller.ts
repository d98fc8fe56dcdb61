import { Controller, Get, Param, Post, Query, Req, Res, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { AttachmentResponseDto } from './ticket-response.dto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { AttachmentsService, type CurrentUser } from '@hotline/tickets';
import { DomainError } from '@hotline/workflow';
import { Actor } from '../common/current-user.decorator';

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name (Chinese file names). */
function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

@ApiTags('attachments')
@ApiBearerAuth()
@Controller('api')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  @Post('tickets/:id/attachments')
  @ApiOperation({
    summary:
      'Upload a photo or PDF to a ticket, or with ?assignment=<id> to that unit’s reply (multipart, part "file")',
  })
  @ApiConsumes('multipart/form-data')
  @ApiCreatedResponse({ type: AttachmentResponseDto })
  @ApiQuery({ name: 'assignment', required: false, description: 'the unit assignment whose reply the file belongs to' })
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  upload(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Query('assignment') assignment: string | undefined,
    @Req() req: FastifyRequest,
  ): Promise<AttachmentResponseDto> {
    if (!req.isMultipart()) {
      throw new DomainError('VALIDATION', '请以 multipart/form-data 上传文件，文件部分名为“file”。', 'file');
    }
    if (assignment !== undefined && !/^[0-9a-f-]{36}$/i.test(assignment)) {
      throw new DomainError('VALIDATION', 'assignment 须为派单编号。', 'assignment');
    }
    return this.attachments.upload(user, id, assignment, async () => {
      const part = await req.file();
      return part ? { fileName: part.filename, stream: part.file } : undefined;
    });
  }

  @Get('tickets/:id/attachments')
  @ApiOperation({ summary: 'The ticket’s attachments (ticket and reply files), oldest first' })
  @ApiOkResponse({ type: AttachmentResponseDto, isArray: true })
  list(@Actor() user: CurrentUser, @Param('id') id: string): Promise<AttachmentResponseDto[]> {
    return this.attachments.list(user, id);
  }

  @Get('attachments/:id')
  @ApiOperation({ summary: 'Download one attachment (streamed; the type is the one judged from its content)' })
  async download(
    @Actor() user: CurrentUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const { attachment, stream } = await this.attachments.open(user, id);
    void reply.header('x-content-type-options', 'nosniff');
    // Issue 17: photos and letters may show the caller; no proxy or shared device keeps a copy.
    void reply.header('cache-control', 'private, no-store');
    return new StreamableFile(stream, {
      type: attachment.contentType,
      length: attachment.sizeBytes,
      disposition: contentDisposition(attachment.fileName),
    });
  }
}
