import type { EntityManager } from 'typeorm';
import { DomainError, type Change } from '@hotline/workflow';
import { exec } from './sql';

/** Who decided, when, and the decision's comment (its timeline event's), for the rows that record them. */
export interface DecisionContext {
  ticketId: string;
  actor: string;
  comment: string | null;
  now: Date;
}

type Of<K extends Change['kind']> = Extract<Change, { kind: K }>;

/**
 * Issue 14.1: persists what a decision changed, one statement (or one small group) per kind of
 * typed change, in the order `decide` recorded them. Nothing compares the state before and after:
 * a change the workflow does not report is not stored, which the workflow's property test
 * (`replay` in workflow.property.spec.ts) rules out for every reachable state.
 *
 * The consolidated answer upstream (`upstream_answer.*`) needs the answer composed with the units'
 * names and is written by `UpstreamAnswerRepository.apply` through the intake hooks.
 */
export async function writeChanges(m: EntityManager, changes: readonly Change[], ctx: DecisionContext): Promise<void> {
  for (const c of changes) {
    switch (c.kind) {
      case 'assignment.dispatched':
        await insertAssignment(m, c, ctx);
        break;
      case 'assignment.accepted':
        await exec(
          m,
          `UPDATE assignments SET status = $2, accepted_by = $3, accepted_at = $4, updated_at = $5 WHERE id = $1`,
          [c.assignmentId, c.status, c.by, c.at, ctx.now],
        );
        break;
      case 'assignment.moved':
        await setStatus(m, c.assignmentId, c.status, ctx.now);
        break;
      case 'assignment.returned':
        await setStatus(m, c.assignmentId, 'returned', ctx.now);
        break;
      case 'assignment.cancelled':
        await setStatus(m, c.assignmentId, 'cancelled', ctx.now);
        break;
      case 'assignment.withdrawn':
        // Issue 15.9: the leader's pending approval goes with the assignment.
        await setStatus(m, c.assignmentId, 'withdrawn', ctx.now);
        await setReplyStatus(m, c.assignmentId, 'withdrawn');
        break;
      case 'assignment.reworked':
        await exec(
          m,
          `UPDATE assignments SET status = 'accepted', rework_count = $2, reply_deadline = COALESCE($3, reply_deadline),
                  updated_at = $4 WHERE id = $1`,
          [c.assignmentId, c.reworkCount, c.newDeadline ?? null, ctx.now],
        );
        break;
      case 'assignment.extended':
        await exec(
          m,
          `UPDATE assignments SET reply_deadline = $2, extension_count = $3, updated_at = $4 WHERE id = $1`,
          [c.assignmentId, c.replyDeadline, c.extensionCount, ctx.now],
        );
        break;
      case 'reply.submitted':
        await insertReply(m, c, ctx);
        break;
      case 'reply.approved':
        await exec(
          m,
          `UPDATE replies SET status = 'approved', approved_by = $2, approved_at = $3
            WHERE assignment_id = $1 AND status = 'awaiting_leader'`,
          [c.assignmentId, c.by, c.at],
        );
        break;
      case 'reply.rejected':
        await setReplyStatus(m, c.assignmentId, 'rejected');
        break;
      case 'reply.sent_back':
        // R-14 send-back, an X-5 call re-opening the unit, or (issue 15.7) a reply found untrue.
        await setReplyStatus(m, c.assignmentId, 'sent_back');
        break;
      case 'reply.flagged_untrue':
        await flagUntrue(m, c, ctx);
        break;
      case 'return.requested':
        await exec(
          m,
          `INSERT INTO return_requests (assignment_id, ticket_id, reason, basis, requested_by, requested_at)
           VALUES ($1,$2,$3,$4,$5,$6)`,
          [
            c.assignmentId,
            ctx.ticketId,
            c.request.reason,
            c.request.basis,
            c.request.requestedBy,
            c.request.requestedAt,
          ],
        );
        break;
      case 'return.decided':
        await exec(
          m,
          `UPDATE return_requests SET decision = $2, decided_by = $3, decided_at = $4, comment = $5
            WHERE assignment_id = $1 AND decision = 'pending'`,
          [c.assignmentId, c.decision, c.by, ctx.now, ctx.comment],
        );
        break;
      case 'extension.requested':
        await exec(
          m,
          `INSERT INTO extension_requests (assignment_id, ticket_id, days, reason, requested_by, requested_at,
              previous_deadline, new_deadline) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
          [
            c.assignmentId,
            ctx.ticketId,
            c.request.days,
            c.request.reason,
            c.request.requestedBy,
            c.request.requestedAt,
            c.previousDeadline,
            c.request.newDeadline,
          ],
        );
        break;
      case 'extension.decided':
        await exec(
          m,
          `UPDATE extension_requests SET decision = $2, decided_by = $3, decided_at = $4, comment = $5
            WHERE assignment_id = $1 AND decision = 'pending'`,
          [c.assignmentId, c.decision, c.by, ctx.now, ctx.comment],
        );
        break;
      case 'visit.recorded':
        await recordVisit(m, c, ctx);
        break;
      case 'responsibility.decided':
        await decideResponsibility(m, c, ctx);
        break;
      case 'case_file.written':
        await writeCaseFile(m, c, ctx);
        break;
      case 'upstream_answer.edited':
      case 'upstream_answer.reported':
        break;
      default: {
        const unknown: never = c;
        throw new Error(`no statement for the change ${(unknown as Change).kind}`);
      }
    }
  }
}

async function setStatus(m: EntityManager, assignmentId: string, status: string, now: Date): Promise<void> {
  await exec(m, `UPDATE assignments SET status = $2, updated_at = $3 WHERE id = $1`, [assignmentId, status, now]);
}

/** The current reply (awaiting the leader, or approved) leaves with this status. */
async function setReplyStatus(
  m: EntityManager,
  assignmentId: string,
  status: 'rejected' | 'sent_back' | 'withdrawn',
): Promise<void> {
  await exec(
    m,
    `UPDATE replies SET status = $2 WHERE assignment_id = $1 AND status IN ('awaiting_leader', 'approved')`,
    [assignmentId, status],
  );
}

async function insertAssignment(m: EntityManager, c: Of<'assignment.dispatched'>, ctx: DecisionContext): Promise<void> {
  const a = c.assignment;
  await exec(
    m,
    `INSERT INTO assignments (id, ticket_id, unit_code, role, status, dispatched_at, dispatched_by,
        reply_deadline, accepted_by, accepted_at, rework_count, seq, updated_at, extension_count)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
    [
      a.id,
      ctx.ticketId,
      a.unitCode,
      a.role,
      a.status,
      a.dispatchedAt,
      a.dispatchedBy,
      a.replyDeadline,
      a.acceptedBy ?? null,
      a.acceptedAt ?? null,
      a.reworkCount,
      c.seq,
      ctx.now,
      a.extensionCount,
    ],
  );
}

async function insertReply(m: EntityManager, c: Of<'reply.submitted'>, ctx: DecisionContext): Promise<void> {
  const r = c.reply;
  await exec(
    m,
    `INSERT INTO replies (assignment_id, ticket_id, content, handled_at, handler, caller_contacted, contact_method,
        contact_at, contact_summary, satisfaction, status, submitted_by, submitted_at, not_contacted_reason)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,'awaiting_leader',$11,$12,$13)`,
    [
      c.assignmentId,
      ctx.ticketId,
      r.content,
      r.handledAt,
      r.handler,
      r.callerContact.contacted,
      r.callerContact.method,
      r.callerContact.at,
      r.callerContact.summary,
      r.satisfaction,
      r.submittedBy,
      r.submittedAt,
      r.callerContact.notContactedReason ?? null,
    ],
  );
}

/**
 * Issue 15.7 (R-10, Art. 10): the assignment goes back for a corrected reply by the new deadline;
 * the reply the leader approved last is flagged untrue against its unit (once per reply: the
 * corrected reply is a new row). A closed ticket re-opened leaves the call-back queue and is
 * called again, in the new round, after the next close.
 */
async function flagUntrue(m: EntityManager, c: Of<'reply.flagged_untrue'>, ctx: DecisionContext): Promise<void> {
  await exec(m, `UPDATE assignments SET status = 'accepted', reply_deadline = $2, updated_at = $3 WHERE id = $1`, [
    c.assignmentId,
    c.newDeadline,
    ctx.now,
  ]);
  await exec(
    m,
    `INSERT INTO untrue_reply_flags (reply_id, ticket_id, assignment_id, unit_code, note, flagged_by, flagged_at,
        previous_deadline, new_deadline)
     SELECT r.id, a.ticket_id, a.id, a.unit_code, $3, $4, $5, $6, $7
       FROM replies r JOIN assignments a ON a.id = r.assignment_id
      WHERE r.assignment_id = $1 AND a.ticket_id = $2 AND r.approved_at IS NOT NULL
      ORDER BY r.approved_at DESC LIMIT 1
     ON CONFLICT (reply_id) DO NOTHING`,
    [c.assignmentId, ctx.ticketId, c.reason, ctx.actor, ctx.now, c.previousDeadline, c.newDeadline],
  );
  if (c.reopenedVisitRound !== null) {
    await exec(
      m,
      `UPDATE tickets SET visit_status = NULL, visit_no_answer = 0, visit_round = $2, visit_due_at = NULL WHERE id = $1`,
      [ctx.ticketId, c.reopenedVisitRound],
    );
  }
}

/** one follow-up call; a call that re-opens the ticket (rework) takes it off the queue until it closes again. */
async function recordVisit(m: EntityManager, c: Of<'visit.recorded'>, ctx: DecisionContext): Promise<void> {
  await exec(
    m,
    `INSERT INTO visits (ticket_id, round, outcome, solved, satisfaction, comment, unit_at_fault, visit_status,
        recorded_by, recorded_at, rework_assignment_id, previous_deadline)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
    [
      ctx.ticketId,
      c.round,
      c.outcome,
      c.solved,
      c.satisfaction,
      ctx.comment,
      c.unitAtFault,
      c.visitStatus,
      ctx.actor,
      ctx.now,
      c.reworkAssignmentId,
      c.previousDeadline,
    ],
  );
  const v = c.visit;
  await exec(
    m,
    `UPDATE tickets SET visit_status = $2, visit_no_answer = $3, visit_round = $4,
            visit_due_at = CASE WHEN $5::boolean THEN visit_due_at END
      WHERE id = $1`,
    [ctx.ticketId, v.status === 'pending' ? null : v.status, v.noAnswer, v.round, c.stillClosed],
  );
}

/**
 * the at-fault decision. Not at fault, or another unit named: the earlier case file is
 * withdrawn. At fault: the case file row starts with the decision (unit, basis) and the unit
 * writes the analysis (issue 15.12); the same unit named again keeps what it wrote.
 */
async function decideResponsibility(
  m: EntityManager,
  c: Of<'responsibility.decided'>,
  ctx: DecisionContext,
): Promise<void> {
  await exec(m, `UPDATE tickets SET responsibility = $2, responsible_unit = $3 WHERE id = $1`, [
    ctx.ticketId,
    c.atFault ? 'at_fault' : 'not_at_fault',
    c.atFault ? c.responsibleUnit : null,
  ]);
  const keeps = c.atFault && c.keepsCaseFile;
  if (!keeps) {
    await exec(m, `UPDATE case_files SET withdrawn_at = $2 WHERE ticket_id = $1 AND withdrawn_at IS NULL`, [
      ctx.ticketId,
      ctx.now,
    ]);
  }
  if (!c.atFault) return;
  const f = c.caseFile;
  await exec(
    m,
    `INSERT INTO case_files (ticket_id, unit_code, basis, cause, party_kind, party, measures, lesson,
        created_by, created_at, updated_by, updated_at, written_by, written_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$9,$10,$11,$12)
     ON CONFLICT (ticket_id) DO UPDATE SET unit_code = EXCLUDED.unit_code, basis = EXCLUDED.basis,
        created_by = CASE WHEN $13::boolean THEN case_files.created_by ELSE EXCLUDED.created_by END,
        created_at = CASE WHEN $13::boolean THEN case_files.created_at ELSE EXCLUDED.created_at END,
        cause = CASE WHEN $13::boolean THEN case_files.cause ELSE EXCLUDED.cause END,
        party_kind = CASE WHEN $13::boolean THEN case_files.party_kind ELSE EXCLUDED.party_kind END,
        party = CASE WHEN $13::boolean THEN case_files.party ELSE EXCLUDED.party END,
        measures = CASE WHEN $13::boolean THEN case_files.measures ELSE EXCLUDED.measures END,
        lesson = CASE WHEN $13::boolean THEN case_files.lesson ELSE EXCLUDED.lesson END,
        written_by = CASE WHEN $13::boolean THEN case_files.written_by ELSE EXCLUDED.written_by END,
        written_at = CASE WHEN $13::boolean THEN case_files.written_at ELSE EXCLUDED.written_at END,
        updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at, withdrawn_at = NULL`,
    [
      ctx.ticketId,
      c.responsibleUnit,
      c.basis,
      f?.cause ?? null,
      f?.partyKind ?? null,
      f?.party ?? null,
      f?.measures ?? null,
      f?.lesson ?? null,
      ctx.actor,
      ctx.now,
      f ? ctx.actor : null,
      f ? ctx.now : null,
      keeps,
    ],
  );
}

/** Issue 15.12 (Art. 16): the unit at fault (or the ops department) writes or updates the analysis. */
async function writeCaseFile(m: EntityManager, c: Of<'case_file.written'>, ctx: DecisionContext): Promise<void> {
  const f = c.caseFile;
  const { affected } = await exec(
    m,
    `UPDATE case_files SET cause = $3, party_kind = $4, party = $5, measures = $6, lesson = $7,
            written_by = $8, written_at = $9, updated_by = $8, updated_at = $9
      WHERE ticket_id = $1 AND unit_code = $2 AND withdrawn_at IS NULL`,
    [ctx.ticketId, c.unitCode, f.cause, f.partyKind, f.party, f.measures, f.lesson, c.by, c.at],
  );
  if (affected !== 1) throw new DomainError('CONFLICT', '责任认定刚被更改，请刷新后重试。');
}
