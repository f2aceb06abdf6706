import { describeRoleMatrix } from '../../test/matrix';
import { meetings } from '.';

// Every route of the module as every role (rows in role-matrix.ts; the runner in test/matrix.ts).
describeRoleMatrix(meetings.name, await meetings.roleMatrix());
