import type { ModuleNav, ModuleRoute } from '../../app/module-routes';

/** The meetings module's pages (each lazily loaded) and its navigation entries. */
export const meetingsRoutes: ModuleRoute[] = [];

export const meetingsNav: ModuleNav = () => [];
