import type { AnyRoute } from '../../platform/routes';
import type { Services } from '../../platform/services';
import { accountRoutes } from './account.routes';
import { adminRoutes } from './admin.routes';
import { authRoutes } from './auth.routes';
import { caseHandlerRequestRoutes } from './case-handlers.routes';
import { invitationRoutes } from './invitations.routes';
import { networkRoutes } from './networks.routes';
import { ssoRoutes } from './sso.routes';

/** Every route of the identity module: accounts, sessions, networks, memberships, administration. */
export function identityRoutes(services: Services): AnyRoute[] {
  return [
    ...authRoutes(services),
    ...accountRoutes(services),
    ...ssoRoutes(services),
    ...invitationRoutes(services),
    ...networkRoutes(services),
    ...adminRoutes(services),
    ...caseHandlerRequestRoutes(services),
  ];
}
