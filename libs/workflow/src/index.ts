// Public surface of the pure workflow library (no framework, no I/O).
// Every type and constant of the contract (ACTIONS and the state, input and effect types).
export * from './workflow.types';
export {
  decide,
  allowedActions,
  describeWorkflow,
  phaseOf,
  isActive,
  todosOf,
  workOf,
  reviewStepAudience,
  RETURN_WINDOW_MS,
  RETURN_DECISION_MS,
  CLOCK_SKEW_MS,
  FOLLOW_UP_CATEGORIES,
  DEFAULT_EXTENSION_LIMITS,
  VISIT_MAX_NO_ANSWER,
  RESPONSIBILITY_CATEGORIES,
  CASE_PARTIES,
  visitOf,
  PHASES,
  CHAIN_STEPS,
  TRANSITIONS,
} from './workflow.machine';
export type {
  TicketPhase,
  Party,
  AssignmentScope,
  GuardName,
  TransitionRule,
  WorkflowDescription,
  TodoSpec,
} from './workflow.machine';
export { NOT_CONTACTED_REASON_LABELS } from './workflow.labels';
export { DomainError } from './domain-error';
export type { DomainErrorCode } from './domain-error';
export { renderWorkflowMarkdown } from './workflow-doc';
export { composeUpstreamAnswer, upstreamAnswerOf, answeringReplies, UPSTREAM_ANSWER_MAX } from './upstream-answer';
