import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import { AttachmentRepository, TicketRepository, type AttachmentRow, type TicketAggregate } from '@hotline/db';
import { DomainError, allowedActions } from '@hotline/workflow';
import type { CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { can, refuse, requireScope } from '../access/access';
import { SIGNATURE_BYTES, TYPE_RULE, cleanFileName, sniffType, type AllowedType } from './file-signature';

export interface AttachmentView {
  id: string;
  ticketId: string;
  /** Set on a reply's attachment: the unit's assignment it belongs to. */
  assignmentId: string | null;
  kind: 'ticket' | 'reply';
  fileName: string;
  contentType: string;
  sizeBytes: number;
  uploadedBy: { userid: string; name: string };
  createdAt: string;
  /** Download path (needs the bearer token like every other call). */
  url: string;
}

/** The file part of a multipart request, read only after the access check. */
export interface IncomingFile {
  fileName: string | undefined;
  stream: Readable;
}

export interface OpenedAttachment {
  attachment: AttachmentView;
  stream: Readable;
}

/** Assignment statuses in which a unit is still handling the ticket and may add photos to its reply. */
const HANDLING = ['pending_accept', 'accepted', 'awaiting_leader'];

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;

/** Counts and checks the bytes as they pass: the type from the first bytes, then the size. */
class FileGuard extends Transform {
  type: AllowedType | null = null;
  bytes = 0;
  private head: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return done(tooLarge(this.maxBytes));
    if (this.type) return done(null, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < SIGNATURE_BYTES) return done();
    this.release(done);
  }

  override _flush(done: TransformCallback): void {
    if (this.type) return done();
    if (this.headLength === 0) return done(new DomainError('VALIDATION', '文件是空的。', 'file'));
    this.release(done);
  }

  private release(done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    this.type = sniffType(head);
    if (!this.type) return done(new DomainError('VALIDATION', TYPE_RULE, 'file'));
    done(null, head);
  }
}

function tooLarge(maxBytes: number): DomainError {
  return new DomainError('VALIDATION', `文件超过 ${mib(maxBytes)} 的上限（ATTACHMENT_MAX_BYTES）。`, 'file');
}

/**
 * Photos and files on tickets and replies. Visibility is the ticket's: the ticket is
 * loaded through the person's scope first, so a ticket they may not see is a 404 for its
 * attachments too. Bytes are streamed to disk, never held whole in memory.
 */
@Injectable()
export class AttachmentsService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly attachments: AttachmentRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  get maxBytes(): number {
    return this.config.attachments.maxBytes;
  }

  async list(user: CurrentUser, ticketId: string): Promise<AttachmentView[]> {
    await this.visibleTicket(user, ticketId);
    return (await this.attachments.listForTicket(ticketId)).map(toView);
  }

  /**
   * Uploads one file to a ticket, or with `assignmentId` to one unit's reply. Allowed to people
   * who may act on the ticket now and to dispatchers; a reply's files only to that unit's people
   * while the unit is handling it. `readFile` is called only once access is granted.
   */
  async upload(
    user: CurrentUser,
    ticketId: string,
    assignmentId: string | undefined,
    readFile: () => Promise<IncomingFile | undefined>,
  ): Promise<AttachmentView> {
    const agg = await this.visibleTicket(user, ticketId);
    this.checkMayUpload(user, agg, assignmentId);
    const file = await readFile();
    if (!file) throw new DomainError('VALIDATION', '请以 multipart/form-data 上传文件，文件部分名为“file”。', 'file');

    const id = randomUUID();
    const now = this.clock.now();
    const storageKey = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
    const finalPath = join(this.config.attachments.dir, storageKey);
    const partPath = `${finalPath}.part`;
    await mkdir(join(finalPath, '..'), { recursive: true });
    const guard = new FileGuard(this.maxBytes);
    const out = createWriteStream(partPath, { flags: 'wx' });
    try {
      await pipeline(file.stream, guard, out);
      // The multipart reader stops at one byte over the limit and marks the stream truncated.
      if ((file.stream as Readable & { truncated?: boolean }).truncated) throw tooLarge(this.maxBytes);
      await rename(partPath, finalPath);
    } catch (err) {
      file.stream.resume(); // let the rest of the request body drain so the client reads our answer
      // The file may still be opening when the pipeline fails: wait until it is closed, or the
      // unlink could run first and leave a stray .part file behind.
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => resolve()));
      await unlink(partPath).catch(() => undefined);
      throw err;
    }
    try {
      const row = await this.attachments.insert({
        id,
        ticketId,
        assignmentId: assignmentId ?? null,
        kind: assignmentId ? 'reply' : 'ticket',
        fileName: cleanFileName(file.fileName, guard.type!),
        contentType: guard.type!,
        sizeBytes: guard.bytes,
        storageKey,
        uploadedBy: user.userid,
        createdAt: now,
      });
      return toView(row);
    } catch (err) {
      await unlink(finalPath).catch(() => undefined);
      throw err;
    }
  }

  /** Opens an attachment for download, after the same visibility check as its ticket. */
  async open(user: CurrentUser, attachmentId: string): Promise<OpenedAttachment> {
    const row = /^[0-9a-f-]{36}$/i.test(attachmentId) ? await this.attachments.find(attachmentId) : null;
    const notFound = new DomainError('NOT_FOUND', '附件不存在，或您无权查看。');
    if (!row) throw notFound;
    try {
      await this.visibleTicket(user, row.ticketId);
    } catch (err) {
      throw err instanceof DomainError ? notFound : err;
    }
    const path = join(this.config.attachments.dir, row.storageKey);
    // A row without its file is our fault (a lost disk), not the caller's: a logged 500.
    await stat(path);
    return { attachment: toView(row), stream: createReadStream(path) };
  }

  private async visibleTicket(user: CurrentUser, ticketId: string): Promise<TicketAggregate> {
    const scope = requireScope(user);
    const agg = /^[0-9a-f-]{36}$/i.test(ticketId) ? await this.tickets.load(ticketId, scope) : null;
    if (!agg) throw new DomainError('NOT_FOUND', '工单不存在，或您无权查看。');
    return agg;
  }

  private checkMayUpload(user: CurrentUser, agg: TicketAggregate, assignmentId: string | undefined): void {
    if (assignmentId) {
      const a = agg.state.assignments.find((x) => x.id === assignmentId);
      if (!a) throw new DomainError('VALIDATION', '所选派单不属于本工单。', 'assignment');
      if (!user.unitCodes.includes(a.unitCode)) {
        throw new DomainError('FORBIDDEN', '只有该承办单位的人员可以给本单位的回复添加附件。');
      }
      if (!HANDLING.includes(a.status)) {
        throw new DomainError('INVALID_STATE', '该单位的回复已审批通过或已结束，不能再添加附件。');
      }
      return;
    }
    // the dispatcher may attach to any ticket; anyone else only while they may act on it.
    if (can(user, 'tickets.attach_any')) return;
    if (allowedActions(agg.state, user, this.clock.now()).length === 0) refuse('tickets.attach_any');
  }
}

function toView(r: AttachmentRow): AttachmentView {
  return {
    id: r.id,
    ticketId: r.ticketId,
    assignmentId: r.assignmentId,
    kind: r.kind,
    fileName: r.fileName,
    contentType: r.contentType,
    sizeBytes: r.sizeBytes,
    uploadedBy: { userid: r.uploadedBy, name: r.uploadedByName },
    createdAt: r.createdAt.toISOString(),
    url: `/api/attachments/${r.id}`,
  };
}
