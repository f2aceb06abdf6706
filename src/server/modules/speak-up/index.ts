import type { ServerModule } from '../../platform/module';
import { speakUpJobs } from './jobs';
import { speakUpRoutes } from './routes';

/**
 * The speak-up module's front door. Reports are sealed and case handling is the module's own;
 * what others use is below.
 */
export const speakUp: ServerModule = {
  name: 'speak-up',
  routes: speakUpRoutes,
  jobs: () => speakUpJobs(),
  // Loaded when asked for: the demo builds on identity's people, and identity calls speak-up.
  demo: (services) => import('./demo').then((m) => m.loadSpeakUpDemo(services)),
  roleMatrix: () => import('./role-matrix').then((m) => m.speakUpMatrix),
  bench: () => import('../../../../bench/speak-up').then((m) => m.speakUpBench),
};

// A case handler's name or e-mail changed: re-check which reports name them (identity calls it).
export { handlerProfileChanged } from './conflicts';
// The report keys (kept outside the database), which the app gives every route and job.
export { ReportKeyring } from './report-crypto';
