import type { ServerModule } from '../../platform/module';
import { loadConcernsDemo } from './demo';
import { concernsJobs } from './jobs';
import { concernsRoutes } from './routes';

/** The concerns module's front door: concerns, actions, the impact board, notifications. */
export const concerns: ServerModule = {
  name: 'concerns',
  routes: concernsRoutes,
  jobs: concernsJobs,
  demo: loadConcernsDemo,
  roleMatrix: () => import('./role-matrix').then((m) => m.concernsMatrix),
  bench: () => import('../../../../bench/concerns').then((m) => m.concernsBench),
};

// What meetings calls inside the transaction that records a decision.
export { agendaQueue, postActionUpdate, triageConcern } from './triage';
