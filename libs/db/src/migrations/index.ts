// Every migration, in order. Reviewed SQL only; the schema never comes from synchronize.
import { InitialSchema1764300000000 } from './1764300000000-initial-schema';
import { DingTalkDelivery1764400000000 } from './1764400000000-dingtalk-delivery';
import { Attachments1764600000000 } from './1764600000000-attachments';
import { Security1764700000000 } from './1764700000000-security';
import { Deadlines1764800000000 } from './1764800000000-deadlines';
import { CallerEncryption1764900000000 } from './1764900000000-caller-encryption';
import { Retention1764950000000 } from './1764950000000-retention';
import { ClosingTheLoop1765000000000 } from './1765000000000-closing-the-loop';
import { IntakeDesk1765100000000 } from './1765100000000-intake-desk';
import { AcceptAndReviewReminders1765200000000 } from './1765200000000-accept-and-review-reminders';
import { MergedTicketsNotFollowedUp1765400000000 } from './1765400000000-merged-tickets-not-followed-up';
import { LightOrderIndex1765410000000 } from './1765410000000-light-order-index';
import { KbUseCount1765420000000 } from './1765420000000-kb-use-count';
import { ReferenceData1765500000000 } from './1765500000000-reference-data';
import { PeopleAndRoles1765600000000 } from './1765600000000-people-and-roles';
import { DingTalkConfigProblems1765700000000 } from './1765700000000-dingtalk-config-problems';
import { NoticeDeliveries1765700000001 } from './1765700000001-notice-deliveries';
import { MergedCallersRetention1765900000000 } from './1765900000000-merged-callers-retention';
import { SignInRateLimit1765901000000 } from './1765901000000-sign-in-rate-limit';
import { SessionFamily1765902000000 } from './1765902000000-session-family';
import { OutboxClaimOwner1766000000000 } from './1766000000000-outbox-claim-owner';
import { AssignmentReplyTimes1766100000000 } from './1766100000000-assignment-reply-times';
import { DingTalkCallBudget1766210000000 } from './1766210000000-dingtalk-call-budget';
import { AuditTrailAppendOnly1766220000000 } from './1766220000000-audit-trail-append-only';
import { IntakeKeyIds1766220000001 } from './1766220000001-intake-key-ids';
import { IntakeRefRelease1766240000000 } from './1766240000000-intake-ref-release';
import { ReplyNotContactedReason1766250000000 } from './1766250000000-reply-not-contacted-reason';
import { UntrueReplyCorrection1766300000000 } from './1766300000000-untrue-reply-correction';
import { CoLeadAndReviewBudget1766260000000 } from './1766260000000-co-lead-and-review-budget';
import { AssignmentWithdrawn1766310000000 } from './1766310000000-assignment-withdrawn';
import { UpstreamAnswerAndCaseAnalysis1766320000000 } from './1766320000000-upstream-answer-and-case-analysis';
import { LedgerExportProgress1766330000000 } from './1766330000000-ledger-export-progress';
import { ReferenceRevision1766340000000 } from './1766340000000-reference-revision';
import { InboxPageIndexes1766370000000 } from './1766370000000-inbox-page-indexes';
import { FollowUpWork1766420000000 } from './1766420000000-follow-up-work';
import { ImportRuns1766430000000 } from './1766430000000-import-runs';
import { RunHeartbeats1766440000000 } from './1766440000000-run-heartbeats';
import { InboxWorkCounts1766450000000 } from './1766450000000-inbox-work-counts';
import { AssignmentTicketCreated1766460000000 } from './1766460000000-assignment-ticket-created';
import { TicketCharsIndex1766470000000 } from './1766470000000-ticket-chars-index';
import { InProgressTextIndexes1766480000000 } from './1766480000000-in-progress-text-indexes';
import { TicketListIndexes1766400000000 } from './1766400000000-ticket-list-indexes';
import { UnitFigureDays1766410000000 } from './1766410000000-unit-figure-days';

export const MIGRATIONS: Function[] = [
  InitialSchema1764300000000,
  DingTalkDelivery1764400000000,
  Attachments1764600000000,
  Security1764700000000,
  Deadlines1764800000000,
  CallerEncryption1764900000000,
  Retention1764950000000,
  ClosingTheLoop1765000000000,
  IntakeDesk1765100000000,
  AcceptAndReviewReminders1765200000000,
  MergedTicketsNotFollowedUp1765400000000,
  LightOrderIndex1765410000000,
  KbUseCount1765420000000,
  ReferenceData1765500000000,
  PeopleAndRoles1765600000000,
  DingTalkConfigProblems1765700000000,
  NoticeDeliveries1765700000001,
  MergedCallersRetention1765900000000,
  SignInRateLimit1765901000000,
  SessionFamily1765902000000,
  OutboxClaimOwner1766000000000,
  AssignmentReplyTimes1766100000000,
  DingTalkCallBudget1766210000000,
  AuditTrailAppendOnly1766220000000,
  IntakeKeyIds1766220000001,
  IntakeRefRelease1766240000000,
  ReplyNotContactedReason1766250000000,
  CoLeadAndReviewBudget1766260000000,
  UntrueReplyCorrection1766300000000,
  AssignmentWithdrawn1766310000000,
  UpstreamAnswerAndCaseAnalysis1766320000000,
  LedgerExportProgress1766330000000,
  ReferenceRevision1766340000000,
  InboxPageIndexes1766370000000,
  TicketListIndexes1766400000000,
  UnitFigureDays1766410000000,
  FollowUpWork1766420000000,
  ImportRuns1766430000000,
  RunHeartbeats1766440000000,
  InboxWorkCounts1766450000000,
  AssignmentTicketCreated1766460000000,
  TicketCharsIndex1766470000000,
  InProgressTextIndexes1766480000000,
];
