import type { BenchModule } from '../../../bench/module';
import type { MatrixModule } from '../test/matrix';
import type { Job } from './jobs';
import type { AnyRoute } from './routes';
import type { Services } from './services';

/**
 * What a module gives the rest of the system, exported from its front door
 * (`src/server/modules/<module>/index.ts`) and listed once in `src/server/modules/index.ts`.
 * The app, the job runner, the demo, the role matrix, the fuzzer and the bench read that list.
 *
 * The role matrix and the bench are test and tooling code: they are loaded only when asked for,
 * so the server never loads them.
 */
export type ServerModule = {
  /** The folder name: `src/server/modules/<name>`, `src/web/modules/<name>`. */
  name: string;
  routes: (services: Services) => AnyRoute[];
  /** Scheduled work (reminders, purges, digests). */
  jobs?: () => Job[];
  /** Adds the module's demo data (idempotent); returns a line for the summary. Runs in list order. */
  demo?: (services: Services) => Promise<string>;
  /** The module's rows of the role matrix (`role-matrix.ts`). */
  // biome-ignore lint/suspicious/noExplicitAny: each module's extra fixture has its own type
  roleMatrix: () => Promise<MatrixModule<any>>;
  /** Its seeding and routes for `npm run bench`. */
  bench?: () => Promise<BenchModule>;
};
