import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { DomainError } from '@hotline/workflow';

/** A spreadsheet upload (multipart part "file") read whole: sheets are small and parsed at once. */
export async function readUpload(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) {
    throw new DomainError('VALIDATION', '请以 multipart/form-data 上传文件，文件部分名为“file”。', 'file');
  }
  const part = await req.file();
  if (!part) throw new DomainError('VALIDATION', '上传内容中没有文件。', 'file');
  const buf = await part.toBuffer();
  if (part.file.truncated) throw new DomainError('VALIDATION', '文件太大。', 'file');
  return buf;
}
