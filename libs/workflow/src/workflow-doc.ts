// Renders the generated part of docs/workflow.md from describeWorkflow(), so the document is
// the table and cannot drift from it (workflow-doc.spec.ts compares the two). Pure: returns text.
import { describeWorkflow, type TicketPhase, type TransitionRule } from './workflow.machine';
import type { Chain } from './workflow.types';

const CHAIN_TITLES: ReadonlyArray<{ chain: Chain; title: string }> = [
  { chain: 'A', title: 'Chain A (钉钉派单: group hotline; `direct` tickets review the same way)' },
  { chain: 'B', title: 'Chain B (微信派单: mayor hotline, digital city management, other government sources)' },
];

function appliesToChain(rule: TransitionRule, chain: Chain): boolean {
  return !rule.chains || rule.chains.includes(chain);
}

function chainPhases(chain: Chain): TicketPhase[] {
  const wf = describeWorkflow();
  const steps = wf.chainSteps[chain];
  return wf.phases.filter(
    (p) =>
      !['initiator_review', 'ops_review', 'office_review', 'upstream_report'].includes(p) || steps.includes(p as never),
  );
}

function chainDiagram(chain: Chain): string {
  const wf = describeWorkflow();
  const phases = new Set(chainPhases(chain));
  const edges = new Map<string, string[]>();
  for (const rule of wf.transitions) {
    if (!appliesToChain(rule, chain) || rule.stays) continue;
    for (const from of rule.from) {
      if (!phases.has(from)) continue;
      for (const to of rule.to) {
        if (!phases.has(to) || to === from) continue;
        const key = `${from} --> ${to}`;
        const labels = edges.get(key) ?? [];
        if (!labels.includes(rule.action)) labels.push(rule.action);
        edges.set(key, labels);
      }
    }
  }
  const lines = ['```mermaid', 'stateDiagram-v2', '  [*] --> registered'];
  for (const [edge, labels] of edges) lines.push(`  ${edge} : ${labels.join(', ')}`);
  lines.push('  closed --> [*]', '  revoked --> [*]', '```');
  return lines.join('\n');
}

function assignmentDiagram(): string {
  const wf = describeWorkflow();
  const edges = new Map<string, string[]>();
  const add = (from: string, to: string, label: string) => {
    const key = `${from} --> ${to}`;
    const labels = edges.get(key) ?? [];
    if (!labels.includes(label)) labels.push(label);
    edges.set(key, labels);
  };
  for (const rule of wf.transitions) {
    if (rule.scope === 'none') continue;
    for (const from of rule.assignmentFrom ?? []) for (const to of rule.assignmentTo ?? []) add(from, to, rule.action);
  }
  for (const side of wf.assignmentSideEffects) {
    if (side.from === 'new') add('[*]', side.to, side.action);
    else for (const from of side.from) add(from, side.to, side.action);
  }
  const lines = ['```mermaid', 'stateDiagram-v2'];
  for (const [edge, labels] of edges) lines.push(`  ${edge} : ${labels.join(', ')}`);
  lines.push('```');
  return lines.join('\n');
}

function code(s: string): string {
  return `\`${s}\``;
}

/** Issue 15.2 (R-9b): whether a unit's reply was approved on the ticket (replyApprovedOnce). */
function approvalCondition(rule: TransitionRule): string | null {
  if (rule.replyApproved === undefined) return null;
  return rule.replyApproved ? 'a unit reply approved (ever)' : 'no unit reply approved yet';
}

function conditions(rule: TransitionRule): string {
  const parts: string[] = [];
  if (rule.chains) parts.push(`chain ${rule.chains.join('/')}`);
  if (rule.categories) parts.push(`category ${rule.categories.join('/')}`);
  const approval = approvalCondition(rule);
  if (approval) parts.push(approval);
  if (rule.assignmentFrom) parts.push(`assignment ${rule.assignmentFrom.join('/')}`);
  if (rule.extension === 'pending') parts.push('extension request pending');
  if (rule.extension === 'none_pending') parts.push('no extension request pending');
  for (const g of rule.guards) parts.push(code(g));
  return parts.length ? parts.join('; ') : '—';
}

function stateTable(): string {
  const wf = describeWorkflow();
  const lines = [
    '| Action | From (status / step) | Who | Conditions and guards | Assignment | Result | Rules | Notes |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const rule of wf.transitions) {
    const assignment =
      rule.assignmentFrom && rule.assignmentTo
        ? `${rule.assignmentFrom.join('/')} → ${rule.assignmentTo.join('/')}`
        : '—';
    lines.push(
      `| ${code(rule.action)} | ${rule.from.join(', ')} | ${rule.who.join(', ')} | ${conditions(rule)} | ${assignment} | ${rule.stays ? '(stays)' : rule.to.join(' / ')} | ${rule.requirement} | ${rule.note} |`,
    );
  }
  return lines.join('\n');
}

function phaseTable(): string {
  const wf = describeWorkflow();
  const lines = ['| Status / step | Actions (who) |', '|---|---|'];
  for (const phase of wf.phases) {
    const cells = wf.transitions
      .filter((r) => r.from.includes(phase))
      .map((r) => {
        const when = [
          r.chains && `chain ${r.chains.join('/')}`,
          r.categories && r.categories.join('/'),
          approvalCondition(r),
        ]
          .filter(Boolean)
          .join(', ');
        return `${code(r.action)} (${r.who.join(', ')}${when ? `; ${when}` : ''})`;
      });
    lines.push(`| ${phase} | ${cells.length ? cells.join('<br>') : 'nothing (final)'} |`);
  }
  return lines.join('\n');
}

export function renderWorkflowMarkdown(): string {
  const wf = describeWorkflow();
  const out: string[] = [];
  out.push('## Ticket flow by chain (R-8)', '');
  for (const { chain, title } of CHAIN_TITLES) {
    out.push(
      `### ${title}`,
      '',
      `Review steps: ${wf.chainSteps[chain].join(' → ')} → close.`,
      '',
      chainDiagram(chain),
      '',
    );
  }
  out.push('## Assignment (one unit on one ticket)', '', assignmentDiagram(), '');
  out.push('## State table', '', stateTable(), '');
  out.push('## What each status / step allows', '', phaseTable(), '');
  out.push('## Who', '', '| Party | Meaning |', '|---|---|');
  for (const [party, meaning] of Object.entries(wf.parties)) out.push(`| ${code(party)} | ${meaning} |`);
  out.push(
    '',
    '## Guards',
    '',
    'A failing guard refuses with `INVALID_STATE`.',
    '',
    '| Guard | Holds when |',
    '|---|---|',
  );
  for (const [guard, meaning] of Object.entries(wf.guards)) out.push(`| ${code(guard)} | ${meaning} |`);
  out.push('', '## To-dos (DingTalk 待办)', '');
  out.push(
    'Open to-dos are a function of the state (`todosOf`); each decision emits `todo_done` for keys that',
    'closed and `todo_open` for keys that opened, so none can stay open after a ticket is revoked, and after it',
    "closes only the unit's case analysis (`{ticket}:case_file`, issue 15.12) stays open until it is written.",
    '',
    '| Key | Action | For | Due | Open while |',
    '|---|---|---|---|---|',
  );
  for (const t of wf.todoKeys) {
    out.push(`| ${code(t.key)} | ${code(t.action)} | ${t.to} | ${t.due} | ${t.openWhile} |`);
  }
  out.push(
    '',
    `Constants: return window ${wf.returnWindowMs / 3_600_000} h (R-11); follow-up categories: ${wf.followUpCategories.join(', ')} (R-14(3)); extensions by default at most ${wf.defaultExtensionLimits.maxCount}, of at most ${wf.defaultExtensionLimits.maxDays} working days each (X-4; the application passes its configured caps and the upstream deadline in \`DecideContext\`).`,
  );
  return out.join('\n') + '\n';
}
