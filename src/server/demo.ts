import { MODULES } from './modules';
import type { Services } from './platform/services';

/**
 * Loads the demo school (idempotent: a second run changes nothing): each module's demo data, in
 * the order of the module list (a module builds on the ones before it).
 */
export async function loadDemo(services: Services): Promise<string> {
  const lines: string[] = [];
  for (const module of MODULES) {
    if (module.demo) lines.push(await module.demo(services));
  }
  return lines.filter(Boolean).join('\n');
}
