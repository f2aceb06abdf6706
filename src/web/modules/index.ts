import type { ModuleNav, ModuleRoute } from '../app/module-routes';
import { concernsNav, concernsRoutes } from './concerns/routes';
import { identityNav, identityRoutes } from './identity/routes';
import { meetingsNav, meetingsRoutes } from './meetings/routes';
import { speakUpNav, speakUpRoutes } from './speak-up/routes';

/** A module of the web app: its pages and its navigation entries (src/web/modules/<name>/routes.ts). */
export type WebModule = { name: string; routes: ModuleRoute[]; nav?: ModuleNav };

/**
 * Every web module, once. The router places their pages (in this order, before the not-found page)
 * and the shell their navigation entries (by `order`, then this order).
 */
export const WEB_MODULES: readonly WebModule[] = [
  { name: 'identity', routes: identityRoutes, nav: identityNav },
  { name: 'speak-up', routes: speakUpRoutes, nav: speakUpNav },
  { name: 'concerns', routes: concernsRoutes, nav: concernsNav },
  { name: 'meetings', routes: meetingsRoutes, nav: meetingsNav },
];
