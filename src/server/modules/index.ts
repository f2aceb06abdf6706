import type { ServerModule } from '../platform/module';
import { concerns } from './concerns';
import { identity } from './identity';
import { meetings } from './meetings';
import { speakUp } from './speak-up';

/**
 * Every module, once, in dependency order (a module's demo data builds on the ones before it).
 * The app's routes, the job runner, the demo, the role matrix, the fuzzer and the bench read this
 * list: adding a module is its folder and one line here.
 */
export const MODULES: readonly ServerModule[] = [identity, speakUp, concerns, meetings];
