import type { ServerModule } from '../../platform/module';
import { loadMeetingsDemo } from './demo';
import { meetingsJobs } from './jobs';
import { meetingsRoutes } from './routes';

/** The meetings module's front door: polls, series, agendas, minutes, calendars. */
export const meetings: ServerModule = {
  name: 'meetings',
  routes: meetingsRoutes,
  jobs: meetingsJobs,
  demo: loadMeetingsDemo,
  roleMatrix: () => import('./role-matrix').then((m) => m.meetingsMatrix),
  bench: () => import('../../../../bench/meetings').then((m) => m.meetingsBench),
};

// A person's calendar subscriptions end when their account is disabled or signed out everywhere.
export { revokeFeedsOfUser } from './calendar';
