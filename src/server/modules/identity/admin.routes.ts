import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';

export function adminRoutes(_services: Services): AnyRoute[] {
  return [];
}
