import { describeRoleMatrix } from '../../test/matrix';
import { concerns } from '.';

// Every route of the module as every role (rows in role-matrix.ts; the runner in test/matrix.ts).
describeRoleMatrix(concerns.name, await concerns.roleMatrix());
