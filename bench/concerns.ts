import type { BenchModule } from './module';

/** The concerns module's benchmark: seeding and routes. */
export const concernsBench: BenchModule = {
  name: 'concerns',
  seed: async () => ({}),
  routes: [],
};
