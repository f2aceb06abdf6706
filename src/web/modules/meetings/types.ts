import type { z } from 'zod';
import type {
  AgendaItemSchema,
  AttendanceStatsSchema,
  BlockSchema,
  CalendarFeedCreatedSchema,
  CalendarFeedSchema,
  DecisionSchema,
  MeetingDetailSchema,
  MeetingListSchema,
  PollDetailSchema,
  PollSummarySchema,
  SeriesSchema,
} from '../../../shared/meetings/schema';

/**
 * The meetings API's answers, as the web sees them: types only (inferred from the shared schema),
 * so no zod or luxon reaches a page that only reads.
 */

export type PollAnswer = 'yes' | 'if_need_be' | 'no';
export type PollView = z.infer<typeof PollDetailSchema>;
export type PollSummary = z.infer<typeof PollSummarySchema>;
export type MeetingList = z.infer<typeof MeetingListSchema>;
export type MeetingSummary = MeetingList['upcoming'][number];
export type MeetingView = z.infer<typeof MeetingDetailSchema>;
export type AgendaItem = z.infer<typeof AgendaItemSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type CalendarFeed = z.infer<typeof CalendarFeedSchema>;
export type CalendarFeedCreated = z.infer<typeof CalendarFeedCreatedSchema>;
export type Series = z.infer<typeof SeriesSchema>;
export type Block = z.infer<typeof BlockSchema>;
export type AttendanceStats = z.infer<typeof AttendanceStatsSchema>;
