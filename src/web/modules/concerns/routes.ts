import { lazyPage, type ModuleNav, type ModuleRoute } from '../../app/module-routes';

/**
 * The concerns module's pages (each lazily loaded) and its navigation entries. The impact board is
 * for everyone, signed in or not, and its chunk is kept tiny (no zod, no chart.js): a visitor's
 * whole download for /impact stays within 80 KB gzipped.
 */
export const concernsRoutes: ModuleRoute[] = [
  { path: '/impact', page: lazyPage(() => import('./board'), 'ImpactBoardPage') },
  { path: '/impact/:id', page: lazyPage(() => import('./story'), 'ImpactActionPage') },
  // Visitors may raise a concern where the network allows it, and follow one with a receipt code.
  { path: '/networks/:slug/concerns/new', page: lazyPage(() => import('./raise'), 'RaiseConcernPage') },
  { path: '/concerns/follow', page: lazyPage(() => import('./follow'), 'FollowConcernPage') },
  {
    path: '/networks/:slug/concerns/dashboard',
    page: lazyPage(() => import('./dashboard'), 'ConcernsDashboardPage'),
    signedIn: true,
  },
  {
    path: '/networks/:slug/concerns',
    page: lazyPage(() => import('./list'), 'ConcernsPage'),
    signedIn: true,
  },
  { path: '/concerns/:id', page: lazyPage(() => import('./concern'), 'ConcernPage'), signedIn: true },
  { path: '/actions/:id', page: lazyPage(() => import('./action'), 'ActionPage'), signedIn: true },
  {
    path: '/notifications',
    page: lazyPage(() => import('./notifications'), 'NotificationsPage'),
    signedIn: true,
  },
];

const inConcerns = (path: string) =>
  /^\/networks\/[^/]+\/concerns(\/|$)/.test(path) ||
  (path.startsWith('/concerns/') && path !== '/concerns/follow') ||
  path.startsWith('/actions/');

/**
 * "Impact" for everyone; for signed-in members also "Concerns" (their first network's; the page
 * links to the others) and "Notifications".
 */
export const concernsNav: ModuleNav = (session) => {
  const impact = { href: '/impact', label: 'Impact', match: (p: string) => p.startsWith('/impact') };
  if (session.stage !== 'signed_in') return [impact];
  const first = session.memberships[0];
  return [
    ...(first
      ? [
          {
            href: `/networks/${encodeURIComponent(first.networkSlug)}/concerns`,
            label: 'Concerns',
            match: inConcerns,
          },
        ]
      : []),
    impact,
    { href: '/notifications', label: 'Notifications' },
  ];
};
