import { loadConcernsDemo } from './modules/concerns/demo';
import { loadIdentityDemo } from './modules/identity/demo';
import { loadMeetingsDemo } from './modules/meetings/demo';
import { loadSpeakUpDemo } from './modules/speak-up/demo';
import type { Services } from './platform/services';

/**
 * Loads the demo school (idempotent: a second run changes nothing). Each module adds its own
 * demo data here, after the modules it builds on.
 */
export async function loadDemo(services: Services): Promise<string> {
  const identity = await loadIdentityDemo(services);
  const speakUp = await loadSpeakUpDemo(services);
  const concerns = await loadConcernsDemo(services);
  const meetings = await loadMeetingsDemo(services);
  return [identity, speakUp, concerns, meetings].filter(Boolean).join('\n');
}
