// Response shapes of the Hotline Desk API, generated from the OpenAPI document the API serves
// (src/api/schema.ts; issue 14.5: `npm run gen:api-types` at the repository root). The names the
// pages use are aliases here; nothing is copied by hand.
import type * as api from './api/schema';

export type ActionName = api.ActionName;
export type Light = api.Light;
export type UserUnit = api.UserUnitResponseDto;
export type User = api.MeResponseDto;
export type Session = api.SessionResponseDto;
export type Unit = api.UnitResponseDto;
export type Source = api.SourceResponseDto;
export type Category = api.CategoryResponseDto;
export type InboxItem = api.InboxItemResponseDto;
export type TicketListItem = api.TicketListItemResponseDto;
export type TicketPage = api.TicketPageResponseDto;
export type CallerContact = api.CallerContactResponseDto;
export type Reply = api.ReplyResponseDto;
export type Assignment = api.AssignmentResponseDto;
export type TimelineEvent = api.TimelineEventResponseDto;
export type Ticket = api.TicketResponseDto;
/** Issue 15.10 (Art. 4): composed from the approved replies, edited by the office, reported upstream. */
export type UpstreamAnswer = api.UpstreamAnswerResponseDto;
/** R-16, issue 15.12: a case file, pending until the unit at fault writes its analysis. */
export type CaseFile = api.CaseFileResponseDto;
export type TicketCaller = api.TicketCallerResponseDto;
export type Attachment = api.AttachmentResponseDto;
export type JsapiConfig = api.JsapiConfigResponseDto;
/** POST /api/tickets/:id/caller/reveal (13.7, R-19: on the record). */
export type RevealedCaller = api.RevealedCallerResponseDto;
/** GET /api/inbox/page: one page, the next cursor, and the true totals per action (issue 19). */
export type InboxPage = api.InboxPageResponseDto;
