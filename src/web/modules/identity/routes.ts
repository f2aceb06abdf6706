import { lazyPage, type ModuleNav, type ModuleRoute } from '../../app/module-routes';
import { rolesOf } from '../../app/session';

/**
 * The identity module's pages (each lazily loaded) and its navigation entries. The home page is a
 * lazy chunk too: a visitor who lands on the impact board or the report form never needs it.
 */
export const identityRoutes: ModuleRoute[] = [
  { path: '/', page: lazyPage(() => import('./home'), 'HomePage') },
  { path: '/sign-in', page: lazyPage(() => import('./sign-in'), 'SignInPage') },
  { path: '/sign-in/code', page: lazyPage(() => import('./sign-in'), 'SecondFactorPage') },
  // Enrolling during sign-in, or a signed-in person turning it on: any session will do.
  {
    path: '/two-factor/setup',
    page: lazyPage(() => import('./two-factor-setup'), 'TwoFactorSetupPage'),
    access: 'session',
  },
  { path: '/setup/:token', page: lazyPage(() => import('./first-admin'), 'FirstAdminPage') },
  { path: '/invite/:token', page: lazyPage(() => import('./invitation'), 'InvitationPage') },
  { path: '/forgot-password', page: lazyPage(() => import('./password-reset'), 'ForgotPasswordPage') },
  { path: '/reset-password/:token', page: lazyPage(() => import('./password-reset'), 'ResetPasswordPage') },
  { path: '/networks', page: lazyPage(() => import('./networks'), 'NetworksPage') },
  { path: '/networks/:slug', page: lazyPage(() => import('./network'), 'NetworkPage') },
  { path: '/profile', page: lazyPage(() => import('./profile'), 'ProfilePage'), signedIn: true },
  { path: '/lead', page: lazyPage(() => import('./lead'), 'LeadPage'), signedIn: true },
  {
    path: '/case-handler-requests',
    page: lazyPage(() => import('./case-handler-requests'), 'CaseHandlerRequestsPage'),
    signedIn: true,
  },
  { path: '/admin/*?', page: lazyPage(() => import('./admin/admin'), 'AdminArea'), access: 'admin' },
];

/** The networks list and a network's own page; not the module pages under it (concerns, meetings). */
const isNetworkPage = (path: string) => /^\/networks(\/[^/]+)?\/?$/.test(path);

/** Home and networks first; Lead, Admin and Profile after the other modules' entries; Sign in last. */
export const identityNav: ModuleNav = (session) => {
  if (session.stage === 'signed_out') {
    return [
      { href: '/', label: 'Home', order: 10 },
      { href: '/networks', label: 'Networks', match: isNetworkPage, order: 20 },
      { href: '/sign-in', label: 'Sign in', match: (p) => p.startsWith('/sign-in'), order: 100 },
    ];
  }
  if (session.stage !== 'signed_in') return [];
  const roles = rolesOf(session);
  return [
    { href: '/', label: 'Home', order: 10 },
    { href: '/networks', label: 'My networks', match: isNetworkPage, order: 20 },
    ...(roles.isLead ? [{ href: '/lead', label: 'Lead', order: 60 }] : []),
    ...(roles.isAdmin
      ? [{ href: '/admin', label: 'Admin', match: (p: string) => p.startsWith('/admin'), order: 80 }]
      : []),
    { href: '/profile', label: 'Profile', order: 90 },
  ];
};
