import { lazyPage, type ModuleRoute } from '../../app/module-routes';

/**
 * Speak-up pages listed the module way (the report form, follow-up and case pages are still
 * written out in app/router.tsx). "My reports" needs a signed-in person.
 */
export const speakUpRoutes: ModuleRoute[] = [
  { path: '/report/mine', page: lazyPage(() => import('./mine'), 'MyReportsPage'), signedIn: true },
  { path: '/report/mine/:id', page: lazyPage(() => import('./mine'), 'MyReportPage'), signedIn: true },
];
