import { describeRoleMatrix } from '../../test/matrix';
import { speakUp } from '.';

// Every route of the module as every role (rows in role-matrix.ts; the runner in test/matrix.ts).
describeRoleMatrix(speakUp.name, await speakUp.roleMatrix());
