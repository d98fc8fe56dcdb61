import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { parseShanghaiLenient } from '@hotline/calendar';
import { APP_CONFIG, type AppConfig } from '@hotline/config';
import {
  CallerCipher,
  IntakeRepository,
  OrganisationRepository,
  TicketRepository,
  UpstreamAnswerRepository,
  type IntakeClientRow,
} from '@hotline/db';
import { DomainError, answeringReplies, composeUpstreamAnswer } from '@hotline/workflow';
import { can, requireAccess } from '../access/access';
import { toCurrentUser, type CurrentUser } from '../auth/auth.service';
import { CLOCK, type Clock } from '../clock';
import { maskName, maskPhone } from '../masking';
import { TicketRegistrationService, type CreateTicketInput, type PreparedTicket } from '../ticket-registration.service';
import { ImportRunTracker, ImportRunsService, type ImportProgress } from './import-runs.service';
import { readTable, type RowError } from './table-file';

/** What an upstream system sends: its reference number and the matter. */
export interface UpstreamMatter {
  ref: string;
  category: string;
  subject: string;
  content: string;
  caller: { name: string; phone: string; address?: string };
  channel?: string;
  urgency?: 'normal' | 'urgent';
  upstreamDeadline?: Date;
  route?: string;
  direction?: string;
  stop?: string;
  vehiclePlate?: string;
  occurredAt?: Date;
}

/** The headers of a signed request, as received. */
export interface SignedRequest {
  /** Issue 17.2: X-Intake-Key-Id, the id of the key (the secret itself is never sent). */
  keyId?: string | undefined;
  /** The legacy form: X-Intake-Key carried the secret itself (accepted until the key's legacy_until). */
  key: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The exact bytes signed after the timestamp: the raw body (POST) or the path (GET). */
  payload: string;
}

/** What an upstream system reads back about its matter. */
export interface UpstreamResult {
  source: string;
  ref: string;
  ticket: { number: string; status: string; receivedAt: string; closedAt: string | null };
  /**
   * Set once the matter is closed or under follow-up (R-14(3)); on chain B once reported upstream.
   * Issue 15.10: the consolidated answer of all units (the office's edit when there is one).
   */
  result: {
    answer: string;
    answeredAt: string | null;
    /** R-14(3): the matter is still followed up by the operations department. */
    followUp: boolean;
    /** The units whose approved replies make up the answer (lead first; empty for a direct answer). */
    units: Array<{ name: string; role: string }>;
  } | null;
  /** A matter merged (并单) into another one takes that one's status and result. */
  mergedInto: string | null;
}

export interface UpstreamImportRow {
  line: number;
  ref: string;
  category: string;
  subject: string;
  caller: { name: string | null; phone: string | null };
}

export interface UpstreamImportReport {
  source: string;
  rows: number;
  imported: number;
  dryRun: boolean;
  errors: RowError[];
  preview: UpstreamImportRow[];
  tickets: Array<{ ref: string; id: string; number: string }>;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** The signature an upstream system sends: hex HMAC-SHA256 of `timestamp + "\n" + payload` with its secret. */
export function intakeSignature(secret: string, timestamp: string, payload: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${payload}`).digest('hex');
}

/** What an admin sees of an upstream system's key; `warning` while it still sends its secret. */
export type IntakeClientView = IntakeClientRow & { warning: string | null };

const HEADERS: Record<string, string> = {
  ref: 'ref',
  上级工单号: 'ref',
  工单编号: 'ref',
  category: 'category',
  事项类型: 'category',
  subject: 'subject',
  主题: 'subject',
  content: 'content',
  内容: 'content',
  callerName: 'callerName',
  来电人: 'callerName',
  姓名: 'callerName',
  callerPhone: 'callerPhone',
  联系电话: 'callerPhone',
  电话: 'callerPhone',
  callerAddress: 'callerAddress',
  地址: 'callerAddress',
  upstreamDeadline: 'upstreamDeadline',
  办理期限: 'upstreamDeadline',
  route: 'route',
  线路: 'route',
  vehiclePlate: 'vehiclePlate',
  车牌: 'vehiclePlate',
  stop: 'stop',
  站点: 'stop',
};

/**
 * Intake from upstream systems (the group hotline centre, 12345 …): signed submissions,
 * idempotent on their reference number, a signed read-back, and Excel batches.
 */
@Injectable()
export class UpstreamIntakeService {
  constructor(
    private readonly intake: IntakeRepository,
    private readonly tickets: TicketRepository,
    private readonly org: OrganisationRepository,
    private readonly registration: TicketRegistrationService,
    private readonly cipher: CallerCipher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly answers: UpstreamAnswerRepository,
    private readonly runs: ImportRunsService,
  ) {}

  /**
   * Issue 17.2: finds the client by X-Intake-Key-Id and checks the HMAC with its secret (kept
   * encrypted, never sent). The legacy form (the secret itself in X-Intake-Key, only its SHA-256
   * kept) is accepted until the key's legacy_until, and each such request is recorded for the
   * admin page's warning. Then the timestamp (inside the replay window) and the signature, which
   * is claimed so the same signed request is accepted once.
   */
  async authenticate(req: SignedRequest): Promise<IntakeClientRow> {
    if ((!req.keyId && !req.key) || !req.timestamp || !req.signature) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'send X-Intake-Key-Id, X-Intake-Timestamp and X-Intake-Signature',
        !req.keyId && !req.key ? 'X-Intake-Key-Id' : !req.timestamp ? 'X-Intake-Timestamp' : 'X-Intake-Signature',
      );
    }
    const now = this.clock.now();
    let client: IntakeClientRow;
    let secret: string;
    if (req.keyId) {
      const found = await this.intake.clientByKeyId(req.keyId);
      if (!found) throw new DomainError('UNAUTHENTICATED', 'unknown or withdrawn X-Intake-Key-Id', 'X-Intake-Key-Id');
      client = found.client;
      secret = this.cipher.decrypt(found.secretEnc)!;
    } else {
      const found = await this.intake.clientByKeyHash(sha256(req.key!));
      if (!found) throw new DomainError('UNAUTHENTICATED', 'unknown or withdrawn intake key', 'X-Intake-Key');
      if (!found.legacyUntil || now.getTime() > found.legacyUntil.getTime()) {
        throw new DomainError(
          'UNAUTHENTICATED',
          'X-Intake-Key (the secret itself) is no longer accepted: ask for a new key and send X-Intake-Key-Id',
          'X-Intake-Key',
        );
      }
      client = found;
      secret = req.key!;
    }
    const windowMs = this.config.intake.replayWindowSeconds * 1000;
    const ts = /^\d{9,11}$/.test(req.timestamp) ? Number(req.timestamp) * 1000 : NaN;
    if (!Number.isFinite(ts) || Math.abs(now.getTime() - ts) > windowMs) {
      throw new DomainError(
        'UNAUTHENTICATED',
        `X-Intake-Timestamp must be Unix seconds within ${this.config.intake.replayWindowSeconds} s of our clock`,
        'X-Intake-Timestamp',
      );
    }
    const expected = Buffer.from(intakeSignature(secret, req.timestamp, req.payload), 'hex');
    const given = /^[0-9a-f]{64}$/i.test(req.signature) ? Buffer.from(req.signature, 'hex') : Buffer.alloc(0);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new DomainError(
        'UNAUTHENTICATED',
        'X-Intake-Signature does not match: hex HMAC-SHA256 with your secret of timestamp + "\\n" + body',
        'X-Intake-Signature',
      );
    }
    const first = await this.intake.claimSignature(
      req.signature.toLowerCase(),
      client.code,
      now,
      new Date(now.getTime() - 2 * windowMs),
    );
    if (!first) throw new DomainError('CONFLICT', 'this signed request was already received (replay)');
    if (!req.keyId) await this.intake.recordLegacyUse(client.code, now);
    return client;
  }

  /** A new matter, or (same reference) the ticket the first submission created. */
  async submit(client: IntakeClientRow, m: UpstreamMatter): Promise<{ created: boolean; result: UpstreamResult }> {
    const ref = m.ref.trim();
    const existing = await this.intake.ticketForRef(client.sourceCode, ref);
    if (existing) return { created: false, result: await this.result(client.sourceCode, ref, existing) };
    const initiator = await this.org.findPerson(client.initiator);
    if (!initiator || !initiator.active) {
      throw new DomainError('INVALID_STATE', 'the dispatcher of this intake client is no longer active');
    }
    const user = toCurrentUser(initiator);
    const input: CreateTicketInput = {
      ...m,
      source: client.sourceCode,
      channel: m.channel ?? 'other',
      upstreamRef: ref,
    };
    let raced = false;
    try {
      await this.registration.create(user, input, async (tx, ticketId) => {
        const ok = await this.intake.recordRef(
          tx,
          { sourceCode: client.sourceCode, ref, ticketId, clientCode: client.code, via: 'api' },
          this.clock.now(),
        );
        if (!ok) {
          raced = true;
          throw new DomainError('CONFLICT', 'reference taken meanwhile');
        }
      });
    } catch (e) {
      // A concurrent retry with the same reference won: this one's ticket was rolled back.
      if (!raced) throw e;
    }
    const id = (await this.intake.ticketForRef(client.sourceCode, ref))!;
    return { created: !raced, result: await this.result(client.sourceCode, ref, id) };
  }

  async read(client: IntakeClientRow, source: string, ref: string): Promise<UpstreamResult> {
    const id = source === client.sourceCode ? await this.intake.lastTicketForRef(source, ref) : null;
    if (!id) throw new DomainError('NOT_FOUND', 'no matter with this reference from your system');
    return this.result(source, ref, id);
  }

  private async result(source: string, ref: string, id: string): Promise<UpstreamResult> {
    const agg = (await this.tickets.load(id, { kind: 'all' }))!;
    const into = await this.intake.mergedInto(id);
    const target = into ? ((await this.tickets.load(into, { kind: 'all' })) ?? agg) : agg;
    const s = target.state;
    let result: UpstreamResult['result'] = null;
    // Issue 15.10 (X-3, R-14(3)): the consolidated answer of all units (the reported one: the
    // office's edit on chain B), once closed and also while the matter is under follow-up.
    if (s.status === 'closed' || s.status === 'follow_up') {
      const stored = await this.answers.find(s.id);
      const names = Object.fromEntries(await this.tickets.unitNames());
      const answer = stored?.reportedAnswer ?? composeUpstreamAnswer(s, names);
      if (answer) {
        const at = stored?.reportedAt ?? target.facts.closedAt ?? (await this.answers.answeredAt(s.id));
        result = {
          answer,
          answeredAt: at?.toISOString() ?? null,
          followUp: s.status === 'follow_up',
          units: answeringReplies(s).map((a) => ({ name: names[a.unitCode] ?? a.unitCode, role: a.role })),
        };
      }
    }
    return {
      source,
      ref,
      ticket: {
        number: agg.facts.number,
        status: s.status,
        receivedAt: agg.facts.receivedAt.toISOString(),
        closedAt: target.facts.closedAt?.toISOString() ?? null,
      },
      result,
      mergedInto: into ? target.facts.number : null,
    };
  }

  // ---- admin: keys ----

  /**
   * Creates or re-keys a client. Issue 17.2: a key id (sent with every request) and a secret (only
   * signs, never sent), shown once; the secret is kept encrypted with the caller-data keys.
   */
  async saveClient(
    user: CurrentUser,
    c: { code: string; name: string; source: string; initiator: string },
  ): Promise<{ client: IntakeClientView; keyId: string; secret: string }> {
    requireAccess(user, 'admin.intake_keys');
    if (!(await this.org.findSource(c.source)))
      throw new DomainError('VALIDATION', `未知的来源“${c.source}”。`, 'source');
    const person = await this.org.findPerson(c.initiator);
    // The initiator is the dispatcher the imported tickets are registered by.
    if (!person || !can(person, 'tickets.register')) {
      throw new DomainError('VALIDATION', '发起人须为派单员。', 'initiator');
    }
    const keyId = `ik_${randomBytes(12).toString('base64url')}`;
    const secret = `hks_${randomBytes(32).toString('base64url')}`;
    await this.intake.saveClient(
      {
        code: c.code,
        name: c.name,
        sourceCode: c.source,
        initiator: c.initiator,
        keyId,
        secretEnc: this.cipher.encrypt(secret)!,
        keyHint: secret.slice(-4),
      },
      this.clock.now(),
    );
    const client = (await this.clients(user)).find((x) => x.code === c.code)!;
    return { client, keyId, secret };
  }

  async clients(user: CurrentUser): Promise<IntakeClientView[]> {
    requireAccess(user, 'admin.intake_keys');
    const now = this.clock.now().getTime();
    return (await this.intake.clients()).map((c) => ({
      ...c,
      warning:
        c.keyId === null && c.active
          ? c.legacyUntil && c.legacyUntil.getTime() >= now
            ? c.legacyUses > 0
              ? 'this key still sends its secret; switch to key id'
              : 'this key is of the old form (secret in X-Intake-Key); issue a new one with a key id'
            : 'this key sent its secret and is no longer accepted; issue a new one with a key id'
          : null,
    }));
  }

  async withdrawClient(user: CurrentUser, code: string): Promise<void> {
    requireAccess(user, 'admin.intake_keys');
    if (!(await this.intake.deactivateClient(code))) throw new DomainError('NOT_FOUND', '对接系统不存在。');
  }

  // ---- Excel batch ----

  /**
   * A batch of upstream matters from a sheet (one row each). Every row is checked first; with
   * `dryRun` (the preview) or any bad row nothing is written; otherwise all rows are registered
   * in one transaction, each reference once per source.
   */
  async importBatch(
    user: CurrentUser,
    source: string,
    file: () => Promise<Buffer>,
    dryRun: boolean,
    progress?: ImportProgress,
  ): Promise<UpstreamImportReport> {
    requireAccess(user, 'intake.upstream_import');
    const src = source ? await this.org.findSource(source) : null;
    if (!src) throw new DomainError('VALIDATION', `未知的来源“${source}”。`, 'source');
    // Issue 19 goal 3: with a progress key, the run is on record from here (while the file uploads).
    const run = await this.runs.begin(user, 'upstream', dryRun, progress);
    return run.track(() => this.importRows(user, source, file, dryRun, run));
  }

  private async importRows(
    user: CurrentUser,
    source: string,
    file: () => Promise<Buffer>,
    dryRun: boolean,
    run: ImportRunTracker,
  ): Promise<UpstreamImportReport> {
    const rows = await readTable(await file(), HEADERS);
    await run.total(rows.length);
    const errors: RowError[] = [];
    const prepared: Array<{ ref: string; p: PreparedTicket }> = [];
    const preview: UpstreamImportRow[] = [];
    const taken = await this.intake.existingRefs(
      source,
      rows.map((r) => r.values.ref ?? ''),
    );
    const seen = new Set<string>();
    const categories = await this.org.listCategories();
    if (rows.length === 0) errors.push({ line: 1, field: null, message: '文件中没有数据行' });
    for (const [i, r] of rows.entries()) {
      await run.step(i);
      const v = r.values;
      const before = errors.length;
      const need = (f: string, label: string) => {
        if (!v[f]) errors.push({ line: r.line, field: f, message: `缺少${label}` });
        return v[f] ?? '';
      };
      const ref = need('ref', '上级工单号');
      if (ref && taken.has(ref)) errors.push({ line: r.line, field: 'ref', message: `工单号 ${ref} 已导入过` });
      if (ref && seen.has(ref)) errors.push({ line: r.line, field: 'ref', message: `工单号 ${ref} 在文件中重复` });
      seen.add(ref);
      const cat = need('category', '事项类型');
      const category = categories.find((c) => c.code === cat || c.name === cat);
      if (cat && !category) errors.push({ line: r.line, field: 'category', message: `未知事项类型“${cat}”` });
      const subject = need('subject', '主题');
      if (subject.length > 200) errors.push({ line: r.line, field: 'subject', message: '主题超过200字' });
      const content = need('content', '内容');
      const name = need('callerName', '来电人姓名');
      const phone = need('callerPhone', '联系电话');
      let upstreamDeadline: Date | undefined;
      if (v.upstreamDeadline) {
        upstreamDeadline = parseShanghaiLenient(v.upstreamDeadline);
        if (Number.isNaN(upstreamDeadline.getTime())) {
          errors.push({
            line: r.line,
            field: 'upstreamDeadline',
            message: `办理期限“${v.upstreamDeadline}”不是日期时间`,
          });
        }
      }
      preview.push({
        line: r.line,
        ref,
        category: category?.code ?? cat,
        subject,
        caller: { name: maskName(name || null), phone: maskPhone(phone || null) },
      });
      if (errors.length > before) continue;
      try {
        const p = await this.registration.prepareCreate(user, {
          source,
          channel: 'other',
          category: category!.code,
          subject,
          content,
          caller: { name, phone, address: v.callerAddress || undefined },
          upstreamRef: ref,
          upstreamDeadline,
          route: v.route || undefined,
          stop: v.stop || undefined,
          vehiclePlate: v.vehiclePlate || undefined,
        });
        prepared.push({ ref, p });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        errors.push({ line: r.line, field: e.field ?? null, message: e.message });
      }
    }
    const report: UpstreamImportReport = {
      source,
      rows: rows.length,
      imported: 0,
      dryRun,
      errors,
      preview,
      tickets: [],
    };
    await run.step(rows.length);
    if (errors.length > 0 || dryRun) return report;
    await run.writing();
    const created = await this.tickets.transaction(async (m) => {
      const out: Array<{ ref: string; id: string }> = [];
      for (const { ref, p } of prepared) {
        // A cancel (or the client gone) throws here: the transaction rolls back, nothing is imported.
        await run.step(out.length);
        const id = await this.registration.insertPrepared(m, user, p);
        if (
          !(await this.intake.recordRef(
            m,
            { sourceCode: source, ref, ticketId: id, clientCode: null, via: 'excel' },
            p.now,
          ))
        ) {
          throw new DomainError('CONFLICT', `工单号 ${ref} 刚被他人导入，本次未导入任何事项，请重新预览。`);
        }
        out.push({ ref, id });
      }
      await run.step(out.length);
      return out;
    });
    const numbers = await Promise.all(
      created.map(async (c) => (await this.tickets.load(c.id, { kind: 'all' }))!.facts.number),
    );
    return { ...report, imported: created.length, tickets: created.map((c, i) => ({ ...c, number: numbers[i] })) };
  }
}
