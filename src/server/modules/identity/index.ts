import type { ServerModule } from '../../platform/module';
import { loadIdentityDemo } from './demo';
import { identityRoutes } from './routes';

/**
 * The identity module's front door: what the rest of the system may use. Other modules import
 * identity only from here (scripts/check-structure.mjs fails otherwise).
 */
export const identity: ServerModule = {
  name: 'identity',
  routes: identityRoutes,
  demo: loadIdentityDemo,
  roleMatrix: () => import('./role-matrix').then((m) => m.identityMatrix),
};

// The current code of a TOTP secret (test helpers sign in with it).
export { totpNow } from './credentials';
// The demo people and school, which other modules' demo data builds on.
export { DEMO_ACCOUNTS, DEMO_INSTITUTION_SLUG, DEMO_PASSWORD, DEMO_TOTP_SECRET } from './demo';
// The first administrator's one-time link, printed by the server on a new instance.
export { issueSetupToken } from './mutations';
