import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';

/** Every route of the meetings module. */
export function meetingsRoutes(_services: Services): AnyRoute[] {
  return [];
}
