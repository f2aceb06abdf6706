import type { Services } from '../../platform/services';

/** Meetings demo data for Northfield Medical School (idempotent). Needs the identity demo first. */
export async function loadMeetingsDemo(_services: Services): Promise<string> {
  return '';
}
