import type { ServerModule } from '../../platform/module';
import { loadSpeakUpDemo } from './demo';
import { speakUpJobs } from './jobs';
import { speakUpRoutes } from './routes';

/**
 * The speak-up module's front door. Reports are sealed and case handling is the module's own:
 * no other module needs its domain functions, so none are exported.
 */
export const speakUp: ServerModule = {
  name: 'speak-up',
  routes: speakUpRoutes,
  jobs: () => speakUpJobs(),
  demo: (services) => loadSpeakUpDemo(services),
  roleMatrix: () => import('./role-matrix').then((m) => m.speakUpMatrix),
  bench: () => import('../../../../bench/speak-up').then((m) => m.speakUpBench),
};
