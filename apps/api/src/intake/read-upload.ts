import type { FastifyRequest } from 'fastify';
import type {} from '@fastify/multipart';
import { DomainError } from '@hotline/workflow';

/** A spreadsheet upload (multipart part "file") read whole: sheets are small and parsed at once. */
export async function readUpload(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) {
    throw new DomainError('VALIDATION', 'send the file as multipart/form-data with a part named "file"', 'file');
  }
  const part = await req.file();
  if (!part) throw new DomainError('VALIDATION', 'no file in the upload', 'file');
  const buf = await part.toBuffer();
  if (part.file.truncated) throw new DomainError('VALIDATION', 'the file is too large', 'file');
  return buf;
}
