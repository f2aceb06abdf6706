import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';

export function invitationRoutes(_services: Services): AnyRoute[] {
  return [];
}
