import { Injectable } from '@nestjs/common';
import { ReferenceDataRepository, type TicketAggregate } from '@hotline/db';
import { DomainError, isActive, type ActionInputs, type ActionName, type NotContactedReason } from '@hotline/workflow';
import type { CurrentUser } from './auth/auth.service';
import { DeadlinePolicy, type ComputedDeadline } from './deadline-policy';
import { LoopHooks } from './loop/loop-hooks';
import { IntakeHooks } from './intake/intake-hooks';

/** The raw JSON body of an action, already shape-checked by the API's DTO for that action. */
export type ActionBody = Record<string, unknown>;

/** The workflow input, with what the application computed for it (kept for the write). */
export interface PreparedInput {
  input: unknown;
  dispatch?: ComputedDeadline;
  extension?: { deadline: Date; calendarVersion: string; missingYears: number[] };
  /** the new deadline of a unit re-opened by a follow-up call. */
  rework?: ComputedDeadline;
  /** Issue 15.7: the deadline of a reply found untrue, set by the ops department. */
  untrueReply?: boolean;
}

/**
 * Turns an action's JSON body into the workflow's typed input, with what the application computes
 * for it: deadlines from the policy (X-1, X-4, issue 15.4), unit checks, the loop's and the intake
 * desk's own inputs.
 */
@Injectable()
export class ActionInputService {
  constructor(
    private readonly deadlines: DeadlinePolicy,
    private readonly reference: ReferenceDataRepository,
    private readonly loopHooks: LoopHooks,
    private readonly intakeHooks: IntakeHooks,
  ) {}

  /** The workflow input of an action: the loop's (follow-up calls, decisions) or the ticket's. */
  async prepare(
    action: ActionName,
    body: ActionBody,
    agg: TicketAggregate,
    now: Date,
    user: CurrentUser,
  ): Promise<PreparedInput> {
    return (
      (await this.loopHooks.prepare(action, body, agg, now)) ??
      (await this.toWorkflowInput(action, body, agg, now, user))
    );
  }

  /** Turns a JSON body into the workflow's typed input: dates, deadlines, unit checks. */
  private async toWorkflowInput(
    action: ActionName,
    body: ActionBody,
    agg: TicketAggregate,
    now: Date,
    user: CurrentUser,
  ): Promise<PreparedInput> {
    const date = (v: unknown) => (v === undefined || v === null ? undefined : new Date(v as string));
    switch (action) {
      case 'dispatch': {
        const raw = (body.assignments ?? []) as Array<{ unit: string; role: 'sole' | 'lead' | 'co' }>;
        const reference = await this.reference.snapshot();
        const unknown = raw.find((a) => !reference.units.get(a.unit)?.active);
        if (unknown) throw new DomainError('VALIDATION', `未知的承办单位“${unknown.unit}”。`, 'assignments.unit');
        const computed = await this.deadlines.forDispatch(
          agg.facts,
          now,
          date(body.replyDeadline),
          undefined,
          undefined,
          reference,
        );
        return {
          input: {
            // Issue 15.4 (R-6d): co units answer before the lead, so they get the earlier deadline.
            assignments: raw.map((a) => ({
              unit: a.unit,
              role: a.role,
              replyDeadline: a.role === 'co' ? computed.co.replyDeadline : computed.replyDeadline,
            })),
          } satisfies ActionInputs['dispatch'],
          dispatch: computed,
        };
      }
      case 'reroute': {
        // Issue 15.9 (改派): the new unit gets a fresh deadline by the dispatch rules, in the role of
        // the assignment it replaces (a co unit's before the lead's, issue 15.4). Without a
        // clear target the workflow refuses (which unit, or nothing to re-route).
        const newUnit = typeof body.newUnit === 'string' ? body.newUnit : '';
        const reference = await this.reference.snapshot();
        if (newUnit && !reference.units.get(newUnit)?.active) {
          throw new DomainError('VALIDATION', `未知的承办单位“${newUnit}”。`, 'newUnit');
        }
        const active = agg.state.assignments.filter(isActive);
        const open = active.filter((a) => a.status !== 'replied');
        const target =
          typeof body.unit === 'string'
            ? active.find((a) => a.unitCode === body.unit)
            : open.length === 1
              ? open[0]
              : undefined;
        if (!target) return { input: body };
        const lead = active.find((a) => a.role === 'lead' && a !== target);
        const computed = await this.deadlines.forDispatch(
          agg.facts,
          now,
          date(body.replyDeadline),
          undefined,
          lead?.replyDeadline,
          reference,
        );
        return {
          input: {
            unit: target.unitCode,
            newUnit,
            reason: String(body.reason ?? ''),
            replyDeadline: target.role === 'co' ? computed.co.replyDeadline : computed.replyDeadline,
          } satisfies ActionInputs['reroute'],
          dispatch: computed,
        };
      }
      case 'request_extension': {
        // the new deadline is computed here, on the calendar, from the acting unit's deadline.
        const days = body.days as number;
        const units = typeof body.unit === 'string' ? [body.unit] : user.unitCodes;
        const own = agg.state.assignments.filter((a) => units.includes(a.unitCode) && isActive(a));
        if (own.length !== 1 || !Number.isInteger(days) || days < 1) return { input: body };
        const extended = await this.deadlines.extended(own[0].replyDeadline, days);
        return {
          input: { ...body, days, reason: String(body.reason ?? ''), newDeadline: extended.deadline },
          extension: extended,
        };
      }
      case 'submit_reply': {
        const cc = (body.callerContact ?? {}) as Record<string, unknown>;
        const reply = {
          unit: body.unit as string | undefined,
          content: String(body.content ?? ''),
          handledAt: date(body.handledAt)!,
          handler: String(body.handler ?? ''),
          callerContact: {
            // passed as sent, so the workflow refuses a `contacted` that is not a boolean.
            contacted: cc.contacted as boolean,
            method: String(cc.method ?? ''),
            at: date(cc.at)!,
            summary: String(cc.summary ?? ''),
            ...(cc.notContactedReason === undefined
              ? {}
              : { notContactedReason: cc.notContactedReason as NotContactedReason }),
          },
          satisfaction: body.satisfaction as ActionInputs['submit_reply']['satisfaction'],
        } satisfies ActionInputs['submit_reply'];
        return { input: reply };
      }
      case 'flag_untrue_reply':
        // Issue 15.7: the new reply deadline the ops department set for the corrected reply.
        return { input: { ...body, replyDeadline: date(body.replyDeadline) }, untrueReply: true };
      case 'merge':
      case 'answer_directly':
        // the merge target and a cited article are checked by the intake desk.
        return { input: await this.intakeHooks.prepare(action, body, agg) };
      default:
        return { input: body };
    }
  }
}
