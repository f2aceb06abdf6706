import { type ReactNode, Suspense } from 'react';
import { Link, Redirect, Route, Switch, useLocation, useSearch } from 'wouter';
import { concernsRoutes } from '../modules/concerns/routes';
import { meetingsRoutes } from '../modules/meetings/routes';
import { speakUpRoutes } from '../modules/speak-up/routes';
import { lazyPage, type ModuleRoute } from './module-routes';
import { Loading, NotFoundPage, Page } from './page';
import { rememberedNext, rememberNext, rolesOf, safeNext, useSession } from './session';

/**
 * Routes. Every page is its own chunk (the first bundle is React, the router and the shell), and the
 * admin area and signed-in pages are chunks a visitor never downloads.
 */

// The home page too: a visitor who lands on the impact board or the report form never needs it.
const HomePage = lazyPage(() => import('../modules/identity/home'), 'HomePage');
const SignInPage = lazyPage(() => import('../modules/identity/sign-in'), 'SignInPage');
const SecondFactorPage = lazyPage(() => import('../modules/identity/sign-in'), 'SecondFactorPage');
const TwoFactorSetupPage = lazyPage(
  () => import('../modules/identity/two-factor-setup'),
  'TwoFactorSetupPage',
);
const FirstAdminPage = lazyPage(() => import('../modules/identity/first-admin'), 'FirstAdminPage');
const InvitationPage = lazyPage(() => import('../modules/identity/invitation'), 'InvitationPage');
const ForgotPasswordPage = lazyPage(() => import('../modules/identity/password-reset'), 'ForgotPasswordPage');
const ResetPasswordPage = lazyPage(() => import('../modules/identity/password-reset'), 'ResetPasswordPage');
const ProfilePage = lazyPage(() => import('../modules/identity/profile'), 'ProfilePage');
const NetworksPage = lazyPage(() => import('../modules/identity/networks'), 'NetworksPage');
const NetworkPage = lazyPage(() => import('../modules/identity/network'), 'NetworkPage');
const LeadPage = lazyPage(() => import('../modules/identity/lead'), 'LeadPage');
const CaseHandlerRequestsPage = lazyPage(
  () => import('../modules/identity/case-handler-requests'),
  'CaseHandlerRequestsPage',
);
// Speak-up: the reporter pages are their own small chunks; case handling and statistics are apart.
const ReportPage = lazyPage(() => import('../modules/speak-up/report'), 'ReportPage');
const FollowUpPage = lazyPage(() => import('../modules/speak-up/follow-up'), 'FollowUpPage');
const CasesPage = lazyPage(() => import('../modules/speak-up/cases'), 'CasesPage');
const CasePage = lazyPage(() => import('../modules/speak-up/cases'), 'CasePage');
const StatisticsPage = lazyPage(() => import('../modules/speak-up/statistics'), 'StatisticsPage');
const AdminArea = lazyPage(() => import('../modules/identity/admin/admin'), 'AdminArea');

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
          <Route path="/" component={HomePage} />
          <Route path="/sign-in" component={SignInPage} />
          <Route path="/sign-in/code" component={SecondFactorPage} />
          <Route path="/two-factor/setup">
            <RequireSession>
              <TwoFactorSetupPage />
            </RequireSession>
          </Route>
          <Route path="/setup/:token">{(params) => <FirstAdminPage token={params.token} />}</Route>
          <Route path="/invite/:token">{(params) => <InvitationPage token={params.token} />}</Route>
          <Route path="/forgot-password" component={ForgotPasswordPage} />
          <Route path="/reset-password/:token">
            {(params) => <ResetPasswordPage token={params.token} />}
          </Route>
          <Route path="/networks" component={NetworksPage} />
          <Route path="/networks/:slug">{(params) => <NetworkPage slug={params.slug} />}</Route>
          <Route path="/profile">
            <RequireUser>
              <ProfilePage />
            </RequireUser>
          </Route>
          <Route path="/lead">
            <RequireUser>
              <LeadPage />
            </RequireUser>
          </Route>
          <Route path="/case-handler-requests">
            <RequireUser>
              <CaseHandlerRequestsPage />
            </RequireUser>
          </Route>
          <Route path="/report" component={ReportPage} />
          <Route path="/report/follow-up" component={FollowUpPage} />
          <Route path="/cases">
            <RequireUser>
              <CasesPage />
            </RequireUser>
          </Route>
          <Route path="/cases/:id">
            {(params) => (
              <RequireUser>
                <CasePage id={params.id} />
              </RequireUser>
            )}
          </Route>
          <Route path="/statistics">
            <RequireUser>
              <StatisticsPage />
            </RequireUser>
          </Route>
          <Route path="/admin/*?">
            <RequireUser>
              <RequireAdmin>
                <AdminArea />
              </RequireAdmin>
            </RequireUser>
          </Route>
          {[...concernsRoutes, ...meetingsRoutes, ...speakUpRoutes].map(moduleRoute)}
          <Route component={NotFoundPage} />
        </Switch>
      </Suspense>
    </StageGate>
  );
}

function moduleRoute(route: ModuleRoute) {
  const Page = route.page;
  return (
    <Route key={route.path} path={route.path}>
      {(params) =>
        route.signedIn ? (
          <RequireUser>
            <Page {...params} />
          </RequireUser>
        ) : (
          <Page {...params} />
        )
      }
    </Route>
  );
}

/** TOTP set-up needs a session (enrolling, or a signed-in person turning it on). */
function RequireSession({ children }: { children: ReactNode }) {
  const { session } = useSession();
  if (session.stage === 'signed_out') return <Redirect to="/sign-in?next=%2Ftwo-factor%2Fsetup" replace />;
  return <>{children}</>;
}
