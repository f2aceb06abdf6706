import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { concernsNav } from '../modules/concerns/routes';
import { meetingsNav } from '../modules/meetings/routes';
import { ApiFailure, api } from './api';
import { rolesOf, type SessionInfo, SIGNED_OUT, useSession } from './session';

/** The networks list and a network's own page; not the module pages under it (concerns, meetings). */
const isNetworkPage = (path: string) => /^\/networks(\/[^/]+)?\/?$/.test(path);

type NavItem = { href: string; label: string; match?: (path: string) => boolean };

/** The navigation a person sees, by role. The server enforces every rule again. */
export function navItemsFor(session: SessionInfo): NavItem[] {
  if (session.stage === 'signed_out') {
    return [
      { href: '/', label: 'Home' },
      { href: '/networks', label: 'Networks', match: isNetworkPage },
      { href: '/report', label: 'Report', match: (p) => p.startsWith('/report') },
      ...concernsNav(session),
      ...meetingsNav(session),
      { href: '/sign-in', label: 'Sign in', match: (p) => p.startsWith('/sign-in') },
    ];
  }
  if (session.stage !== 'signed_in') return [];
  const roles = rolesOf(session);
  const items: NavItem[] = [
    { href: '/', label: 'Home' },
    { href: '/networks', label: 'My networks', match: isNetworkPage },
    { href: '/report', label: 'Report', match: (p) => p.startsWith('/report') },
    ...concernsNav(session),
    ...meetingsNav(session),
  ];
  if (roles.isLead) items.push({ href: '/lead', label: 'Lead' });
  if (roles.isCaseHandler) {
    items.push({ href: '/cases', label: 'Case handling', match: (p) => p.startsWith('/cases') });
  }
  if (roles.isLead || roles.isCaseHandler || roles.isAdmin) {
    items.push({ href: '/statistics', label: 'Statistics' });
  }
  if (roles.isAdmin) items.push({ href: '/admin', label: 'Admin', match: (p) => p.startsWith('/admin') });
  items.push({ href: '/profile', label: 'Profile' });
  return items;
}

function SignOutButton() {
  const { refresh, setSession, showNotice } = useSession();
  const [, navigate] = useLocation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function signOut() {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await api.post('/api/auth/sign-out');
      navigate('/');
      setSession(SIGNED_OUT);
      showNotice('You have signed out.', '/');
    } catch (e) {
      setError(e instanceof ApiFailure ? e.message : 'Signing out did not work. Please try again.');
      await refresh().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <button
        type="button"
        className="nav-link nav-button"
        onClick={signOut}
        aria-disabled={busy || undefined}
      >
        Sign out
      </button>
      {error ? (
        <span role="alert" className="nav-error">
          {error}
        </span>
      ) : null}
    </>
  );
}

/** Skip link, header with the product name and role-based navigation, main, footer. */
export function Shell({ children }: { children: ReactNode }) {
  const { session, notice, clearNotice } = useSession();
  const [location] = useLocation();
  const items = navItemsFor(session);

  // A notice belongs to the page it was shown on: once the person moves on, it goes.
  const seen = useRef(false);
  useEffect(() => {
    if (!notice) {
      seen.current = false;
      return;
    }
    if (location === notice.path) seen.current = true;
    else if (seen.current) clearNotice();
  }, [location, notice, clearNotice]);

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="site-header">
        <div className="container header-inner">
          <Link href="/" className="brand">
            Upstander
          </Link>
          {session.user && session.stage === 'signed_in' ? (
            <p className="signed-in-as">
              <span className="vh">Signed in as </span>
              {session.user.name}
            </p>
          ) : null}
        </div>
        <nav aria-label="Main" className="site-nav">
          <ul className="container nav-list">
            {items.map((item) => {
              const active = item.match ? item.match(location) : location === item.href;
              return (
                <li key={item.href}>
                  <Link href={item.href} className="nav-link" aria-current={active ? 'page' : undefined}>
                    {item.label}
                  </Link>
                </li>
              );
            })}
            {session.stage !== 'signed_out' ? (
              <li>
                <SignOutButton />
              </li>
            ) : null}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1} className="container site-main">
        <div role="status" className="notice-region">
          {notice && location === notice.path ? <p className="notice">{notice.text}</p> : null}
        </div>
        {children}
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>
            <strong>Upstander</strong>: no issue is too big or too small, and every one gets attention.
          </p>
          <p>
            Open-source software (AGPL-3.0-or-later) for student–staff racial-justice networks in medical
            schools.
          </p>
        </div>
      </footer>
    </>
  );
}
