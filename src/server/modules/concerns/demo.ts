import type { Services } from '../../platform/services';

/** Concerns demo data for Northfield Medical School (idempotent). Needs the identity demo first. */
export async function loadConcernsDemo(_services: Services): Promise<string> {
  return '';
}
