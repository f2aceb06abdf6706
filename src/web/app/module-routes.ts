import { type ComponentType, lazy } from 'react';
import type { SessionInfo } from '../../shared/identity/schema';

/**
 * A page a module adds to the app: its path (wouter pattern), the lazily loaded page (given the
 * path's parameters), and whether it needs a signed-in person. Modules keep their own lists
 * (web/modules/<module>/routes.ts) and the router places them before the not-found page.
 */
export type ModuleRoute = {
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: each page names its own parameters
  page: ComponentType<any>;
  signedIn?: boolean;
};

/** A navigation entry a module adds for a session (the server enforces every rule again). */
export type ModuleNavItem = { href: string; label: string; match?: (path: string) => boolean };
export type ModuleNav = (session: SessionInfo) => ModuleNavItem[];

/** A page component loaded on first use: `lazyPage(() => import('./board'), 'BoardPage')`. */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  // biome-ignore lint/suspicious/noExplicitAny: React.lazy's own constraint
  return lazy(async () => ({ default: (await load())[name] as M[K] & ComponentType<any> }));
}
