import { describeRoleMatrix } from '../../test/matrix';
import { identity } from '.';

// Every route of the module as every role (rows in role-matrix.ts; the runner in test/matrix.ts).
describeRoleMatrix(identity.name, await identity.roleMatrix());
