import { type ReactNode, useEffect, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { WEB_MODULES } from '../modules';
import { ApiFailure, api } from './api';
import { type SessionInfo, SIGNED_OUT, useSession } from './session';

type NavItem = { href: string; label: string; match?: (path: string) => boolean };

/**
 * The navigation a person sees, by role: every web module's entries (web/modules/index.ts), by
 * their `order`, then by the module list. The server enforces every rule again.
 */
export function navItemsFor(session: SessionInfo): NavItem[] {
  const items = WEB_MODULES.flatMap((module) => module.nav?.(session) ?? []);
  // Array.prototype.sort is stable: equal orders keep the module list's order.
  return items
    .sort((a, b) => (a.order ?? 50) - (b.order ?? 50))
    .map(({ href, label, match }) => (match ? { href, label, match } : { href, label }));
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
