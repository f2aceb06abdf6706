import type { MatrixModule } from '../../test/matrix';

/** The concerns module's rows of the role matrix (see platform/role-matrix.test.ts). */
export const concernsMatrix: MatrixModule<Record<string, never>> = {
  build: async () => ({}),
  entries: {},
};
