import { type ReactNode, Suspense } from 'react';
import { Link, Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { WEB_MODULES } from '../modules';
import type { ModuleRoute } from './module-routes';
import { Loading, NotFoundPage, Page } from './page';
import { rememberedNext, rememberNext, rolesOf, safeNext, useSession } from './session';

/**
 * Routes: the pages every web module declares in its routes.ts (listed in web/modules/index.ts),
 * behind the sign-in gates they ask for. Every page is its own chunk (the first bundle is React,
 * the router and the shell), and the admin area and signed-in pages are chunks a visitor never
 * downloads.
 */

/** Where to return after the sign-in steps: the `next` of a sign-in page, else the page itself. */
function nextTarget(path: string, search: string): string | null {
  if (path.startsWith('/sign-in') || path === '/two-factor/setup') {
    return safeNext(new URLSearchParams(search).get('next')) ?? rememberedNext();
  }
  // One-time links (set-up, password reset) are spent by then: never return to them.
  if (path === '/' || path.startsWith('/setup/') || path.startsWith('/reset-password/')) return null;
  return search ? `${path}?${search}` : path;
}

const withNext = (path: string, next: string | null) =>
  next ? `${path}?next=${encodeURIComponent(next)}` : path;

/** Sends a session that still owes a step (TOTP code, TOTP enrolment) to that step, keeping `next`. */
function StageGate({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const [path] = useLocation();
  const search = useSearch();
  if (session.stage === 'second_factor' && path !== '/sign-in/code') {
    return <Redirect to={withNext('/sign-in/code', nextTarget(path, search))} replace />;
  }
  if (session.stage === 'enrol_totp' && path !== '/two-factor/setup') {
    return <Redirect to={withNext('/two-factor/setup', nextTarget(path, search))} replace />;
  }
  return <>{children}</>;
}

/** Signed-in pages: a visitor is asked to sign in first, then brought back. */
function RequireUser({ children }: { children: ReactNode }) {
  const { session } = useSession();
  const [path] = useLocation();
  const search = useSearch();
  if (session.stage !== 'signed_in') {
    const next = nextTarget(path, search) ?? path;
    rememberNext(next);
    return <Redirect to={withNext('/sign-in', next)} replace />;
  }
  return <>{children}</>;
}

function RequireAdmin({ children }: { children: ReactNode }) {
  const { session } = useSession();
  if (!rolesOf(session).isAdmin) {
    return (
      <Page title="Administrators only">
        <p>Only platform administrators can open this area.</p>
        <p>
          <Link href="/">Go to the home page</Link>
        </p>
      </Page>
    );
  }
  return <>{children}</>;
}

export function AppRoutes() {
  return (
    <StageGate>
      <Suspense fallback={<Loading what="Loading the page" />}>
        <Switch>
          {WEB_MODULES.flatMap((module) => module.routes).map(moduleRoute)}
          <Route component={NotFoundPage} />
        </Switch>
      </Suspense>
    </StageGate>
  );
}

function moduleRoute(route: ModuleRoute) {
  const Page = route.page;
  const gated = (page: ReactNode) => {
    if (route.access === 'session') return <RequireSession>{page}</RequireSession>;
    if (route.access === 'admin') {
      return (
        <RequireUser>
          <RequireAdmin>{page}</RequireAdmin>
        </RequireUser>
      );
    }
    return route.signedIn ? <RequireUser>{page}</RequireUser> : page;
  };
  return (
    <Route key={route.path} path={route.path}>
      {(params) => gated(<Page {...params} />)}
    </Route>
  );
}

/** TOTP set-up needs a session (enrolling, or a signed-in person turning it on). */
function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  if (session.stage === 'signed_out') return <Redirect to="/sign-in?next=%2Ftwo-factor%2Fsetup" replace />;
  return <>{children}</>;
}
