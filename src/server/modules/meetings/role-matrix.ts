import type { MatrixModule } from '../../test/matrix';

/** The meetings module's rows of the role matrix (see platform/role-matrix.test.ts). */
export const meetingsMatrix: MatrixModule<Record<string, never>> = {
  build: async () => ({}),
  entries: {},
};
