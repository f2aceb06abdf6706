import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';

/** Every route of the concerns module. */
export function concernsRoutes(_services: Services): AnyRoute[] {
  return [];
}
