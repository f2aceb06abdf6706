import {
  AssignSchema,
  CaseDetailSchema,
  CaseListSchema,
  CaseMessageSchema,
  CaseQuerySchema,
  CaseSummarySchema,
  ConflictCreateSchema,
  EscalationCreateSchema,
  EscalationSchema,
  MessageCreateSchema,
  StatisticsQuerySchema,
  StatisticsSchema,
  TransitionSchema,
} from '../../../shared/speak-up/schema';
import { type AnyRoute, defineRoute, IdParams } from '../../platform/routes';
import type { Services } from '../../platform/services';
import {
  addCaseMessage,
  addEscalation,
  assignCase,
  declareConflict,
  getCase,
  listCases,
  releaseFromEscrow,
  transitionCase,
} from './cases';
import { institutionStatistics } from './queries';

/**
 * Case handling. The route rule is 'user' (signed in, second factor given); the domain functions
 * then apply the policy: a handler of the case's institution with TOTP and no conflict of
 * interest, or a 404. Statistics: suppressed aggregates for leads, handlers and admins.
 */
export function caseRoutes(services: Services): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/cases',
      summary: 'The case queue of the schools you handle cases for, 25 to a page',
      tags: ['speak-up'],
      access: 'user',
      query: CaseQuerySchema,
      response: CaseListSchema,
      handler: ({ query, actor }) => listCases(services, actor!, query),
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/cases/:id',
      summary: 'A case in full (every read is recorded in the audit log)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      response: CaseDetailSchema,
      handler: ({ params, actor }) => getCase(services, actor!, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/assign',
      summary: 'Assign the case to a case handler of its school (or to nobody)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: AssignSchema,
      response: CaseSummarySchema,
      handler: ({ params, body, actor }) => assignCase(services, actor!, params.id, body.handlerId),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/release',
      summary:
        'Release a report held for a match to case handling (only while another person’s entry matches it)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      response: CaseSummarySchema,
      handler: ({ params, actor }) => releaseFromEscrow(services, actor!, params.id),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/transition',
      summary:
        'Move the case to its next step: acknowledged, assessing, action (with its kind), closed (with an outcome)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: TransitionSchema,
      response: CaseSummarySchema,
      handler: ({ params, body, actor }) => transitionCase(services, actor!, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/messages',
      summary: 'Send a message to the reporter (they read it with their receipt code)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: MessageCreateSchema,
      response: CaseMessageSchema,
      status: 201,
      handler: ({ params, body, actor }) => addCaseMessage(services, actor!, params.id, body.body, false),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/notes',
      summary: 'Add an internal note, for case handlers only',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: MessageCreateSchema,
      response: CaseMessageSchema,
      status: 201,
      handler: ({ params, body, actor }) => addCaseMessage(services, actor!, params.id, body.body, true),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/escalations',
      summary: 'Record a referral to the placement provider or the formal complaints process',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: EscalationCreateSchema,
      response: EscalationSchema,
      status: 201,
      handler: ({ params, body, actor }) => addEscalation(services, actor!, params.id, body),
    }),
    defineRoute({
      method: 'POST',
      url: '/api/speak-up/cases/:id/conflicts',
      summary: 'Mark a case handler (you or a colleague) as having a conflict of interest with the case',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      body: ConflictCreateSchema,
      response: null,
      status: 204,
      handler: async ({ params, body, actor }) => {
        await declareConflict(services, actor!, params.id, body.handlerId);
        return undefined;
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/api/speak-up/institutions/:id/statistics',
      summary: 'Counts of reports for an academic year, rounded and suppressed (never a single case)',
      tags: ['speak-up'],
      access: 'user',
      params: IdParams,
      query: StatisticsQuerySchema,
      response: StatisticsSchema,
      handler: ({ params, query, actor }) => institutionStatistics(services.db, actor!, params.id, query),
    }),
  ];
}
