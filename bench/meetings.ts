import type { BenchModule } from './module';

/** The meetings module's benchmark: seeding and routes. */
export const meetingsBench: BenchModule = {
  name: 'meetings',
  seed: async () => ({}),
  routes: [],
};
