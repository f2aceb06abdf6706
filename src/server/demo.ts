import { loadIdentityDemo } from './modules/identity/demo';
import { loadSpeakUpDemo } from './modules/speak-up/demo';
import type { Services } from './platform/services';

/**
 * Loads the demo school (idempotent: a second run changes nothing). Each module adds its own
 * demo data here, after the modules it builds on.
 */
export async function loadDemo(services: Services): Promise<string> {
  const identity = await loadIdentityDemo(services);
  const speakUp = await loadSpeakUpDemo(services);
  return `${identity}\n${speakUp}`;
}
