import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';

export function accountRoutes(_services: Services): AnyRoute[] {
  return [];
}
