import type { Services } from '../../platform/services';

export async function loadIdentityDemo(_services: Services): Promise<string> {
  return 'Demo data: not yet written.';
}
