import { type ComponentType, lazy } from 'react';
import type { SessionInfo } from '../../shared/identity/schema';

/**
 * A page a module adds to the app: its path (wouter pattern), the lazily loaded page (given the
 * path's parameters), and whether it needs a signed-in person. Modules keep their own lists
 * (web/modules/<module>/routes.ts), listed once in web/modules/index.ts; the router places them
 * before the not-found page.
 */
export type ModuleRoute = {
  path: string;
  // biome-ignore lint/suspicious/noExplicitAny: each page names its own parameters
  page: ComponentType<any>;
  /** A signed-in person (a visitor is asked to sign in, then brought back). */
  signedIn?: boolean;
  /** Stricter gates: any session, even one still owing a sign-in step; or administrators only. */
  access?: 'session' | 'admin';
};

/**
 * A navigation entry a module adds for a session (the server enforces every rule again). The
 * shell sorts entries by `order` (default 50), then by the module list.
 */
export type ModuleNavItem = {
  href: string;
  label: string;
  match?: (path: string) => boolean;
  order?: number;
};
export type ModuleNav = (session: SessionInfo) => ModuleNavItem[];

/** A page component loaded on first use: `lazyPage(() => import('./board'), 'BoardPage')`. */
export function lazyPage<M, K extends keyof M>(load: () => Promise<M>, name: K) {
  // biome-ignore lint/suspicious/noExplicitAny: React.lazy's own constraint
  return lazy(async () => ({ default: (await load())[name] as M[K] & ComponentType<any> }));
}
