import { lazyPage, type ModuleNav, type ModuleRoute } from '../../app/module-routes';
import { rolesOf } from '../../app/session';

/**
 * The speak-up module's pages: the reporter pages are their own small chunks; case handling and
 * statistics are apart. "My reports" and the case pages need a signed-in person.
 */
export const speakUpRoutes: ModuleRoute[] = [
  { path: '/report', page: lazyPage(() => import('./report'), 'ReportPage') },
  { path: '/report/follow-up', page: lazyPage(() => import('./follow-up'), 'FollowUpPage') },
  { path: '/report/mine', page: lazyPage(() => import('./mine'), 'MyReportsPage'), signedIn: true },
  { path: '/report/mine/:id', page: lazyPage(() => import('./mine'), 'MyReportPage'), signedIn: true },
  { path: '/cases', page: lazyPage(() => import('./cases'), 'CasesPage'), signedIn: true },
  { path: '/cases/:id', page: lazyPage(() => import('./cases'), 'CasePage'), signedIn: true },
  { path: '/statistics', page: lazyPage(() => import('./statistics'), 'StatisticsPage'), signedIn: true },
];

/** "Report" for everyone; "Case handling" for case handlers; "Statistics" for leads, handlers, admins. */
export const speakUpNav: ModuleNav = (session) => {
  const report = {
    href: '/report',
    label: 'Report',
    match: (p: string) => p.startsWith('/report'),
    order: 30,
  };
  if (session.stage === 'signed_out') return [report];
  if (session.stage !== 'signed_in') return [];
  const roles = rolesOf(session);
  return [
    report,
    ...(roles.isCaseHandler
      ? [{ href: '/cases', label: 'Case handling', match: (p: string) => p.startsWith('/cases'), order: 70 }]
      : []),
    ...(roles.isLead || roles.isCaseHandler || roles.isAdmin
      ? [{ href: '/statistics', label: 'Statistics', order: 75 }]
      : []),
  ];
};
