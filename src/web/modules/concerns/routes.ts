import type { ModuleNav, ModuleRoute } from '../../app/module-routes';

/** The concerns module's pages (each lazily loaded) and its navigation entries. */
export const concernsRoutes: ModuleRoute[] = [];

export const concernsNav: ModuleNav = () => [];
